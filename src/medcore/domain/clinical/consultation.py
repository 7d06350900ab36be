"""Consultations (encounters): what a practitioner saw, found and decided for one patient,
optionally during an appointment.

A consultation is a ``draft`` while it is written, then ``signed``. A signed consultation
never changes again: corrections are addenda (text, author, time) appended after it,
which leave the original exactly as it was signed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.audit.entry import ActorType
from medcore.domain.clinical.sections import NoteSection, check_note_text, clean_text, fill_sections
from medcore.domain.clinical.vitals import CLOCK_TOLERANCE, EARLIEST_RECORD, Vitals
from medcore.domain.patients.codes import Icd10Code
from medcore.domain.practitioners.changes import UNCHANGED, Change, Unchanged
from medcore.domain.shared.errors import DomainError, FieldIssue, conflict, invalid

MAX_REASON = 500
MAX_DIAGNOSES = 20
MAX_DIAGNOSIS_TEXT = 200
MAX_PRESCRIPTIONS = 20
MAX_ADDENDUM = 5_000

CONSULTATION_SIGNED = conflict(
    "consultation.signed", "This consultation is signed and cannot change: add an addendum to correct it."
)
CONSULTATION_DRAFT = conflict(
    "consultation.draft", "This consultation is still a draft: change it directly; addenda follow a signature."
)


class ConsultationStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """An ICD-10 code, with the practitioner's wording."""

    code: Icd10Code
    text: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DiagnosisInput:
    code: str
    text: str | None = None


def parse_diagnoses(
    raw: Sequence[DiagnosisInput], field: str = "diagnoses"
) -> Result[tuple[Diagnosis, ...], DomainError]:
    """At most 20, each code once."""
    issues: list[FieldIssue] = []
    if len(raw) > MAX_DIAGNOSES:
        issues.append(FieldIssue(field, f"At most {MAX_DIAGNOSES} diagnoses."))
    found: list[Diagnosis] = []
    for index, item in enumerate(raw):
        code = Icd10Code.parse(item.code, f"{field}.{index}.code")
        if isinstance(code, Failure):
            issues.extend(code.failure().fields)
            continue
        text = None
        if item.text is not None:
            cleaned = clean_text(" ".join(item.text.split()))
            if cleaned is None or len(cleaned) > MAX_DIAGNOSIS_TEXT:
                issues.append(FieldIssue(f"{field}.{index}.text", f"Use at most {MAX_DIAGNOSIS_TEXT} characters."))
                continue
            text = cleaned or None
        if any(d.code == code.unwrap() for d in found):
            issues.append(FieldIssue(f"{field}.{index}.code", f"{code.unwrap()} appears twice."))
            continue
        found.append(Diagnosis(code.unwrap(), text))
    if issues:
        return Failure(invalid("validation_failed", "Some diagnoses are not valid.", *issues))
    return Success(tuple(found))


def check_prescription_ids(
    raw: Sequence[UUID], field: str = "prescription_ids"
) -> Result[tuple[UUID, ...], DomainError]:
    if len(raw) > MAX_PRESCRIPTIONS:
        return Failure(
            invalid("validation_failed", "Too many prescriptions.", FieldIssue(field, f"At most {MAX_PRESCRIPTIONS}."))
        )
    return Success(tuple(dict.fromkeys(raw)))


