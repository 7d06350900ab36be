"""ListHolidays: the organization's closed days."""

from __future__ import annotations

from returns.result import Failure, Result

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.schedule import Holiday
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListHolidays:
    """Filters ``from`` and ``to`` (dates, both included); sorted by day."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[Holiday], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.RESOURCES_READ, action="holiday.list", resource_type="holiday"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            return await uow.holidays.list(actor.organization_id, query)
