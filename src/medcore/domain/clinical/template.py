"""Consultation templates of an organization: a name and structured sections (default
text, required or not) that pre-fill the consultations opened from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.clinical.sections import (
    NoteSection,
    TemplateSection,
    TemplateSectionInput,
    check_note_text,
    clean_text,
    parse_template_sections,
)
from medcore.domain.practitioners.changes import UNCHANGED, Change
from medcore.domain.shared.errors import DomainError, FieldIssue, conflict, invalid

MAX_NAME = 100
MAX_DESCRIPTION = 1000

TEMPLATE_NAME_TAKEN = conflict(
    "consultation_template.name_taken", "Another consultation template of the organization has this name."
)
TEMPLATE_INACTIVE = conflict(
    "consultation_template.inactive", "This template is retired: reactivate it or choose another one."
)


def check_template_name(raw: str, field: str = "name") -> Result[str, FieldIssue]:
    name = " ".join(raw.split())
    if not 1 <= len(name) <= MAX_NAME or clean_text(name) is None:
        return Failure(FieldIssue(field, f"Use 1-{MAX_NAME} characters."))
    return Success(name)


def name_key(name: str) -> str:
    """What makes two names the same: case and spacing aside."""
    return " ".join(name.split()).casefold()


def _check_description(raw: str | None) -> Result[str | None, FieldIssue]:
    if raw is None:
        return Success(None)
    text = check_note_text(raw, "description", MAX_DESCRIPTION)
    if isinstance(text, Failure):
        return text
    return Success(text.unwrap() or None)


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateChanges:
    """What a create or an update sets; ``UNCHANGED`` keeps a field (on create: its default)."""

    name: Change[str] = UNCHANGED
    description: Change[str | None] = UNCHANGED
    sections: Change[tuple[TemplateSectionInput, ...]] = UNCHANGED
    active: Change[bool] = UNCHANGED


@dataclass(slots=True, kw_only=True)
class ConsultationTemplate:
    id: UUID
    organization_id: UUID
    name: str
    sections: tuple[TemplateSection, ...]
    description: str | None = None
    active: bool = True
    created_by: UUID | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def name_key(self) -> str:
        return name_key(self.name)

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        organization_id: UUID,
        changes: TemplateChanges,
        created_by: UUID | None,
        now: datetime,
    ) -> Result[ConsultationTemplate, DomainError]:
        issues: list[FieldIssue] = []
        if changes.name is UNCHANGED:
            issues.append(FieldIssue("name", "Give the template a name."))
        if changes.sections is UNCHANGED:
            issues.append(FieldIssue("sections", "Give the template its sections."))
        if issues:
            return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
        template = cls(
            id=id,
            organization_id=organization_id,
            name="-",
            sections=(TemplateSection("plan", "Plan"),),
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        changed = template.change(changes, now)
        if isinstance(changed, Failure):
            return Failure(changed.failure())
        return Success(template)

    def change(self, changes: TemplateChanges, now: datetime) -> Result[tuple[str, ...], DomainError]:
        """Apply the given fields; answers the names of those that really changed."""
        issues: list[FieldIssue] = []
        after: dict[str, Any] = {}
        if changes.name is not UNCHANGED:
            checked = check_template_name(changes.name)
            if isinstance(checked, Failure):
                issues.append(checked.failure())
            else:
                after["name"] = checked.unwrap()
        if changes.description is not UNCHANGED:
            description = _check_description(changes.description)
            if isinstance(description, Failure):
                issues.append(description.failure())
            else:
                after["description"] = description.unwrap()
        if changes.sections is not UNCHANGED:
            sections = parse_template_sections(changes.sections)
            if isinstance(sections, Failure):
                issues.extend(sections.failure().fields)
            else:
                after["sections"] = sections.unwrap()
        if changes.active is not UNCHANGED:
            after["active"] = bool(changes.active)
        if issues:
            return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
        changed = tuple(name for name, value in after.items() if getattr(self, name) != value)
        for name in changed:
            setattr(self, name, after[name])
        if changed:
            self.updated_at = now
        return Success(changed)

    def note_sections(self) -> tuple[NoteSection, ...]:
        """The sections of a consultation opened from this template, pre-filled."""
        return tuple(NoteSection(s.key, s.title, s.default_text, s.required) for s in self.sections)
