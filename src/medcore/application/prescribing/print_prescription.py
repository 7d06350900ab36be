"""PrintPrescription: a signed prescription as a PDF, with its verification code."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE, read_scope, visible_prescription
from medcore.application.prescribing.facts import parties
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.prescribing.ports import PrescriptionRenderer, VerificationCodes
from medcore.domain.prescribing.prescription import Prescription, PrescriptionStatus
from medcore.domain.prescribing.printable import PrintablePrescription
from medcore.domain.prescribing.verification import code_digest
from medcore.domain.prescribing.wording import describe_item
from medcore.domain.shared.errors import DomainError, conflict, not_found

NOT_SIGNED = conflict("prescription.not_signed", "Only a signed prescription can be printed.")
CANCELLED = conflict("prescription.cancelled", "A cancelled prescription is not printed.")
CODE_UNAVAILABLE = conflict(
    "prescription.verification_unavailable",
    "This prescription's verification code cannot be reproduced (the server key changed since it was "
    "signed): renew it to print it.",
)


@dataclass(frozen=True, slots=True)
class PrintedPrescription:
    prescription: Prescription
    pdf: bytes


class PrintPrescription:
    """Staff with ``prescriptions:read``, or the patient it is for, print a prescription that
    was signed and not cancelled: organization, prescriber with licence, patient name and
    birth date, every item in plain language, date, validity, page numbers, and the
    verification code with the address where a pharmacist checks it. Printing is audited."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        formulary: Formulary,
        renderer: PrescriptionRenderer,
        codes: VerificationCodes,
    ) -> None:
        self._uow = uow
        self._formulary = formulary
        self._renderer = renderer
        self._codes = codes

    async def execute(self, actor: Actor, prescription_id: UUID) -> Result[PrintedPrescription, DomainError]:
        async with self._uow() as uow:
            scope = await read_scope(uow, actor, action="prescription.print", resource_id=prescription_id)
            if isinstance(scope, Failure):
                return Failure(scope.failure())
            found = await visible_prescription(uow, actor, scope.unwrap(), prescription_id)
            if isinstance(found, Failure):
                return Failure(found.failure())
            prescription = found.unwrap()
            if prescription.signed_at is None or prescription.valid_until is None:
                return Failure(NOT_SIGNED)
            if prescription.status is PrescriptionStatus.CANCELLED:
                return Failure(CANCELLED)
            code = self._codes.code_for(prescription.id)
            if code_digest(code) != prescription.verification_hash:
                return Failure(CODE_UNAVAILABLE)
            involved = await parties(uow, prescription)
            if isinstance(involved, Failure):
                return Failure(involved.failure())
            patient, practitioner = involved.unwrap()
            organization = await uow.organizations.get(actor.organization_id)
            if organization is None:
                return Failure(not_found("organization"))
            document = PrintablePrescription(
                prescription_id=prescription.id,
                organization_name=organization.name,
                prescriber_name=practitioner.display_name,
                prescriber_licence=practitioner.licence_number,
                prescriber_specialties=practitioner.specialties,
                patient_name=f"{patient.given_name} {patient.family_name}",
                patient_birth_date=patient.birth_date,
                items=tuple(self._describe(prescription)),
                issued_on=prescription.signed_at.astimezone(practitioner.time_zone.zone).date(),
                valid_until=prescription.valid_until,
                verification_code=code,
            )
            await uow.audit.record(
                actor.audit(
                    "prescription.print",
                    resource_type=RESOURCE,
                    resource_id=prescription.id,
                    patient_id=prescription.patient_id,
                    details=scope.unwrap().details(),
                )
            )
            await uow.commit()
        # Rendering takes tens of milliseconds of CPU: off the event loop, and after the
        # transaction ends.
        pdf = await asyncio.to_thread(self._renderer.render, document)
        return Success(PrintedPrescription(prescription, pdf))

    def _describe(self, prescription: Prescription) -> list[str]:
        lines = []
        for item in prescription.items:
            medication = self._formulary.medication(item.medication_code)
            lines.append(describe_item(item, medication.name if medication else item.medication_code))
        return lines
