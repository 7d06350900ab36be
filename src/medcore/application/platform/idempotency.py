"""Idempotency keys: a client retrying a POST with the same key gets the first answer
instead of a second effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

KEY_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    fingerprint: str
    response: StoredResponse | None  # None while the first request is still running


class IdempotencyStore(Protocol):
    async def claim(
        self,
        organization_id: UUID,
        principal: str,
        key: str,
        fingerprint: str,
        now: datetime,
    ) -> IdempotencyRecord | None:
        """Claim ``key`` for a new request (None), or return what is already recorded
        for it. Expired records count as absent."""

    async def complete(
        self,
        organization_id: UUID,
        principal: str,
        key: str,
        response: StoredResponse,
        now: datetime,
    ) -> None: ...

    async def release(self, organization_id: UUID, principal: str, key: str) -> None:
        """Forget a claim whose request failed on the server side, so it can be retried."""

    async def purge_expired(self, now: datetime) -> int: ...
