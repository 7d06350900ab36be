"""Ports of the identity context: repositories and the security services it needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from returns.result import Result

from medcore.domain.identity.action_token import ActionToken, TokenPurpose
from medcore.domain.identity.api_key import ApiKey
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.organization import Organization, OrganizationSlug
from medcore.domain.identity.session import RevocationReason, Session
from medcore.domain.identity.user import User
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class OrganizationRepository(Protocol):
    async def add(self, organization: Organization) -> None:
        """Raises nothing; a taken slug is reported by ``slug_taken`` before adding."""

    async def get(self, organization_id: UUID, *, lock: bool = False) -> Organization | None: ...

    async def by_slug(self, slug: OrganizationSlug) -> Organization | None: ...

    async def slug_taken(self, slug: OrganizationSlug) -> bool: ...

    async def save(self, organization: Organization) -> bool:
        """Persist changes if nobody changed the row meanwhile; False on a version clash."""


class UserRepository(Protocol):
    async def add(self, user: User) -> None: ...

    async def get(self, organization_id: UUID, user_id: UUID, *, lock: bool = False) -> User | None:
        """``lock`` holds the row until the transaction ends (for read-modify-write)."""

    async def by_email(self, organization_id: UUID, email: EmailAddress, *, lock: bool = False) -> User | None: ...

    async def count_active_owners(self, organization_id: UUID) -> int: ...

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[User], DomainError]:
        """Fails only on a cursor that does not belong to this query."""

    async def email_taken(self, organization_id: UUID, email: EmailAddress) -> bool: ...

    async def save(self, user: User) -> bool: ...


class SessionRepository(Protocol):
    async def add(self, session: Session) -> None: ...

    async def get(self, organization_id: UUID, session_id: UUID, *, lock: bool = False) -> Session | None: ...

    async def by_refresh_token(self, token_hash: str, *, lock: bool = False) -> tuple[Session, int] | None:
        """The session a refresh token (current or past) belongs to, and that token's generation.

        The only lookup not scoped by organization: the token itself names the session.
        """

    async def remember_refresh_token(self, session: Session) -> None:
        """Keep the session's current token hash, so that its later reuse is recognised."""

    async def active_for_user(self, organization_id: UUID, user_id: UUID, now: datetime) -> Sequence[Session]: ...

    async def revoke_all_for_user(
        self,
        organization_id: UUID,
        user_id: UUID,
        now: datetime,
        reason: RevocationReason,
        *,
        keep: UUID | None = None,
    ) -> int:
        """Revoke every active session of a user (but ``keep``); returns how many."""

    async def save(self, session: Session) -> bool: ...


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey) -> None: ...

    async def get(self, organization_id: UUID, key_id: UUID, *, lock: bool = False) -> ApiKey | None: ...

    async def list(self, organization_id: UUID, query: ListQuery, now: datetime) -> Result[Page[ApiKey], DomainError]:
        """``active`` filters on keys usable at ``now``."""

    async def by_public_id(self, public_id: str) -> ApiKey | None:
        """Lookup by the id embedded in the key string; not scoped: the key names its org."""

    async def save(self, key: ApiKey) -> bool: ...


class ActionTokenRepository(Protocol):
    async def add(self, token: ActionToken) -> None: ...

    async def by_hash(self, organization_id: UUID, token_hash: str, *, lock: bool = False) -> ActionToken | None: ...

    async def save(self, token: ActionToken) -> bool: ...

    async def invalidate_for_user(
        self, organization_id: UUID, user_id: UUID, purpose: TokenPurpose, now: datetime
    ) -> None:
        """Use up any outstanding tokens of that purpose (a new one replaces them)."""


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    def burn(self) -> None:
        """Spend the time of one verification: used for unknown accounts so that timing
        does not tell which emails exist."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What an access token asserts. It is only trusted together with a live session."""

    organization_id: UUID
    user_id: UUID
    session_id: UUID
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class MfaChallenge:
    """What a pending MFA token asserts: the password step passed for this account."""

    organization_id: UUID
    user_id: UUID
    expires_at: datetime


class TokenSigner(Protocol):
    def issue_access(self, claims: AccessClaims, issued_at: datetime) -> str: ...

    def read_access(self, token: str, now: datetime) -> AccessClaims | None:
        """Claims of a well-signed, unexpired token; None otherwise."""

    def issue_mfa_challenge(self, challenge: MfaChallenge, issued_at: datetime) -> str: ...

    def read_mfa_challenge(self, token: str, now: datetime) -> MfaChallenge | None: ...


class SecretGenerator(Protocol):
    def token(self) -> str:
        """A URL-safe random secret with at least 256 bits of entropy."""

    def key_id(self) -> str:
        """A short random public identifier for an API key."""

    def recovery_codes(self, count: int) -> list[str]:
        """Human-typable one-time recovery codes."""


class Totp(Protocol):
    """RFC 6238 time-based one-time passwords."""

    def new_secret(self) -> str: ...

    def provisioning_uri(self, secret: str, account: str, issuer: str) -> str: ...

    def matching_step(self, secret: str, code: str, now: datetime) -> int | None:
        """The time step whose code equals ``code`` (allowing one step of clock drift), or None."""


class SecretBox(Protocol):
    """Symmetric encryption for secrets medcore must read back (TOTP seeds)."""

    def seal(self, plaintext: str) -> str: ...

    def open(self, sealed: str) -> str: ...


class CommonPasswords(Protocol):
    def __contains__(self, candidate: object) -> bool: ...


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str


class EmailSender(Protocol):
    async def send(self, message: OutgoingEmail) -> None: ...
