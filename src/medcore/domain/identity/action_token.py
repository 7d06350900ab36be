"""Single-use tokens sent by email: password reset, email verification, invitation."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, ErrorKind


class TokenPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"
    EMAIL_VERIFICATION = "email_verification"
    INVITATION = "invitation"


LIFETIMES: dict[TokenPurpose, timedelta] = {
    TokenPurpose.PASSWORD_RESET: timedelta(minutes=30),
    TokenPurpose.EMAIL_VERIFICATION: timedelta(hours=48),
    TokenPurpose.INVITATION: timedelta(days=7),
}

INVALID_TOKEN = DomainError(
    code="auth.invalid_token",
    message="The link is invalid, expired or already used.",
    kind=ErrorKind.INVALID,
)


@dataclass(slots=True, kw_only=True)
class ActionToken:
    id: UUID
    organization_id: UUID
    user_id: UUID
    purpose: TokenPurpose
    token_hash: str
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @classmethod
    def issue(
        cls,
        *,
        id: UUID,
        organization_id: UUID,
        user_id: UUID,
        purpose: TokenPurpose,
        token_hash: str,
        now: datetime,
    ) -> ActionToken:
        return cls(
            id=id,
            organization_id=organization_id,
            user_id=user_id,
            purpose=purpose,
            token_hash=token_hash,
            expires_at=now + LIFETIMES[purpose],
            created_at=now,
            updated_at=now,
        )

    def consume(self, now: datetime) -> Result[None, DomainError]:
        if self.used_at is not None or now >= self.expires_at:
            return Failure(INVALID_TOKEN)
        self.used_at = now
        self.updated_at = now
        return Success(None)
