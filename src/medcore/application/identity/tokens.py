"""Opening sessions and issuing the token pair: shared by login, MFA and refresh."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from medcore.application.identity.config import IdentityConfig
from medcore.domain.identity.ports import AccessClaims, SecretGenerator, TokenSigner
from medcore.domain.identity.secrets import digest
from medcore.domain.identity.session import Session


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds until the access token expires
    session_id: str
    mfa_enrollment_required: bool = False


@dataclass(frozen=True, slots=True)
class MfaRequired:
    mfa_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class NewRefreshToken:
    secret: str
    digest: str


def new_refresh_token(secrets: SecretGenerator) -> NewRefreshToken:
    secret = secrets.token()
    return NewRefreshToken(secret=secret, digest=digest(secret))


def token_pair(
    session: Session,
    refresh_secret: str,
    signer: TokenSigner,
    config: IdentityConfig,
    now: datetime,
    *,
    mfa_enrollment_required: bool = False,
) -> TokenPair:
    expires_at = now + config.access_token_ttl
    access = signer.issue_access(
        AccessClaims(
            organization_id=session.organization_id,
            user_id=session.user_id,
            session_id=session.id,
            expires_at=expires_at,
        ),
        issued_at=now,
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh_secret,
        expires_in=int(config.access_token_ttl.total_seconds()),
        session_id=str(session.id),
        mfa_enrollment_required=mfa_enrollment_required,
    )
