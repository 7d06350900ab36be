"""ListRooms: the organization's rooms and equipment."""

from __future__ import annotations

from returns.result import Failure, Result

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.resources import Room
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListRooms:
    """Filters ``kind`` (room, equipment) and ``active``; sorted by name by default."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[Room], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(uow, actor, Permission.RESOURCES_READ, action="room.list", resource_type="room")
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            return await uow.rooms.list(actor.organization_id, query)
