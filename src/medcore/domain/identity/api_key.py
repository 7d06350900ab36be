"""API keys: how integrations act, with a fixed set of permissions (scopes).

A key reads ``mc_live_<key id>_<secret>``. It is shown once; medcore keeps the key id and a
hash of the secret. Rotation issues a new secret for the same key id and keeps the previous
secret valid for an overlap window, so integrations can roll without downtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.identity.permissions import Permission
from medcore.domain.identity.secrets import same_digest
from medcore.domain.shared.errors import DomainError, ErrorKind, conflict

KEY_PREFIX = "mc_live_"
MAX_OVERLAP = timedelta(days=7)

INVALID_API_KEY = DomainError(
    code="auth.invalid_api_key",
    message="The API key is not valid.",
    kind=ErrorKind.UNAUTHENTICATED,
)


def format_key(key_id: str, secret: str) -> str:
    return f"{KEY_PREFIX}{key_id}_{secret}"


def split_key(presented: str) -> tuple[str, str] | None:
    """Return ``(key_id, secret)`` of a well-formed key, else None."""
    if not presented.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = presented[len(KEY_PREFIX) :].partition("_")
    if not sep or not key_id or not secret:
        return None
    return key_id, secret


@dataclass(slots=True, kw_only=True)
class ApiKey:
    id: UUID
    organization_id: UUID
    name: str
    key_id: str
    secret_hash: str
    scopes: frozenset[Permission]
    created_by: UUID
    expires_at: datetime | None = None
    previous_secret_hash: str | None = None
    previous_valid_until: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def accepts(self, secret_hash: str, now: datetime) -> Result[None, DomainError]:
        if not self.is_active(now):
            return Failure(INVALID_API_KEY)
        if same_digest(secret_hash, self.secret_hash):
            return Success(None)
        if (
            self.previous_secret_hash is not None
            and self.previous_valid_until is not None
            and now < self.previous_valid_until
            and same_digest(secret_hash, self.previous_secret_hash)
        ):
            return Success(None)
        return Failure(INVALID_API_KEY)

    def rotate(self, new_secret_hash: str, overlap: timedelta, now: datetime) -> Result[None, DomainError]:
        if not self.is_active(now):
            return Failure(conflict("api_key.inactive", "A revoked or expired key cannot be rotated."))
        self.previous_secret_hash = self.secret_hash
        self.previous_valid_until = now + min(overlap, MAX_OVERLAP)
        self.secret_hash = new_secret_hash
        self.updated_at = now
        return Success(None)

    def revoke(self, now: datetime) -> Result[None, DomainError]:
        if self.revoked_at is not None:
            return Failure(conflict("api_key.already_revoked", "This key is already revoked."))
        self.revoked_at = now
        self.updated_at = now
        return Success(None)

    def mark_used(self, now: datetime) -> bool:
        """Record use, at most once a minute so that busy keys do not write on every call."""
        if self.last_used_at is None or now - self.last_used_at >= timedelta(minutes=1):
            self.last_used_at = now
            return True
        return False
