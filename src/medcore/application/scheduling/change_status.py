"""ChangeAppointmentStatus: confirm, check in, start, complete, mark as no-show."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.scheduling.access import appointment_scope, visible_appointment
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.scheduling.appointment import Appointment, AppointmentStatus
from medcore.domain.shared.errors import DomainError, forbidden, version_mismatch
from medcore.domain.shared.ports import Clock

# What the front desk and clinicians do; a patient may only confirm their own request.
PATIENT_MAY = frozenset({AppointmentStatus.CONFIRMED})


@dataclass(frozen=True, slots=True)
class ChangeStatusCommand:
    appointment_id: UUID
    target: AppointmentStatus
    expected_version: int | None = None


class ChangeAppointmentStatus:
    """Moves along the status machine (requested -> confirmed -> checked_in -> in_progress
    -> completed, or no_show from confirmed); anything else is 409
    ``appointment.invalid_transition``. Cancelling has its own operation."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: ChangeStatusCommand) -> Result[Appointment, DomainError]:
        action = f"appointment.{command.target.value}"
        async with self._uow() as uow:
            scope_result = await appointment_scope(
                uow, actor, Permission.APPOINTMENTS_WRITE, action=action, resource_id=command.appointment_id
            )
            if isinstance(scope_result, Failure):
                return Failure(scope_result.failure())
            scope = scope_result.unwrap()
            found = await visible_appointment(uow, actor, scope, command.appointment_id, lock=True)
            if isinstance(found, Failure):
                return found
            appointment = found.unwrap()
            if scope.is_patient and command.target not in PATIENT_MAY:
                return Failure(forbidden("appointment.staff_only", "Only the practice can record this step."))
            if command.expected_version is not None and command.expected_version != appointment.version:
                return Failure(version_mismatch("appointment"))
            moved = appointment.transition(command.target, self._clock.now())
            if isinstance(moved, Failure):
                return Failure(moved.failure())
            if not await uow.appointments.save(appointment):
                return Failure(version_mismatch("appointment"))
            if command.target is AppointmentStatus.NO_SHOW:
                await uow.reminders.cancel_for(actor.organization_id, appointment.id, self._clock.now())
            await uow.audit.record(
                actor.audit(
                    action,
                    resource_type="appointment",
                    resource_id=appointment.id,
                    patient_id=appointment.patient_id,
                    details={"status": appointment.status.value},
                )
            )
            await uow.commit()
            return Success(appointment)
