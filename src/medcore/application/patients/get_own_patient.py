"""GetOwnPatient: the record linked to the signed-in patient account."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.patients.access import own_record
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.patient import Patient
from medcore.domain.shared.errors import DomainError, not_found


class GetOwnPatient:
    """For a ``patient`` account: its own record (404 until the practice links one to it)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor) -> Result[Patient, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.OWN_PATIENT_RECORD, action="patient.read", resource_type="patient"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            patient = await own_record(uow, actor)
            if patient is None:
                return Failure(not_found("patient"))
            await uow.audit.record(
                actor.audit(
                    "patient.read",
                    resource_type="patient",
                    resource_id=patient.id,
                    patient_id=patient.id,
                    details={"self": True},
                )
            )
            await uow.commit()
            return Success(patient)
