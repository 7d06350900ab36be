"""Login: the password step of signing in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from returns.result import Failure, Result, Success

from medcore.application.identity.config import IdentityConfig
from medcore.application.identity.tokens import (
    MfaRequired,
    TokenPair,
    new_refresh_token,
    token_pair,
)
from medcore.application.shared.actor import RequestMeta, anonymous_entry
from medcore.application.shared.unit_of_work import UnitOfWork, UnitOfWorkFactory
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.organization import Organization, OrganizationSlug
from medcore.domain.identity.ports import (
    MfaChallenge,
    PasswordHasher,
    SecretGenerator,
    TokenSigner,
)
from medcore.domain.identity.session import Session
from medcore.domain.identity.user import INVALID_CREDENTIALS, LockoutPolicy, User
from medcore.domain.shared.errors import DomainError, ErrorKind
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True)
class LoginCommand:
    organization: str
    email: str
    password: str
    meta: RequestMeta


def lockout_policy(organization: Organization) -> LockoutPolicy:
    return LockoutPolicy(
        threshold=organization.settings.lockout_threshold,
        duration=timedelta(minutes=organization.settings.lockout_minutes),
    )


async def record_failed_attempt(
    uow: UnitOfWork,
    organization: Organization,
    user: User,
    action: str,
    meta: RequestMeta,
    now: datetime,
) -> DomainError:
    """Count a failed password or MFA step, audit it, and say what to answer."""
    locked = user.record_failed_login(now, lockout_policy(organization))
    await uow.users.save(user)
    await uow.audit.record(
        anonymous_entry(
            organization.id,
            action,
            meta,
            outcome=Outcome.FAILURE,
            actor_id=user.id,
            resource_type="user",
            resource_id=user.id,
            details={
                "reason": "bad_credentials",
                "failed_attempts": user.failed_logins,
            },
        )
    )
    if locked:
        await uow.audit.record(
            anonymous_entry(
                organization.id,
                "auth.lockout",
                meta,
                outcome=Outcome.SUCCESS,
                actor_id=user.id,
                resource_type="user",
                resource_id=user.id,
                details={"minutes": organization.settings.lockout_minutes},
            )
        )
        gate = user.check_can_sign_in(now)
        assert isinstance(gate, Failure)
        locked_error: DomainError = gate.failure()
        return locked_error
    return INVALID_CREDENTIALS


class Login:
    """Check an organization, email and password.

    Answers a token pair, or an MFA challenge when the account has two-factor authentication.
    Unknown organizations, unknown emails and wrong passwords get the same answer in about
    the same time; five consecutive failures (per organization settings) lock the account.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        hasher: PasswordHasher,
        signer: TokenSigner,
        secrets: SecretGenerator,
        config: IdentityConfig,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._hasher = hasher
        self._signer = signer
        self._secrets = secrets
        self._config = config

    async def execute(self, command: LoginCommand) -> Result[TokenPair | MfaRequired, DomainError]:
        slug = OrganizationSlug.parse(command.organization)
        email = EmailAddress.parse(command.email)
        if not (isinstance(slug, Success) and isinstance(email, Success)):
            self._hasher.burn()
            return Failure(INVALID_CREDENTIALS)
        async with self._uow() as uow:
            organization = await uow.organizations.by_slug(slug.unwrap())
            if organization is None:
                self._hasher.burn()
                return Failure(INVALID_CREDENTIALS)
            user = await uow.users.by_email(organization.id, email.unwrap(), lock=True)
            now = self._clock.now()
            if user is None:
                self._hasher.burn()
                await uow.audit.record(
                    anonymous_entry(
                        organization.id,
                        "auth.login",
                        command.meta,
                        outcome=Outcome.FAILURE,
                        details={"reason": "unknown_account"},
                    )
                )
                await uow.commit()
                return Failure(INVALID_CREDENTIALS)
            gate = user.check_can_sign_in(now)
            if isinstance(gate, Failure):
                error = gate.failure()
                if error.kind is not ErrorKind.LOCKED:
                    self._hasher.burn()
                await uow.audit.record(
                    anonymous_entry(
                        organization.id,
                        "auth.login",
                        command.meta,
                        outcome=Outcome.FAILURE,
                        actor_id=user.id,
                        resource_type="user",
                        resource_id=user.id,
                        details={"reason": "locked" if error.kind is ErrorKind.LOCKED else "inactive"},
                    )
                )
                await uow.commit()
                return Failure(error)
            assert user.password_hash is not None
            if not self._hasher.verify(user.password_hash, command.password):
                error = await record_failed_attempt(uow, organization, user, "auth.login", command.meta, now)
                await uow.commit()
                return Failure(error)
            if self._hasher.needs_rehash(user.password_hash):
                user.password_hash = self._hasher.hash(command.password)
            if user.mfa_enabled:
                await uow.users.save(user)
                await uow.audit.record(
                    anonymous_entry(
                        organization.id,
                        "auth.login",
                        command.meta,
                        outcome=Outcome.SUCCESS,
                        actor_id=user.id,
                        resource_type="user",
                        resource_id=user.id,
                        details={"stage": "mfa_required"},
                    )
                )
                await uow.commit()
                expires_at = now + self._config.mfa_challenge_ttl
                challenge = self._signer.issue_mfa_challenge(
                    MfaChallenge(
                        organization_id=organization.id,
                        user_id=user.id,
                        expires_at=expires_at,
                    ),
                    now,
                )
                return Success(MfaRequired(challenge, int(self._config.mfa_challenge_ttl.total_seconds())))
            pair = await open_session(
                uow,
                user,
                now,
                mfa_verified=False,
                meta=command.meta,
                ids=self._ids,
                secrets=self._secrets,
                signer=self._signer,
                config=self._config,
                mfa_enrollment_required=organization.requires_mfa(user.role),
            )
            await uow.commit()
            return Success(pair)


async def open_session(
    uow: UnitOfWork,
    user: User,
    now: datetime,
    *,
    mfa_verified: bool,
    meta: RequestMeta,
    ids: IdGenerator,
    secrets: SecretGenerator,
    signer: TokenSigner,
    config: IdentityConfig,
    mfa_enrollment_required: bool = False,
) -> TokenPair:
    """Finish a sign-in: reset the failure count, open a session, audit, issue tokens."""
    user.record_successful_login(now)
    await uow.users.save(user)
    refresh = new_refresh_token(secrets)
    session = Session.open(
        id=ids.new_id(),
        organization_id=user.organization_id,
        user_id=user.id,
        refresh_token_hash=refresh.digest,
        now=now,
        mfa_verified=mfa_verified,
        ip=meta.ip,
        user_agent=meta.user_agent,
    )
    await uow.sessions.add(session)
    await uow.audit.record(
        anonymous_entry(
            user.organization_id,
            "auth.login",
            meta,
            outcome=Outcome.SUCCESS,
            actor_id=user.id,
            resource_type="session",
            resource_id=session.id,
            details={"mfa": mfa_verified},
        )
    )
    return token_pair(
        session,
        refresh.secret,
        signer,
        config,
        now,
        mfa_enrollment_required=mfa_enrollment_required and not user.mfa_enabled,
    )
