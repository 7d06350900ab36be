"""UpdateRoom: rename a room, change its kind, or take it out of use."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.practitioners.create_room import ROOM_NAME_TAKEN
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.changes import UNCHANGED, Change
from medcore.domain.practitioners.resources import Room, RoomKind
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateRoomCommand:
    room_id: UUID
    name: Change[str] = UNCHANGED
    kind: Change[RoomKind] = UNCHANGED
    active: Change[bool] = UNCHANGED
    expected_version: int | None = None


class UpdateRoom:
    """Merge semantics; ``If-Match`` makes the change conditional. An inactive room cannot
    be given to new appointments; those already booked keep it. Needs ``resources:write``."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: UpdateRoomCommand) -> Result[Room, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.RESOURCES_WRITE,
                action="room.update",
                resource_type="room",
                resource_id=command.room_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            room = await uow.rooms.get(actor.organization_id, command.room_id, lock=True)
            if room is None:
                return Failure(not_found("room"))
            if command.expected_version is not None and command.expected_version != room.version:
                return Failure(version_mismatch("room"))
            changed = room.update(name=command.name, kind=command.kind, active=command.active, now=self._clock.now())
            if isinstance(changed, Failure):
                return Failure(changed.failure())
            fields = changed.unwrap()
            if not fields:
                return Success(room)
            if "name" in fields:
                same_name = await uow.rooms.by_name(actor.organization_id, room.name)
                if same_name is not None and same_name.id != room.id:
                    return Failure(ROOM_NAME_TAKEN)
            if not await uow.rooms.save(room):
                return Failure(version_mismatch("room"))
            await uow.audit.record(
                actor.audit(
                    "room.update",
                    resource_type="room",
                    resource_id=room.id,
                    details={"fields": ",".join(sorted(fields))},
                )
            )
            await uow.commit()
            return Success(room)
