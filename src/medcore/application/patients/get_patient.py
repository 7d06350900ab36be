"""GetPatient: one patient record."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import reach_patient
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.patient import Patient
from medcore.domain.shared.errors import DomainError


class GetPatient:
    """Staff need ``patients:read``; a patient account reads its own record only (any
    other id answers 404). Every read is audited."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, patient_id: UUID) -> Result[Patient, DomainError]:
        async with self._uow() as uow:
            reached = await reach_patient(uow, actor, patient_id, Permission.PATIENTS_READ, action="patient.read")
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            access = reached.unwrap()
            await uow.audit.record(
                actor.audit(
                    "patient.read",
                    resource_type="patient",
                    resource_id=patient_id,
                    patient_id=patient_id,
                    details=access.details(),
                )
            )
            await uow.commit()
            return Success(access.patient)
