"""ListApiKeys: the organization's keys (never their secrets)."""

from __future__ import annotations

from returns.result import Failure, Result

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.api_key import ApiKey
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page
from medcore.domain.shared.ports import Clock


class ListApiKeys:
    """Filter ``active=true|false``."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[ApiKey], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.API_KEYS_READ,
                action="api_key.list",
                resource_type="api_key",
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            return await uow.api_keys.list(actor.organization_id, query, self._clock.now())
