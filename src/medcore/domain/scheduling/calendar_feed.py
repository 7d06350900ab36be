"""A practitioner's calendar feed: a secret, revocable URL that calendar clients subscribe to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(slots=True, kw_only=True)
class CalendarFeed:
    id: UUID
    organization_id: UUID
    practitioner_id: UUID
    token_hash: str  # the token is shown once, in the feed URL
    created_by: UUID | None
    revoked_at: datetime | None = None
    last_fetched_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        self.revoked_at = now
        self.updated_at = now
        return True
