"""GetCurrentUser: who am I, in which organization, with which permissions."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.api_key import ApiKey
from medcore.domain.identity.organization import Organization
from medcore.domain.identity.user import User
from medcore.domain.shared.errors import DomainError, not_found


@dataclass(frozen=True, slots=True)
class CurrentPrincipal:
    organization: Organization
    actor: Actor
    user: User | None
    api_key: ApiKey | None


class GetCurrentUser:
    """The caller's account (or API key), organization and effective permissions."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor) -> Result[CurrentPrincipal, DomainError]:
        async with self._uow() as uow:
            organization = await uow.organizations.get(actor.organization_id)
            if organization is None:
                return Failure(not_found("organization"))
            user = await uow.users.get(actor.organization_id, actor.id) if actor.user_id else None
            key = None if actor.user_id else await uow.api_keys.get(actor.organization_id, actor.id)
            return Success(CurrentPrincipal(organization=organization, actor=actor, user=user, api_key=key))
