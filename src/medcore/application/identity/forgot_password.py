"""ForgotPassword: request a reset link by email."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Result, Success

from medcore.application.identity import emails
from medcore.application.identity.config import IdentityConfig
from medcore.application.shared.actor import RequestMeta, anonymous_entry
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.action_token import (
    ActionToken,
    TokenPurpose,
)
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.organization import OrganizationSlug
from medcore.domain.identity.ports import (
    EmailSender,
    OutgoingEmail,
    SecretGenerator,
)
from medcore.domain.identity.secrets import digest
from medcore.domain.identity.user import UserStatus
from medcore.domain.shared.errors import (
    DomainError,
)
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True)
class ForgotPasswordCommand:
    organization: str
    email: str
    meta: RequestMeta


class ForgotPassword:
    """Send a reset link if the account exists. The answer is the same either way."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        secrets: SecretGenerator,
        mailer: EmailSender,
        config: IdentityConfig,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._secrets = secrets
        self._mailer = mailer
        self._config = config

    async def execute(self, command: ForgotPasswordCommand) -> Result[None, DomainError]:
        slug = OrganizationSlug.parse(command.organization)
        email = EmailAddress.parse(command.email)
        if not (isinstance(slug, Success) and isinstance(email, Success)):
            return Success(None)
        message: OutgoingEmail | None = None
        async with self._uow() as uow:
            organization = await uow.organizations.by_slug(slug.unwrap())
            if organization is None:
                return Success(None)
            user = await uow.users.by_email(organization.id, email.unwrap())
            now = self._clock.now()
            if user is None or user.status is UserStatus.DEACTIVATED:
                await uow.audit.record(
                    anonymous_entry(
                        organization.id,
                        "auth.password_reset_request",
                        command.meta,
                        outcome=Outcome.FAILURE,
                        details={"reason": "unknown_account"},
                    )
                )
                await uow.commit()
                return Success(None)
            purpose = TokenPurpose.INVITATION if user.status is UserStatus.INVITED else TokenPurpose.PASSWORD_RESET
            await uow.action_tokens.invalidate_for_user(organization.id, user.id, purpose, now)
            secret = self._secrets.token()
            await uow.action_tokens.add(
                ActionToken.issue(
                    id=self._ids.new_id(),
                    organization_id=organization.id,
                    user_id=user.id,
                    purpose=purpose,
                    token_hash=digest(secret),
                    now=now,
                )
            )
            await uow.audit.record(
                anonymous_entry(
                    organization.id,
                    "auth.password_reset_request",
                    command.meta,
                    outcome=Outcome.SUCCESS,
                    actor_id=user.id,
                    resource_type="user",
                    resource_id=user.id,
                )
            )
            await uow.commit()
            if purpose is TokenPurpose.INVITATION:
                message = emails.invitation(
                    self._config,
                    str(user.email),
                    organization.name,
                    str(organization.slug),
                    secret,
                )
            else:
                message = emails.password_reset(self._config, str(user.email), str(organization.slug), secret)
        await self._mailer.send(message)
        return Success(None)
