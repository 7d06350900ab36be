"""What a patient may see and change of their own record (an organization setting)."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, FieldIssue, invalid

SELF_EDITABLE_FIELDS = frozenset({"email", "phone", "address", "preferred_language", "preferred_channel", "time_zone"})
DEFAULT_SELF_EDITABLE = SELF_EDITABLE_FIELDS


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientPortalPolicy:
    editable_fields: frozenset[str] = DEFAULT_SELF_EDITABLE  # demographics a patient may change
    history_visible: bool = True  # allergies, conditions, medications, measurements

    def validate(self, prefix: str = "settings.patients") -> Result[PatientPortalPolicy, DomainError]:
        unknown = sorted(self.editable_fields - SELF_EDITABLE_FIELDS)
        if unknown:
            return Failure(
                invalid(
                    "organization.invalid_settings",
                    "Invalid patient portal settings.",
                    FieldIssue(
                        f"{prefix}.editable_fields",
                        f"Patients may only be allowed to edit: {', '.join(sorted(SELF_EDITABLE_FIELDS))}.",
                    ),
                )
            )
        return Success(self)
