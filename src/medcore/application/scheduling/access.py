"""Who may act on which appointments: staff on any patient of their organization, a patient
account on its own record only (another patient's appointments are simply not found)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.identity.permissions import Permission
from medcore.domain.scheduling.appointment import Appointment
from medcore.domain.shared.errors import DomainError, not_found


@dataclass(frozen=True, slots=True)
class Scope:
    """``patient_id`` is None for staff (any patient), else the only patient allowed."""

    patient_id: UUID | None

    @property
    def is_patient(self) -> bool:
        return self.patient_id is not None

    def allows(self, patient_id: UUID) -> bool:
        return self.patient_id is None or self.patient_id == patient_id

    def sees(self, appointment: Appointment) -> bool:
        return self.allows(appointment.patient_id)


async def appointment_scope(
    uow: UnitOfWork, actor: Actor, staff_permission: Permission, *, action: str, resource_id: UUID | None = None
) -> Result[Scope, DomainError]:
    """Staff need ``staff_permission``; a patient account needs ``appointments:own`` and a
    patient record linked to it."""
    if actor.can(staff_permission) and not actor.mfa_enrollment_required:
        return Success(Scope(None))
    if actor.can(Permission.OWN_APPOINTMENTS) and actor.user_id is not None and not actor.mfa_enrollment_required:
        own = await uow.patients.by_user(actor.organization_id, actor.user_id)
        if own is not None:
            return Success(Scope(own.id))
    allowed = await authorize(
        uow, actor, staff_permission, action=action, resource_type="appointment", resource_id=resource_id
    )
    assert isinstance(allowed, Failure)
    return Failure(allowed.failure())


async def visible_appointment(
    uow: UnitOfWork, actor: Actor, scope: Scope, appointment_id: UUID, *, lock: bool = False
) -> Result[Appointment, DomainError]:
    appointment = await uow.appointments.get(actor.organization_id, appointment_id, lock=lock)
    if appointment is None or not scope.sees(appointment):
        return Failure(not_found("appointment"))
    return Success(appointment)
