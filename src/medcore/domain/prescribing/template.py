"""Prescription templates: a practitioner's usual prescriptions (items and notes) kept
under a name, from which new drafts start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.prescribing.prescription import Prescription, PrescriptionItem
from medcore.domain.shared.errors import DomainError, FieldIssue, conflict, invalid

MAX_NAME = 100
NAME_TAKEN = conflict("prescription_template.name_taken", "This practitioner already has a template with this name.")


@dataclass(slots=True, kw_only=True)
class PrescriptionTemplate:
    id: UUID
    organization_id: UUID
    practitioner_id: UUID
    name: str
    items: list[PrescriptionItem]
    notes: str | None = None
    created_by: UUID | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        organization_id: UUID,
        practitioner_id: UUID,
        name: str,
        items: list[PrescriptionItem],
        notes: str | None,
        created_by: UUID | None,
        now: datetime,
    ) -> Result[PrescriptionTemplate, DomainError]:
        issues: list[FieldIssue] = []
        cleaned = " ".join(name.split())
        if not 1 <= len(cleaned) <= MAX_NAME:
            issues.append(FieldIssue("name", f"Use 1-{MAX_NAME} characters."))
        checked = Prescription.check_items(items)
        if isinstance(checked, Failure):
            issues.extend(checked.failure().fields)
        if issues:
            return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
        return Success(
            cls(
                id=id,
                organization_id=organization_id,
                practitioner_id=practitioner_id,
                name=cleaned,
                items=list(items),
                notes=notes,
                created_by=created_by,
                created_at=now,
                updated_at=now,
            )
        )
