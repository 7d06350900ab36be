"""DispensePrescription: a pharmacy records that it dispensed a prescription."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE, writable_prescription
from medcore.application.prescribing.facts import local_today
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.prescription import Prescription
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class DispensePrescriptionCommand:
    prescription_id: UUID
    partial: bool = False  # some items or part of the quantity; the rest may follow
    expected_version: int | None = None


class DispensePrescription:
    """Needs ``prescriptions:dispense`` (a pharmacy's API key). A signed prescription still
    valid today becomes ``dispensed``, or ``partially_dispensed`` (which may be dispensed
    again, until it is complete or expires). Anything else answers 409."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: DispensePrescriptionCommand) -> Result[Prescription, DomainError]:
        async with self._uow() as uow:
            found = await writable_prescription(
                uow, actor, Permission.PRESCRIPTIONS_DISPENSE, command.prescription_id, action="prescription.dispense"
            )
            if isinstance(found, Failure):
                return Failure(found.failure())
            prescription = found.unwrap()
            if command.expected_version is not None and command.expected_version != prescription.version:
                return Failure(version_mismatch(RESOURCE))
            practitioner = await uow.practitioners.get(actor.organization_id, prescription.prescriber_id)
            if practitioner is None:
                return Failure(not_found("practitioner"))
            now = self._clock.now()
            was = prescription.status
            dispensed = prescription.dispense(command.partial, now, local_today(practitioner, now))
            if isinstance(dispensed, Failure):
                return Failure(dispensed.failure())
            if not await uow.prescriptions.save(prescription):
                return Failure(version_mismatch(RESOURCE))
            await uow.audit.record(
                actor.audit(
                    "prescription.dispense",
                    resource_type=RESOURCE,
                    resource_id=prescription.id,
                    patient_id=prescription.patient_id,
                    details={"partial": command.partial, "from": was.value},
                )
            )
            await uow.commit()
            return Success(prescription)
