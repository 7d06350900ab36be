"""VerifyEmail: confirm an address with the link sent at registration."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import RequestMeta, anonymous_entry
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.action_token import (
    INVALID_TOKEN,
    TokenPurpose,
)
from medcore.domain.identity.organization import OrganizationSlug
from medcore.domain.identity.secrets import digest
from medcore.domain.shared.errors import (
    DomainError,
)
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class VerifyEmailCommand:
    organization: str
    token: str
    meta: RequestMeta


class VerifyEmail:
    """Confirm an email address with the link sent at registration; the account becomes active."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: VerifyEmailCommand) -> Result[None, DomainError]:
        slug = OrganizationSlug.parse(command.organization, field="organization")
        if isinstance(slug, Failure):
            return Failure(INVALID_TOKEN)
        async with self._uow() as uow:
            organization = await uow.organizations.by_slug(slug.unwrap())
            if organization is None:
                return Failure(INVALID_TOKEN)
            token = await uow.action_tokens.by_hash(organization.id, digest(command.token), lock=True)
            if token is None or token.purpose is not TokenPurpose.EMAIL_VERIFICATION:
                return Failure(INVALID_TOKEN)
            now = self._clock.now()
            user = await uow.users.get(organization.id, token.user_id, lock=True)
            if user is None or isinstance(token.consume(now), Failure):
                return Failure(INVALID_TOKEN)
            user.verify_email(now)
            await uow.action_tokens.save(token)
            await uow.users.save(user)
            await uow.audit.record(
                anonymous_entry(
                    organization.id,
                    "auth.email_verify",
                    command.meta,
                    outcome=Outcome.SUCCESS,
                    actor_id=user.id,
                    resource_type="user",
                    resource_id=user.id,
                )
            )
            await uow.commit()
            return Success(None)
