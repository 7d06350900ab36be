"""Users: accounts inside one organization.

An account belongs to exactly one organization (see ADR 0004): a person who works for two
organizations holds two accounts, so credentials, lockout and MFA never cross a tenant.
The account's role in its organization is its membership.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.permissions import Permission, Role, permissions_of
from medcore.domain.shared.errors import DomainError, ErrorKind, conflict, field_invalid

INVALID_CREDENTIALS = DomainError(
    code="auth.invalid_credentials",
    message="The organization, email or password is not correct.",
    kind=ErrorKind.UNAUTHENTICATED,
)


class UserStatus(enum.StrEnum):
    INVITED = "invited"  # created without a password; sets one through the invitation link
    PENDING_VERIFICATION = "pending_verification"  # self-registered; verifies the email first
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True, slots=True)
class Membership:
    """The account's place in its organization."""

    organization_id: UUID
    role: Role

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.role)


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    threshold: int = 5
    duration: timedelta = timedelta(minutes=15)


@dataclass(slots=True, kw_only=True)
class TotpState:
    """A TOTP secret (sealed by the secret box, never stored in clear) and replay guard."""

    sealed_secret: str
    confirmed_at: datetime | None = None
    last_used_step: int | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclass(slots=True, kw_only=True)
class User:
    id: UUID
    organization_id: UUID
    email: EmailAddress
    given_name: str
    family_name: str
    role: Role
    status: UserStatus
    password_hash: str | None = None
    password_changed_at: datetime | None = None
    email_verified_at: datetime | None = None
    failed_logins: int = 0
    locked_until: datetime | None = None
    totp: TotpState | None = None
    recovery_code_hashes: tuple[str, ...] = ()
    last_login_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def membership(self) -> Membership:
        return Membership(self.organization_id, self.role)

    @property
    def permissions(self) -> frozenset[Permission]:
        return self.membership.permissions

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def mfa_enabled(self) -> bool:
        return self.totp is not None and self.totp.confirmed

    @staticmethod
    def check_name(value: str, field: str) -> Result[str, DomainError]:
        cleaned = " ".join(value.split())
        if not 1 <= len(cleaned) <= 100:
            return Failure(field_invalid(field, "Use 1-100 characters."))
        return Success(cleaned)

    # --- login -----------------------------------------------------------------------

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def check_can_sign_in(self, now: datetime) -> Result[None, DomainError]:
        """Whether a password may even be tried. Locked accounts answer 423; accounts that
        cannot sign in for other reasons answer like a wrong password, so that nothing
        about them leaks."""
        if self.is_locked(now):
            assert self.locked_until is not None
            return Failure(
                DomainError(
                    code="auth.account_locked",
                    message="Too many failed attempts; the account is locked for a while.",
                    kind=ErrorKind.LOCKED,
                    extra={"locked_until": self.locked_until},
                )
            )
        if self.status is not UserStatus.ACTIVE or self.password_hash is None:
            return Failure(INVALID_CREDENTIALS)
        return Success(None)

    def record_failed_login(self, now: datetime, policy: LockoutPolicy) -> bool:
        """Count a failure; returns True when this failure locks the account."""
        if self.locked_until is not None and now >= self.locked_until:
            self.failed_logins = 0  # the previous lock has run out: start a fresh count
            self.locked_until = None
        self.failed_logins += 1
        self.updated_at = now
        if self.failed_logins >= policy.threshold:
            self.locked_until = now + policy.duration
            return True
        return False

    def record_successful_login(self, now: datetime) -> None:
        self.failed_logins = 0
        self.locked_until = None
        self.last_login_at = now
        self.updated_at = now

    def unlock(self, now: datetime) -> None:
        self.failed_logins = 0
        self.locked_until = None
        self.updated_at = now

    # --- credentials -----------------------------------------------------------------

    def set_password(self, password_hash: str, now: datetime) -> None:
        self.password_hash = password_hash
        self.password_changed_at = now
        self.failed_logins = 0
        self.locked_until = None
        self.updated_at = now

    def accept_invitation(self, password_hash: str, now: datetime) -> Result[None, DomainError]:
        if self.status is not UserStatus.INVITED:
            return Failure(conflict("user.not_invited", "This account has already been set up."))
        self.set_password(password_hash, now)
        self.email_verified_at = now  # the link reached the mailbox
        self.status = UserStatus.ACTIVE
        return Success(None)

    def verify_email(self, now: datetime) -> None:
        self.email_verified_at = self.email_verified_at or now
        if self.status is UserStatus.PENDING_VERIFICATION:
            self.status = UserStatus.ACTIVE
        self.updated_at = now

    # --- MFA -------------------------------------------------------------------------

    def start_totp_enrolment(self, sealed_secret: str, now: datetime) -> Result[None, DomainError]:
        if self.mfa_enabled:
            return Failure(conflict("mfa.already_enabled", "Two-factor authentication is already on."))
        self.totp = TotpState(sealed_secret=sealed_secret)
        self.updated_at = now
        return Success(None)

    def confirm_totp(self, step: int, recovery_code_hashes: tuple[str, ...], now: datetime) -> None:
        assert self.totp is not None
        self.totp.confirmed_at = now
        self.totp.last_used_step = step
        self.recovery_code_hashes = recovery_code_hashes
        self.updated_at = now

    def accept_totp_step(self, step: int, now: datetime) -> bool:
        """A TOTP code is usable once: refuse a step at or before the last one used."""
        assert self.totp is not None
        if self.totp.last_used_step is not None and step <= self.totp.last_used_step:
            return False
        self.totp.last_used_step = step
        self.updated_at = now
        return True

    def use_recovery_code(self, code_hash: str, now: datetime) -> bool:
        if code_hash not in self.recovery_code_hashes:
            return False
        self.recovery_code_hashes = tuple(h for h in self.recovery_code_hashes if h != code_hash)
        self.updated_at = now
        return True

    # --- administration --------------------------------------------------------------

    def update_profile(self, *, given_name: str | None, family_name: str | None, now: datetime) -> None:
        if given_name is not None:
            self.given_name = given_name
        if family_name is not None:
            self.family_name = family_name
        self.updated_at = now

    def change_role(self, role: Role, now: datetime) -> None:
        self.role = role
        self.updated_at = now

    def deactivate(self, now: datetime) -> Result[None, DomainError]:
        if self.status is UserStatus.DEACTIVATED:
            return Failure(conflict("user.already_deactivated", "This account is already deactivated."))
        self.status = UserStatus.DEACTIVATED
        self.updated_at = now
        return Success(None)
