"""CreateRoom: a room or piece of equipment appointments may occupy."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.resources import Room, RoomKind
from medcore.domain.shared.errors import DomainError, conflict
from medcore.domain.shared.ports import Clock, IdGenerator

ROOM_NAME_TAKEN = conflict("room.name_taken", "A room with this name exists.")


@dataclass(frozen=True, slots=True)
class CreateRoomCommand:
    name: str
    kind: RoomKind = RoomKind.ROOM


class CreateRoom:
    """Names are unique in the organization, regardless of case. A room (or equipment)
    given to an appointment is never booked twice at once. Needs ``resources:write``."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: CreateRoomCommand) -> Result[Room, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.RESOURCES_WRITE, action="room.create", resource_type="room"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            created = Room.create(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                name=command.name,
                kind=command.kind,
                now=self._clock.now(),
            )
            if isinstance(created, Failure):
                return Failure(created.failure())
            room = created.unwrap()
            if await uow.rooms.by_name(actor.organization_id, room.name) is not None:
                return Failure(ROOM_NAME_TAKEN)
            await uow.rooms.add(room)
            await uow.audit.record(
                actor.audit("room.create", resource_type="room", resource_id=room.id, details={"kind": room.kind.value})
            )
            await uow.commit()
            return Success(room)
