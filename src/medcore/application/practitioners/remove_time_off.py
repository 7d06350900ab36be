"""RemoveTimeOff: take back a stretch of time off."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.practitioners.access import practitioner_for
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found


@dataclass(frozen=True, slots=True)
class RemoveTimeOffCommand:
    practitioner_id: UUID
    time_off_id: UUID


class RemoveTimeOff:
    """The practitioner is bookable again in that time (within working hours). Needs
    ``practitioners:write``, or being the person linked to the practitioner."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, command: RemoveTimeOffCommand) -> Result[None, DomainError]:
        async with self._uow() as uow:
            found = await practitioner_for(
                uow,
                actor,
                command.practitioner_id,
                staff=actor.can(Permission.PRACTITIONERS_WRITE),
                action="time_off.remove",
            )
            if isinstance(found, Failure):
                return Failure(found.failure())
            time_off = await uow.time_off.get(actor.organization_id, command.time_off_id)
            if time_off is None or time_off.practitioner_id != command.practitioner_id:
                return Failure(not_found("time_off"))
            if not await uow.time_off.delete(actor.organization_id, time_off.id):
                return Failure(not_found("time_off"))
            await uow.audit.record(
                actor.audit(
                    "time_off.remove",
                    resource_type="time_off",
                    resource_id=time_off.id,
                    details={"practitioner_id": str(time_off.practitioner_id)},
                )
            )
            await uow.commit()
            return Success(None)
