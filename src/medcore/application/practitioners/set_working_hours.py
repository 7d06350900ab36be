"""SetWorkingHours: replace a practitioner's weekly hours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.practitioners.access import practitioner_for
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.practitioners.schedule import WeeklySchedule
from medcore.domain.shared.errors import DomainError, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class SetWorkingHoursCommand:
    practitioner_id: UUID
    rules: Sequence[tuple[int, str, str]]  # (ISO weekday, "09:00", "12:30"), local wall time
    expected_version: int | None = None


class SetWorkingHours:
    """The rules replace all current hours: several intervals per weekday are allowed, not
    overlapping; times are local wall times in the practitioner's time zone (``24:00`` ends
    a day), so 09:00 stays 09:00 across daylight-saving changes. An empty list means the
    practitioner has no bookable hours. Needs ``practitioners:write``, or being the person
    linked to the practitioner. Existing appointments are not moved."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: SetWorkingHoursCommand) -> Result[Practitioner, DomainError]:
        async with self._uow() as uow:
            found = await practitioner_for(
                uow,
                actor,
                command.practitioner_id,
                staff=actor.can(Permission.PRACTITIONERS_WRITE),
                action="working_hours.set",
                lock=True,
            )
            if isinstance(found, Failure):
                return Failure(found.failure())
            practitioner = found.unwrap()
            if command.expected_version is not None and command.expected_version != practitioner.version:
                return Failure(version_mismatch("practitioner"))
            schedule = WeeklySchedule.build(command.rules)
            if isinstance(schedule, Failure):
                return Failure(schedule.failure())
            if not practitioner.set_working_hours(schedule.unwrap(), self._clock.now()):
                return Success(practitioner)
            if not await uow.practitioners.save(practitioner):
                return Failure(version_mismatch("practitioner"))
            await uow.audit.record(
                actor.audit(
                    "working_hours.set",
                    resource_type="practitioner",
                    resource_id=practitioner.id,
                    details={"rules": len(practitioner.working_hours.hours)},
                )
            )
            await uow.commit()
            return Success(practitioner)
