"""CreateHoliday: a day the whole organization is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.schedule import Holiday
from medcore.domain.shared.errors import DomainError, conflict
from medcore.domain.shared.ports import IdGenerator

DAY_TAKEN = conflict("holiday.day_taken", "This day is already a holiday.")


@dataclass(frozen=True, slots=True)
class CreateHolidayCommand:
    day: date
    name: str


class CreateHoliday:
    """Nobody can be booked that day: the whole local day in each practitioner's own time
    zone. One holiday per day. Needs ``resources:write``; appointments already booked that
    day stay."""

    def __init__(self, uow: UnitOfWorkFactory, ids: IdGenerator) -> None:
        self._uow = uow
        self._ids = ids

    async def execute(self, actor: Actor, command: CreateHolidayCommand) -> Result[Holiday, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.RESOURCES_WRITE, action="holiday.create", resource_type="holiday"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            declared = Holiday.declare(id=self._ids.new_id(), day=command.day, name=command.name)
            if isinstance(declared, Failure):
                return Failure(declared.failure())
            holiday = declared.unwrap()
            if await uow.holidays.on(actor.organization_id, holiday.day) is not None:
                return Failure(DAY_TAKEN)
            await uow.holidays.add(actor.organization_id, holiday)
            await uow.audit.record(actor.audit("holiday.create", resource_type="holiday", resource_id=holiday.id))
            await uow.commit()
            return Success(holiday)
