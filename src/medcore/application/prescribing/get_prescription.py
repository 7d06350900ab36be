"""GetPrescription: one prescription (a patient account sees only its own signed ones)."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE, read_scope, visible_prescription
from medcore.application.prescribing.drafting import PrescriptionView
from medcore.application.prescribing.facts import assess
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock


class GetPrescription:
    """Staff with ``prescriptions:read`` read any prescription of their organization; a draft
    comes with its findings as they stand. A patient reads their own prescriptions once
    signed; any other answers 404."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, formulary: Formulary) -> None:
        self._uow = uow
        self._clock = clock
        self._formulary = formulary

    async def execute(self, actor: Actor, prescription_id: UUID) -> Result[PrescriptionView, DomainError]:
        async with self._uow() as uow:
            scope = await read_scope(uow, actor, action="prescription.read", resource_id=prescription_id)
            if isinstance(scope, Failure):
                return Failure(scope.failure())
            found = await visible_prescription(uow, actor, scope.unwrap(), prescription_id)
            if isinstance(found, Failure):
                return Failure(found.failure())
            prescription = found.unwrap()
            findings = None
            if prescription.draft:
                assessed = await assess(uow, actor, self._formulary, prescription, self._clock.now())
                findings = assessed.value_or(None)
            await uow.audit.record(
                actor.audit(
                    "prescription.read",
                    resource_type=RESOURCE,
                    resource_id=prescription.id,
                    patient_id=prescription.patient_id,
                    details=scope.unwrap().details(),
                )
            )
            await uow.commit()
            return Success(PrescriptionView(prescription, findings))
