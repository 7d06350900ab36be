"""CreateUser: an administrator adds a staff member or patient account."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.identity import emails
from medcore.application.identity.config import IdentityConfig
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.action_token import ActionToken, TokenPurpose
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.password import PasswordPolicy
from medcore.domain.identity.permissions import Permission, Role, grantable_roles
from medcore.domain.identity.ports import (
    EmailSender,
    OutgoingEmail,
    PasswordHasher,
    SecretGenerator,
)
from medcore.domain.identity.secrets import digest
from medcore.domain.identity.user import User, UserStatus
from medcore.domain.shared.errors import DomainError, FieldIssue, conflict, invalid
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True)
class CreateUserCommand:
    email: str
    role: Role
    given_name: str
    family_name: str
    password: str | None = None


def check_grant(actor: Actor, role: Role, field: str = "role") -> Result[None, DomainError]:
    """Only owners make owners; API keys act as administrators."""
    granter = actor.role or Role.ADMIN
    if role not in grantable_roles(granter):
        return Failure(
            invalid(
                "user.role_not_grantable",
                "You cannot give this role.",
                FieldIssue(field, f"You cannot give the role '{role.value}'."),
            )
        )
    return Success(None)


class CreateUser:
    """With a password the account can sign in at once; without one, the person receives an
    invitation email with a link to choose it (valid 7 days)."""

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

    async def execute(self, actor: Actor, command: CreateUserCommand) -> Result[User, DomainError]:
        message: OutgoingEmail | None = None
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.USERS_WRITE,
                action="user.create",
                resource_type="user",
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            grant = check_grant(actor, command.role)
            parsed_email = EmailAddress.parse(command.email)
            given_name = User.check_name(command.given_name, "given_name")
            family_name = User.check_name(command.family_name, "family_name")
            issues = [
                issue
                for check in (grant, parsed_email, given_name, family_name)
                if isinstance(check, Failure)
                for issue in check.failure().fields
            ]
            if issues:
                return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
            email = parsed_email.unwrap()
            if command.password is not None:
                strong = self._policy.check(command.password, email)
                if isinstance(strong, Failure):
                    return Failure(strong.failure())
            if await uow.users.email_taken(actor.organization_id, email):
                return Failure(conflict("user.email_taken", "An account with this email already exists."))
            organization = await uow.organizations.get(actor.organization_id)
            assert organization is not None
            now = self._clock.now()
            user = User(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                email=email,
                given_name=given_name.unwrap(),
                family_name=family_name.unwrap(),
                role=command.role,
                status=UserStatus.ACTIVE if command.password else UserStatus.INVITED,
                password_hash=self._hasher.hash(command.password) if command.password else None,
                password_changed_at=now if command.password else None,
                created_at=now,
                updated_at=now,
            )
            await uow.users.add(user)
            if command.password is None:
                secret = self._secrets.token()
                await uow.action_tokens.add(
                    ActionToken.issue(
                        id=self._ids.new_id(),
                        organization_id=organization.id,
                        user_id=user.id,
                        purpose=TokenPurpose.INVITATION,
                        token_hash=digest(secret),
                        now=now,
                    )
                )
                message = emails.invitation(
                    self._config,
                    str(email),
                    organization.name,
                    str(organization.slug),
                    secret,
                )
            await uow.audit.record(
                actor.audit(
                    "user.create",
                    resource_type="user",
                    resource_id=user.id,
                    details={
                        "role": user.role.value,
                        "invited": command.password is None,
                    },
                )
            )
            await uow.commit()
        if message is not None:
            await self._mailer.send(message)
        return Success(user)
