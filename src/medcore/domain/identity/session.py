"""Sessions: one per sign-in, carrying a family of single-use refresh tokens.

Each refresh presents the newest token of the family and receives the next one. Presenting
any older token of the family means it was copied: the whole family (the session) is revoked
at once, for the thief and the owner alike (theft detection, RFC 6819 section 5.2.2.3).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, ErrorKind

REFRESH_TOKEN_LIFETIME = timedelta(days=30)


class RevocationReason(enum.StrEnum):
    LOGOUT = "logout"
    REVOKED_BY_USER = "revoked_by_user"
    REFRESH_TOKEN_REUSE = "refresh_token_reuse"
    USER_DEACTIVATED = "user_deactivated"
    PASSWORD_CHANGED = "password_changed"


def _refused(code: str, message: str) -> DomainError:
    return DomainError(code=code, message=message, kind=ErrorKind.UNAUTHENTICATED)


INVALID_REFRESH_TOKEN = _refused("auth.invalid_refresh_token", "The refresh token is not valid.")
REFRESH_TOKEN_REUSED = _refused(
    "auth.refresh_token_reused",
    "This refresh token was already used; the session has been signed out for safety.",
)


@dataclass(slots=True, kw_only=True)
class Session:
    id: UUID
    organization_id: UUID
    user_id: UUID
    refresh_token_hash: str
    generation: int = 0
    mfa_verified: bool = False
    ip: str | None = None
    user_agent: str | None = None
    created_at: datetime
    updated_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: RevocationReason | None = None
    version: int = 1

    @classmethod
    def open(
        cls,
        *,
        id: UUID,
        organization_id: UUID,
        user_id: UUID,
        refresh_token_hash: str,
        now: datetime,
        mfa_verified: bool,
        ip: str | None,
        user_agent: str | None,
    ) -> Session:
        return cls(
            id=id,
            organization_id=organization_id,
            user_id=user_id,
            refresh_token_hash=refresh_token_hash,
            mfa_verified=mfa_verified,
            ip=ip,
            user_agent=user_agent,
            created_at=now,
            updated_at=now,
            last_used_at=now,
            expires_at=now + REFRESH_TOKEN_LIFETIME,
        )

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def rotate(self, presented_generation: int, new_token_hash: str, now: datetime) -> Result[int, DomainError]:
        """Exchange the token of ``presented_generation`` for the next one.

        Returns the new generation. A presented generation older than the current one is
        reuse: the session is revoked and the caller must persist that.
        """
        if self.revoked_at is not None or now >= self.expires_at:
            return Failure(INVALID_REFRESH_TOKEN)
        if presented_generation != self.generation:
            self.revoke(now, RevocationReason.REFRESH_TOKEN_REUSE)
            return Failure(REFRESH_TOKEN_REUSED)
        self.generation += 1
        self.refresh_token_hash = new_token_hash
        self.last_used_at = now
        self.expires_at = now + REFRESH_TOKEN_LIFETIME
        self.updated_at = now
        return Success(self.generation)

    def revoke(self, now: datetime, reason: RevocationReason) -> bool:
        """Revoke once; returns False when it was already revoked."""
        if self.revoked_at is not None:
            return False
        self.revoked_at = now
        self.revoked_reason = reason
        self.updated_at = now
        return True
