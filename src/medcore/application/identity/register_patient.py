"""RegisterPatient: a patient creates their own account, where the organization allows it."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.identity import emails
from medcore.application.identity.config import IdentityConfig
from medcore.application.shared.actor import RequestMeta, anonymous_entry
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.action_token import ActionToken, TokenPurpose
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.organization import OrganizationSlug
from medcore.domain.identity.password import PasswordPolicy
from medcore.domain.identity.permissions import Role
from medcore.domain.identity.ports import (
    EmailSender,
    OutgoingEmail,
    PasswordHasher,
    SecretGenerator,
)
from medcore.domain.identity.secrets import digest
from medcore.domain.identity.user import User, UserStatus
from medcore.domain.shared.errors import DomainError, forbidden
from medcore.domain.shared.ports import Clock, IdGenerator

REGISTRATION_CLOSED = forbidden("auth.registration_closed", "Self-registration is not open for this organization.")


@dataclass(frozen=True, slots=True)
class RegisterPatientCommand:
    organization: str
    email: str
    password: str
    given_name: str
    family_name: str
    meta: RequestMeta


class RegisterPatient:
    """Create a patient account that must confirm its email before signing in.

    The answer does not say whether the email already had an account: the owner of that
    address gets an email instead."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        hasher: PasswordHasher,
        policy: PasswordPolicy,
        secrets: SecretGenerator,
        mailer: EmailSender,
        config: IdentityConfig,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._hasher = hasher
        self._policy = policy
        self._secrets = secrets
        self._mailer = mailer
        self._config = config

    async def execute(self, command: RegisterPatientCommand) -> Result[None, DomainError]:
        slug = OrganizationSlug.parse(command.organization, field="organization")
        if isinstance(slug, Failure):
            return Failure(REGISTRATION_CLOSED)
        email_result = EmailAddress.parse(command.email)
        if isinstance(email_result, Failure):
            return Failure(email_result.failure())
        email = email_result.unwrap()
        given = User.check_name(command.given_name, "given_name")
        family = User.check_name(command.family_name, "family_name")
        for checked in (given, family):
            if isinstance(checked, Failure):
                return Failure(checked.failure())
        policy_check = self._policy.check(command.password, email)
        if isinstance(policy_check, Failure):
            return Failure(policy_check.failure())
        message: OutgoingEmail
        async with self._uow() as uow:
            organization = await uow.organizations.by_slug(slug.unwrap())
            if organization is None or not organization.settings.self_registration:
                return Failure(REGISTRATION_CLOSED)
            now = self._clock.now()
            if await uow.users.email_taken(organization.id, email):
                self._hasher.burn()
                await uow.audit.record(
                    anonymous_entry(
                        organization.id,
                        "auth.register",
                        command.meta,
                        outcome=Outcome.FAILURE,
                        details={"reason": "email_taken"},
                    )
                )
                await uow.commit()
                message = emails.already_registered(self._config, str(email), str(organization.slug))
            else:
                user = User(
                    id=self._ids.new_id(),
                    organization_id=organization.id,
                    email=email,
                    given_name=given.unwrap(),
                    family_name=family.unwrap(),
                    role=Role.PATIENT,
                    status=UserStatus.PENDING_VERIFICATION,
                    password_hash=self._hasher.hash(command.password),
                    password_changed_at=now,
                    created_at=now,
                    updated_at=now,
                )
                await uow.users.add(user)
                secret = self._secrets.token()
                await uow.action_tokens.add(
                    ActionToken.issue(
                        id=self._ids.new_id(),
                        organization_id=organization.id,
                        user_id=user.id,
                        purpose=TokenPurpose.EMAIL_VERIFICATION,
                        token_hash=digest(secret),
                        now=now,
                    )
                )
                await uow.audit.record(
                    anonymous_entry(
                        organization.id,
                        "auth.register",
                        command.meta,
                        outcome=Outcome.SUCCESS,
                        actor_id=user.id,
                        resource_type="user",
                        resource_id=user.id,
                    )
                )
                await uow.commit()
                message = emails.email_verification(self._config, str(email), str(organization.slug), secret)
        await self._mailer.send(message)
        return Success(None)