def check_reason(raw: str | None) -> Result[str | None, FieldIssue]:
    if raw is None:
        return Success(None)
    text = check_note_text(" ".join(raw.split()), "reason", MAX_REASON)
    if isinstance(text, Failure):
        return text
    return Success(text.unwrap() or None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Addendum:
    """A correction or a later finding, appended to a signed consultation."""

    id: UUID
    consultation_id: UUID
    text: str
    author_type: ActorType
    author_id: UUID | None
    created_at: datetime

    def __post_init__(self) -> None:
        if not 1 <= len(self.text) <= MAX_ADDENDUM:
            raise ValueError("an addendum holds 1-5000 characters")


def check_addendum_text(raw: str) -> Result[str, DomainError]:
    text = clean_text(raw)
    if text is None or not 1 <= len(text) <= MAX_ADDENDUM:
        return Failure(
            invalid(
                "validation_failed",
                "The addendum is not valid.",
                FieldIssue("text", f"Use 1-{MAX_ADDENDUM} characters (line breaks and tabs allowed)."),
            )
        )
    return Success(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class VitalsChange:
    """Merge into the current vitals: a value per field (None clears it)."""

    values: Mapping[str, float | None]
    measured_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsultationChanges:
    """What a draft's update sets. ``notes`` merge by section key; ``vitals`` merge by
    field (``None`` clears them all); ``diagnoses`` and ``prescription_ids`` replace."""

    reason: Change[str | None] = UNCHANGED
    started_at: Change[datetime] = UNCHANGED
    notes: Mapping[str, str] | Unchanged = UNCHANGED
    vitals: Change[VitalsChange | None] = UNCHANGED
    diagnoses: Change[tuple[DiagnosisInput, ...]] = UNCHANGED
    prescription_ids: Change[tuple[UUID, ...]] = UNCHANGED


CONTENT_FIELDS = ("reason", "started_at", "sections", "vitals", "diagnoses", "prescription_ids")


@dataclass(slots=True, kw_only=True)
class Consultation:
    id: UUID
    organization_id: UUID
    patient_id: UUID
    practitioner_id: UUID  # the author, who signs
    appointment_id: UUID | None = None
    template_id: UUID | None = None
    reason: str | None = None
    started_at: datetime
    sections: tuple[NoteSection, ...]
    vitals: Vitals | None = None
    diagnoses: tuple[Diagnosis, ...] = ()
    prescription_ids: tuple[UUID, ...] = ()
    status: ConsultationStatus = ConsultationStatus.DRAFT
    created_by_type: ActorType
    created_by: UUID | None
    signed_at: datetime | None = None
    signed_by: UUID | None = None  # the account that signed
    addenda: tuple[Addendum, ...] = ()
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def __post_init__(self) -> None:
        if self.started_at.tzinfo is None:
            raise ValueError("started_at is an aware instant")
        if (self.status is ConsultationStatus.SIGNED) != (self.signed_at is not None):
            raise ValueError("a consultation has a signature time exactly when it is signed")
        if len({s.key for s in self.sections}) != len(self.sections):
            raise ValueError("section keys are distinct")

    @classmethod
    def open(
        cls,
        *,
        id: UUID,
        organization_id: UUID,
        patient_id: UUID,
        practitioner_id: UUID,
        sections: tuple[NoteSection, ...],
        started_at: datetime,
        created_by_type: ActorType,
        created_by: UUID | None,
        now: datetime,
        appointment_id: UUID | None = None,
        template_id: UUID | None = None,
        content: ConsultationChanges | None = None,
    ) -> Result[Consultation, DomainError]:
        """A new draft with ``sections`` (a template's, pre-filled, or the SOAP four) and
        the content given at once (validated as an update would be)."""
        consultation = cls(
            id=id,
            organization_id=organization_id,
            patient_id=patient_id,
            practitioner_id=practitioner_id,
            appointment_id=appointment_id,
            template_id=template_id,
            started_at=started_at,
            sections=sections,
            created_by_type=created_by_type,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        if content is not None:
            revised = consultation.revise(content, now)
            if isinstance(revised, Failure):
                return Failure(revised.failure())
        return Success(consultation)

    @property
    def signed(self) -> bool:
        return self.status is ConsultationStatus.SIGNED

    def section(self, key: str) -> NoteSection | None:
        return next((s for s in self.sections if s.key == key), None)

    def missing_sections(self) -> tuple[NoteSection, ...]:
        """Required sections without text: they stop the signature."""
        return tuple(s for s in self.sections if s.required and not s.filled)

    def revise(self, changes: ConsultationChanges, now: datetime) -> Result[tuple[str, ...], DomainError]:
        """Apply validated changes to a draft; answers the names of the fields that really
        changed. A signed consultation refuses every change."""
        if self.signed:
            return Failure(CONSULTATION_SIGNED)
        issues: list[FieldIssue] = []
        after: dict[str, Any] = {}
        if changes.reason is not UNCHANGED:
            reason = check_reason(changes.reason)
            if isinstance(reason, Failure):
                issues.append(reason.failure())
            else:
                after["reason"] = reason.unwrap()
        if changes.started_at is not UNCHANGED:
            if changes.started_at.tzinfo is None:
                issues.append(FieldIssue("started_at", "Give the instant with its offset (Z or +01:00)."))
            elif changes.started_at > now + CLOCK_TOLERANCE:
                issues.append(FieldIssue("started_at", "A consultation cannot start in the future."))
            elif changes.started_at < EARLIEST_RECORD:
                issues.append(FieldIssue("started_at", "Use an instant after 1900-01-01."))
            else:
                after["started_at"] = changes.started_at
        if changes.notes is not UNCHANGED:
            filled = fill_sections(self.sections, changes.notes)
            if isinstance(filled, Failure):
                issues.extend(filled.failure().fields)
            else:
                after["sections"] = filled.unwrap()
        if changes.vitals is not UNCHANGED:
            vitals = _vitals_after(self.vitals, changes.vitals, now)
            if isinstance(vitals, Failure):
                issues.extend(vitals.failure().fields)
            else:
                after["vitals"] = vitals.unwrap()
        if changes.diagnoses is not UNCHANGED:
            diagnoses = parse_diagnoses(changes.diagnoses)
            if isinstance(diagnoses, Failure):
                issues.extend(diagnoses.failure().fields)
            else:
                after["diagnoses"] = diagnoses.unwrap()
        if changes.prescription_ids is not UNCHANGED:
            linked = check_prescription_ids(changes.prescription_ids)
            if isinstance(linked, Failure):
                issues.extend(linked.failure().fields)
            else:
                after["prescription_ids"] = linked.unwrap()
        if issues:
            return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
        changed = tuple(name for name in CONTENT_FIELDS if name in after and after[name] != getattr(self, name))
        for name in changed:
            setattr(self, name, after[name])
        if changed:
            self.updated_at = now
        return Success(changed)

    def sign(self, by: UUID | None, now: datetime) -> Result[None, DomainError]:
        """Sign a draft whose required sections all hold text (422 naming each empty one)."""
        if self.signed:
            return Failure(CONSULTATION_SIGNED)
        missing = self.missing_sections()
        if missing:
            return Failure(
                invalid(
                    "consultation.required_sections_missing",
                    "Required sections are empty: write them before signing.",
                    *(FieldIssue(f"sections.{s.key}", f"'{s.title}' is required before signing.") for s in missing),
                )
            )
        self.status = ConsultationStatus.SIGNED
        self.signed_at = now
        self.signed_by = by
        self.updated_at = now
        return Success(None)

    def append(self, addendum: Addendum) -> Result[Addendum, DomainError]:
        """Append an addendum to a signed consultation; a draft is changed directly instead."""
        if not self.signed:
            return Failure(CONSULTATION_DRAFT)
        if addendum.consultation_id != self.id:
            raise ValueError("an addendum of another consultation")
        self.addenda = (*self.addenda, addendum)
        return Success(addendum)

    def content(self) -> dict[str, Any]:
        """What was written and signed (the fields an addendum never touches)."""
        return {
            "patient_id": self.patient_id,
            "practitioner_id": self.practitioner_id,
            "appointment_id": self.appointment_id,
            "template_id": self.template_id,
            "status": self.status,
            "signed_at": self.signed_at,
            "signed_by": self.signed_by,
            **{name: getattr(self, name) for name in CONTENT_FIELDS},
        }


def _vitals_after(
    current: Vitals | None, change: VitalsChange | None, now: datetime
) -> Result[Vitals | None, DomainError]:
    if change is None:
        return Success(None)
    if current is None:
        return Vitals.parse(change.values, change.measured_at, now)
    return current.merged(change.values, change.measured_at, now)
