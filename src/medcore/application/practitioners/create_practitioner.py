"""CreatePractitioner: add a practitioner to the organization's directory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.practitioners.access import check_link
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.changes import UNCHANGED
from medcore.domain.practitioners.practitioner import Practitioner, PractitionerChanges
from medcore.domain.practitioners.schedule import WeeklySchedule
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePractitionerCommand:
    given_name: str
    family_name: str
    time_zone: str
    user_id: UUID | None = None
    specialties: Sequence[str] = ()
    licence_number: str | None = None
    licence_expires_on: date | None = None
    can_prescribe: bool = False
    controlled_substances: bool = False
    buffer_minutes: int = 0
    daily_capacity: int | None = None
    working_hours: Sequence[tuple[int, str, str]] | None = None  # (ISO weekday, "09:00", "12:30")


class CreatePractitioner:
    """Names and an IANA time zone are required. ``user_id`` links the account of a
    practitioner or nurse of the organization (one practitioner per account), who may then
    manage their own working hours and time off. Prescribing needs a licence number, and a
    controlled-substance authorisation needs prescribing. Working hours may be given now or
    set later (``PUT .../working-hours``)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: CreatePractitionerCommand) -> Result[Practitioner, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.PRACTITIONERS_WRITE, action="practitioner.create", resource_type="practitioner"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            schedule = WeeklySchedule()
            if command.working_hours is not None:
                built = WeeklySchedule.build(command.working_hours, field="working_hours")
                if isinstance(built, Failure):
                    return Failure(built.failure())
                schedule = built.unwrap()
            created = Practitioner.create(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                changes=PractitionerChanges(
                    given_name=command.given_name,
                    family_name=command.family_name,
                    time_zone=command.time_zone,
                    user_id=command.user_id if command.user_id is not None else UNCHANGED,
                    specialties=command.specialties,
                    licence_number=command.licence_number,
                    licence_expires_on=command.licence_expires_on,
                    can_prescribe=command.can_prescribe,
                    controlled_substances=command.controlled_substances,
                    buffer_minutes=command.buffer_minutes,
                    daily_capacity=command.daily_capacity,
                ),
                working_hours=schedule,
                now=self._clock.now(),
            )
            if isinstance(created, Failure):
                return Failure(created.failure())
            practitioner = created.unwrap()
            if practitioner.user_id is not None:
                linkable = await check_link(uow, actor.organization_id, practitioner.user_id, None)
                if isinstance(linkable, Failure):
                    return Failure(linkable.failure())
            await uow.practitioners.add(practitioner)
            await uow.audit.record(
                actor.audit(
                    "practitioner.create",
                    resource_type="practitioner",
                    resource_id=practitioner.id,
                    details={
                        "user_id": str(practitioner.user_id) if practitioner.user_id else None,
                        "specialties": ",".join(practitioner.specialties),
                        "can_prescribe": practitioner.can_prescribe,
                        "controlled_substances": practitioner.controlled_substances,
                        "working_hours": len(practitioner.working_hours.hours),
                    },
                )
            )
            await uow.commit()
            return Success(practitioner)
