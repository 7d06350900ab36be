"""VerifyPrescription: a pharmacist checks a printed prescription by its verification code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE
from medcore.application.prescribing.facts import local_today, parties
from medcore.application.shared.actor import RequestMeta
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.prescribing.prescription import PrescriptionStatus
from medcore.domain.prescribing.verification import code_digest, normalise
from medcore.domain.prescribing.wording import describe_item
from medcore.domain.shared.errors import DomainError, ErrorKind
from medcore.domain.shared.ports import Clock

UNKNOWN_CODE = DomainError(
    code="prescription.unknown_code",
    message="No prescription has this verification code.",
    kind=ErrorKind.NOT_FOUND,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Verification:
    """What a pharmacist needs to trust a paper prescription, and nothing more of the record:
    whether it stands, its dates, who prescribed it, initials and birth year of the
    patient (to match the person at the counter), and the items."""

    prescription_id: UUID  # what a pharmacy's system dispenses against
    status: PrescriptionStatus  # "expired" once past validity, even before the expiry batch runs
    valid: bool  # may be dispensed today
    issued_on: date
    valid_until: date
    prescriber_name: str
    prescriber_licence: str | None
    patient_initials: str
    patient_birth_year: int
    items: tuple[str, ...]


def initials(given_name: str, family_name: str) -> str:
    return " ".join(f"{name.strip()[:1].upper()}." for name in (given_name, family_name) if name.strip())


class VerifyPrescription:
    """Public (no sign-in; rate-limited as the sign-in endpoints). The code is typed as
    printed, in any case, with or without dashes. Unknown codes answer 404. Every answered
    verification is audited in the prescription's organization, with the caller's address."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, formulary: Formulary) -> None:
        self._uow = uow
        self._clock = clock
        self._formulary = formulary

    async def execute(self, code: str, meta: RequestMeta) -> Result[Verification, DomainError]:
        if normalise(code) is None:
            return Failure(UNKNOWN_CODE)
        async with self._uow() as uow:
            prescription = await uow.prescriptions.by_verification_digest(code_digest(code))
            if prescription is None or prescription.signed_at is None or prescription.valid_until is None:
                return Failure(UNKNOWN_CODE)
            involved = await parties(uow, prescription)
            if isinstance(involved, Failure):
                return Failure(UNKNOWN_CODE)
            patient, practitioner = involved.unwrap()
            now = self._clock.now()
            today = local_today(practitioner, now)
            status = prescription.status
            if status is PrescriptionStatus.SIGNED and today > prescription.valid_until:
                status = PrescriptionStatus.EXPIRED
            items = []
            for item in prescription.items:
                medication = self._formulary.medication(item.medication_code)
                items.append(describe_item(item, medication.name if medication else item.medication_code))
            verification = Verification(
                prescription_id=prescription.id,
                status=status,
                valid=prescription.valid_on(today),
                issued_on=prescription.signed_at.astimezone(practitioner.time_zone.zone).date(),
                valid_until=prescription.valid_until,
                prescriber_name=practitioner.display_name,
                prescriber_licence=practitioner.licence_number,
                patient_initials=initials(patient.given_name, patient.family_name),
                patient_birth_year=patient.birth_date.year,
                items=tuple(items),
            )
            await uow.audit.record(
                AuditEntry(
                    organization_id=prescription.organization_id,
                    action="prescription.verify",
                    outcome=Outcome.SUCCESS,
                    actor_type=ActorType.ANONYMOUS,
                    resource_type=RESOURCE,
                    resource_id=prescription.id,
                    patient_id=prescription.patient_id,
                    ip=meta.ip,
                    user_agent=meta.user_agent,
                    request_id=meta.request_id,
                    details={"status": status.value, "valid": verification.valid},
                )
            )
            await uow.commit()
            return Success(verification)
