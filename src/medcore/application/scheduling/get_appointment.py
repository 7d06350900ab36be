"""GetAppointment: one appointment (a patient account sees only its own)."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.scheduling.access import appointment_scope, visible_appointment
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.scheduling.appointment import Appointment
from medcore.domain.shared.errors import DomainError


class GetAppointment:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, appointment_id: UUID) -> Result[Appointment, DomainError]:
        async with self._uow() as uow:
            scope = await appointment_scope(
                uow, actor, Permission.APPOINTMENTS_READ, action="appointment.read", resource_id=appointment_id
            )
            if isinstance(scope, Failure):
                return Failure(scope.failure())
            found = await visible_appointment(uow, actor, scope.unwrap(), appointment_id)
            if isinstance(found, Failure):
                return found
            appointment = found.unwrap()
            await uow.audit.record(
                actor.audit(
                    "appointment.read",
                    resource_type="appointment",
                    resource_id=appointment.id,
                    patient_id=appointment.patient_id,
                )
            )
            await uow.commit()
            return Success(appointment)
