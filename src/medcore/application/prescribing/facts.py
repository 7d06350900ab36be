"""What the rules know, gathered from the records: the patient's allergies, conditions,
medications and measurements; the prescriber's licence and authorisations; and "today"
in the prescriber's time zone (the date printed on the prescription and the one its
validity counts from)."""

from __future__ import annotations

from datetime import date, datetime

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.identity.permissions import Permission, permissions_of
from medcore.domain.identity.user import UserStatus
from medcore.domain.patients.history import MedicalHistory
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.patients.patient import Patient
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.prescribing.facts import AllergyFact, MedicationFact, PatientFacts, PrescriberFacts
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.prescribing.prescription import Finding, Prescription, PrescriptionItem
from medcore.domain.prescribing.validation import validate
from medcore.domain.shared.errors import DomainError, not_found


def local_today(practitioner: Practitioner, now: datetime) -> date:
    return now.astimezone(practitioner.time_zone.zone).date()


def facts_of(patient: Patient, history: MedicalHistory) -> PatientFacts:
    weight = history.latest(MeasurementKind.WEIGHT)
    egfr = history.latest(MeasurementKind.EGFR)
    return PatientFacts(
        birth_date=patient.birth_date,
        allergies=tuple(
            AllergyFact(allergy.substance, allergy.code.value if allergy.code else None)
            for allergy in history.active_allergies()
        ),
        active_medications=tuple(
            MedicationFact(medication.code.value if medication.code else None, medication.name)
            for medication in history.active_medications()
        ),
        conditions=tuple(condition.code.value for condition in history.active_conditions()),
        weight_kg=weight.quantity.canonical_value if weight else None,
        weight_measured_on=weight.measured_at.date() if weight else None,
        pregnant=history.pregnant,
        egfr=egfr.quantity.canonical_value if egfr else None,
    )


async def patient_facts(uow: UnitOfWork, patient: Patient) -> PatientFacts:
    return facts_of(patient, await uow.medical_history.history(patient.organization_id, patient.id))


async def prescriber_facts(uow: UnitOfWork, actor: Actor, practitioner: Practitioner, today: date) -> PrescriberFacts:
    """``can_sign``: for the prescriber's own account, whether it holds ``prescriptions:sign``
    now; for anyone else (a nurse preparing a draft), whether the account linked to the
    prescriber is active with a role that grants it."""
    if practitioner.user_id is None:
        can_sign = False
    elif practitioner.user_id == actor.user_id:
        can_sign = actor.can(Permission.PRESCRIPTIONS_SIGN) and not actor.mfa_enrollment_required
    else:
        user = await uow.users.get(practitioner.organization_id, practitioner.user_id)
        can_sign = (
            user is not None
            and user.status is UserStatus.ACTIVE
            and Permission.PRESCRIPTIONS_SIGN in permissions_of(user.role)
        )
    return PrescriberFacts(
        can_sign=can_sign,
        licence_valid=practitioner.licence_valid_on(today),
        can_prescribe=practitioner.can_prescribe and practitioner.active,
        controlled_substances=practitioner.controlled_substances,
    )


async def findings_for(
    uow: UnitOfWork,
    actor: Actor,
    formulary: Formulary,
    *,
    items: list[PrescriptionItem],
    patient: Patient,
    practitioner: Practitioner,
    today: date,
) -> list[Finding]:
    patient_side = await patient_facts(uow, patient)
    prescriber_side = await prescriber_facts(uow, actor, practitioner, today)
    return validate(items, patient_side, prescriber_side, formulary, today)


async def parties(
    uow: UnitOfWork, prescription: Prescription, *, lock_patient: bool = False
) -> Result[tuple[Patient, Practitioner], DomainError]:
    """The patient and the prescriber of a prescription (a deleted record is not found)."""
    patient = await uow.patients.get(prescription.organization_id, prescription.patient_id, lock=lock_patient)
    if patient is None:
        return Failure(not_found("patient"))
    practitioner = await uow.practitioners.get(prescription.organization_id, prescription.prescriber_id)
    if practitioner is None:
        return Failure(not_found("practitioner"))
    return Success((patient, practitioner))


async def assess(
    uow: UnitOfWork, actor: Actor, formulary: Formulary, prescription: Prescription, now: datetime
) -> Result[list[Finding], DomainError]:
    """The findings of a prescription's items against the records as they are now."""
    found = await parties(uow, prescription)
    if isinstance(found, Failure):
        return Failure(found.failure())
    patient, practitioner = found.unwrap()
    return Success(
        await findings_for(
            uow,
            actor,
            formulary,
            items=prescription.items,
            patient=patient,
            practitioner=practitioner,
            today=local_today(practitioner, now),
        )
    )
