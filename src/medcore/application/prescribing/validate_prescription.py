"""ValidatePrescription: the findings of a prescription against the records as they are now."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE
from medcore.application.prescribing.drafting import counts
from medcore.application.prescribing.facts import assess
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.prescribing.prescription import Finding
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.ports import Clock


class ValidatePrescription:
    """Runs every rule (allergies, interactions, dose limits, duplicate therapy,
    quantities, the prescriber, conditions; unknown medications and routes) and answers the
    findings, errors first. Needs ``prescriptions:read``. Findings are codes with a
    severity (``error`` blocks signing; a ``warning`` needs an acknowledgement with a
    reason; ``info`` is for reading) and the indexes of the items concerned."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, formulary: Formulary) -> None:
        self._uow = uow
        self._clock = clock
        self._formulary = formulary

    async def execute(self, actor: Actor, prescription_id: UUID) -> Result[list[Finding], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.PRESCRIPTIONS_READ,
                action="prescription.validate",
                resource_type=RESOURCE,
                resource_id=prescription_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            prescription = await uow.prescriptions.get(actor.organization_id, prescription_id)
            if prescription is None:
                return Failure(not_found(RESOURCE))
            findings = await assess(uow, actor, self._formulary, prescription, self._clock.now())
            if isinstance(findings, Failure):
                return findings
            await uow.audit.record(
                actor.audit(
                    "prescription.validate",
                    resource_type=RESOURCE,
                    resource_id=prescription.id,
                    patient_id=prescription.patient_id,
                    details=counts(findings.unwrap()),
                )
            )
            await uow.commit()
            return Success(findings.unwrap())
