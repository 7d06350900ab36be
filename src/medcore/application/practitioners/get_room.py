"""GetRoom: one room or piece of equipment."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.resources import Room
from medcore.domain.shared.errors import DomainError, not_found


class GetRoom:
    """Needs ``resources:read``."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, room_id: UUID) -> Result[Room, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.RESOURCES_READ, action="room.read", resource_type="room", resource_id=room_id
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            room = await uow.rooms.get(actor.organization_id, room_id)
            if room is None:
                return Failure(not_found("room"))
            return Success(room)
