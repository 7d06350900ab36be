"""AddTimeOff: record a stretch of time a practitioner does not work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.practitioners.access import practitioner_for
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.schedule import TimeOff
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import IdGenerator


@dataclass(frozen=True, slots=True)
class AddTimeOffCommand:
    practitioner_id: UUID
    starts_at: datetime
    ends_at: datetime
    reason: str | None = None


class AddTimeOff:
    """``[starts_at, ends_at)``, aware instants; the practitioner cannot be booked then.
    Stretches may overlap (a course during a holiday). Needs ``practitioners:write``, or
    being the person linked to the practitioner. Appointments already booked in that time
    are not cancelled: the practice reschedules them."""

    def __init__(self, uow: UnitOfWorkFactory, ids: IdGenerator) -> None:
        self._uow = uow
        self._ids = ids

    async def execute(self, actor: Actor, command: AddTimeOffCommand) -> Result[TimeOff, DomainError]:
        async with self._uow() as uow:
            found = await practitioner_for(
                uow,
                actor,
                command.practitioner_id,
                staff=actor.can(Permission.PRACTITIONERS_WRITE),
                action="time_off.add",
            )
            if isinstance(found, Failure):
                return Failure(found.failure())
            recorded = TimeOff.record(
                id=self._ids.new_id(),
                practitioner_id=command.practitioner_id,
                starts_at=command.starts_at,
                ends_at=command.ends_at,
                reason=command.reason,
            )
            if isinstance(recorded, Failure):
                return Failure(recorded.failure())
            time_off = recorded.unwrap()
            await uow.time_off.add(actor.organization_id, time_off)
            await uow.audit.record(
                actor.audit(
                    "time_off.add",
                    resource_type="time_off",
                    resource_id=time_off.id,
                    details={"practitioner_id": str(time_off.practitioner_id)},
                )
            )
            await uow.commit()
            return Success(time_off)
