"""What every way of starting a draft shares (a new prescription, a renewal, a template):
checking the prescriber, the notes, and opening the draft with its findings."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE, own_practitioner
from medcore.application.prescribing.facts import findings_for, local_today
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.patients.patient import Patient
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.prescribing.prescription import Finding, Prescription, PrescriptionItem, Severity
from medcore.domain.shared.errors import DomainError, FieldIssue, field_invalid, not_found
from medcore.domain.shared.ports import Clock, IdGenerator

MAX_NOTES = 2000

CONSULTATION_MISMATCH = "No consultation of this patient has this id."


@dataclass(frozen=True, slots=True)
class PrescriptionView:
    """A prescription with its findings as they stand (errors first); ``findings`` is None where
    they were not assessed (a prescription no longer a draft, read by its patient or in a list)."""

    prescription: Prescription
    findings: list[Finding] | None


def counts(findings: list[Finding]) -> dict[str, str | int | bool | None]:
    """Audit details of findings: how many of each severity (their texts name health data)."""
    return {
        "errors": sum(1 for f in findings if f.severity is Severity.ERROR),
        "warnings": sum(1 for f in findings if f.severity is Severity.WARNING),
    }


def check_notes(raw: str | None) -> Result[str | None, FieldIssue]:
    if raw is None:
        return Success(None)
    cleaned = raw.strip()
    if len(cleaned) > MAX_NOTES:
        return Failure(FieldIssue("notes", f"Use at most {MAX_NOTES} characters."))
    return Success(cleaned or None)


async def prescriber(uow: UnitOfWork, actor: Actor, prescriber_id: UUID) -> Result[Practitioner, DomainError]:
    """An active practitioner of the organization; the actor's own one when the actor is a
    prescribing practitioner (nobody prescribes in another practitioner's name)."""
    practitioner = await uow.practitioners.get(actor.organization_id, prescriber_id)
    if practitioner is None:
        return Failure(not_found("practitioner"))
    if not practitioner.active:
        return Failure(field_invalid("prescriber_id", "This practitioner is no longer active."))
    own = await own_practitioner(uow, actor)
    if own is not None and own.id != practitioner.id:
        return Failure(field_invalid("prescriber_id", "You prescribe as yourself: give your own practitioner id."))
    return Success(practitioner)


async def check_consultation(
    uow: UnitOfWork, actor: Actor, consultation_id: UUID | None, patient_id: UUID
) -> Result[None, DomainError]:
    """A prescription links only to a consultation of the same patient, in the same
    organization: any other id is refused as unknown (it may belong to someone else)."""
    if consultation_id is None:
        return Success(None)
    consultation = await uow.consultations.get(actor.organization_id, consultation_id)
    if consultation is None or consultation.patient_id != patient_id:
        return Failure(field_invalid("consultation_id", CONSULTATION_MISMATCH))
    return Success(None)


async def open_draft(
    uow: UnitOfWork,
    actor: Actor,
    clock: Clock,
    ids: IdGenerator,
    formulary: Formulary,
    *,
    patient: Patient,
    practitioner: Practitioner,
    items: list[PrescriptionItem],
    notes: str | None,
    consultation_id: UUID | None = None,
    renewed_from_id: UUID | None = None,
    action: str,
    details: dict[str, str | int | bool | None] | None = None,
) -> PrescriptionView:
    """Add the draft, audit it (with the patient) and commit."""
    now = clock.now()
    prescription = Prescription(
        id=ids.new_id(),
        organization_id=actor.organization_id,
        patient_id=patient.id,
        prescriber_id=practitioner.id,
        consultation_id=consultation_id,
        items=items,
        notes=notes,
        renewed_from_id=renewed_from_id,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    await uow.prescriptions.add(prescription)
    findings = await findings_for(
        uow,
        actor,
        formulary,
        items=items,
        patient=patient,
        practitioner=practitioner,
        today=local_today(practitioner, now),
    )
    await uow.audit.record(
        actor.audit(
            action,
            resource_type=RESOURCE,
            resource_id=prescription.id,
            patient_id=patient.id,
            details={
                "prescriber_id": str(practitioner.id),
                "items": len(items),
                **counts(findings),
                **(details or {}),
            },
        )
    )
    await uow.commit()
    return PrescriptionView(prescription, findings)
