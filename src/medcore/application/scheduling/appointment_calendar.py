"""GetAppointmentCalendar: what an appointment's .ics file shows."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.scheduling.access import appointment_scope, visible_appointment
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.scheduling.appointment import Appointment
from medcore.domain.shared.errors import DomainError, not_found


@dataclass(frozen=True, slots=True)
class AppointmentCalendarEntry:
    appointment: Appointment
    practitioner: Practitioner
    organization_name: str


class GetAppointmentCalendar:
    """The appointment, its practitioner and organization: enough for a calendar entry,
    which never carries the reason or other clinical details."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, appointment_id: UUID) -> Result[AppointmentCalendarEntry, DomainError]:
        async with self._uow() as uow:
            scope = await appointment_scope(
                uow, actor, Permission.APPOINTMENTS_READ, action="appointment.read", resource_id=appointment_id
            )
            if isinstance(scope, Failure):
                return Failure(scope.failure())
            found = await visible_appointment(uow, actor, scope.unwrap(), appointment_id)
            if isinstance(found, Failure):
                return Failure(found.failure())
            appointment = found.unwrap()
            practitioner = await uow.practitioners.get(actor.organization_id, appointment.practitioner_id)
            organization = await uow.organizations.get(actor.organization_id)
            if practitioner is None or organization is None:
                return Failure(not_found("appointment"))
            await uow.audit.record(
                actor.audit(
                    "appointment.read",
                    resource_type="appointment",
                    resource_id=appointment.id,
                    patient_id=appointment.patient_id,
                    details={"format": "ics"},
                )
            )
            await uow.commit()
            return Success(AppointmentCalendarEntry(appointment, practitioner, organization.name))
