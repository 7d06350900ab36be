"""A patient's medical history: allergies, conditions, medications and body measurements.

Entries are never deleted or rewritten. An entry ends by a change of status (an allergy
resolved, a medication stopped, a measurement entered in error) that keeps what was
recorded; every change also leaves an immutable version (see ``versions.py``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.audit.entry import ActorType
from medcore.domain.patients.codes import AtcCode, Icd10Code
from medcore.domain.patients.measurements import MeasurementKind, Quantity
from medcore.domain.shared.errors import DomainError, conflict, field_invalid


class EntryKind(enum.StrEnum):
    ALLERGY = "allergy"
    CONDITION = "condition"
    MEDICATION = "medication"
    MEASUREMENT = "measurement"

    @property
    def plural(self) -> str:
        return "allergies" if self is EntryKind.ALLERGY else f"{self.value}s"


class EntryStatus(enum.StrEnum):
    ACTIVE = "active"  # allergies, conditions, medications in force
    RECORDED = "recorded"  # a measurement that stands
    RESOLVED = "resolved"
    INACTIVE = "inactive"
    STOPPED = "stopped"
    ENTERED_IN_ERROR = "entered_in_error"


class AllergySeverity(enum.StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """The statuses of one kind: those an entry may be recorded with, and its ends."""

    current: EntryStatus  # the status of an entry in force
    initial: frozenset[EntryStatus]
    ends: frozenset[EntryStatus]

    @property
    def all(self) -> frozenset[EntryStatus]:
        return self.initial | self.ends


_E = EntryStatus
LIFECYCLES: dict[EntryKind, Lifecycle] = {
    EntryKind.ALLERGY: Lifecycle(_E.ACTIVE, frozenset({_E.ACTIVE}), frozenset({_E.RESOLVED, _E.ENTERED_IN_ERROR})),
    EntryKind.CONDITION: Lifecycle(
        _E.ACTIVE,
        frozenset({_E.ACTIVE, _E.RESOLVED, _E.INACTIVE}),
        frozenset({_E.RESOLVED, _E.INACTIVE, _E.ENTERED_IN_ERROR}),
    ),
    EntryKind.MEDICATION: Lifecycle(_E.ACTIVE, frozenset({_E.ACTIVE}), frozenset({_E.STOPPED, _E.ENTERED_IN_ERROR})),
    EntryKind.MEASUREMENT: Lifecycle(_E.RECORDED, frozenset({_E.RECORDED}), frozenset({_E.ENTERED_IN_ERROR})),
}

ENTRY_ALREADY_ENDED = conflict("patient.entry_already_ended", "This entry has already ended.")


@dataclass(slots=True, kw_only=True)
class HistoryEntry:
    """What every entry has: who recorded it, its status, and how it ended."""

    entry_kind: ClassVar[EntryKind]

    id: UUID
    organization_id: UUID
    patient_id: UUID
    status: EntryStatus
    recorded_by_type: ActorType
    recorded_by: UUID | None
    ended_at: datetime | None = None
    ended_by: UUID | None = None
    end_reason: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def __post_init__(self) -> None:
        if self.status not in LIFECYCLES[self.entry_kind].all:
            raise ValueError(f"status {self.status} is not one of a {self.entry_kind}")
        self._check()

    def _check(self) -> None:
        """Invariants of the kind."""

    @property
    def lifecycle(self) -> Lifecycle:
        return LIFECYCLES[self.entry_kind]

    @property
    def in_force(self) -> bool:
        """Active (or, for a measurement, standing): what rules such as allergy checks read."""
        return self.status is self.lifecycle.current

    def end(
        self, status: EntryStatus, *, reason: str | None, by: UUID | None, now: datetime
    ) -> Result[tuple[str, ...], DomainError]:
        """Move to an end status. An entry in force may take any end; an ended one may still
        be marked entered in error (a mistake found later); nothing leaves entered in error."""
        ends = self.lifecycle.ends
        if status not in ends:
            allowed = ", ".join(sorted(s.value for s in ends))
            return Failure(field_invalid("status", f"A {self.entry_kind} ends as one of: {allowed}."))
        if self.status is EntryStatus.ENTERED_IN_ERROR or (
            not self.in_force and status is not EntryStatus.ENTERED_IN_ERROR
        ):
            return Failure(ENTRY_ALREADY_ENDED)
        after = {"status": status, "ended_at": now, "ended_by": by, "end_reason": reason}
        changed = tuple(name for name, value in after.items() if getattr(self, name) != value)
        for name, value in after.items():
            setattr(self, name, value)
        self.updated_at = now
        return Success(changed)

    def snapshot(self) -> dict[str, Any]:
        """The whole state, as JSON values, for the version history."""
        return {
            "id": str(self.id),
            "kind": self.entry_kind.value,
            "status": self.status.value,
            **self._details(),
            "recorded_by_type": self.recorded_by_type.value,
            "recorded_by": str(self.recorded_by) if self.recorded_by else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "ended_by": str(self.ended_by) if self.ended_by else None,
            "end_reason": self.end_reason,
        }

    def _details(self) -> dict[str, Any]:
        return {}

    def recorded_fields(self) -> tuple[str, ...]:
        """The fields a new entry was recorded with (its first version's "what changed")."""
        return ("status", *(name for name, value in self._details().items() if value is not None))


@dataclass(slots=True, kw_only=True)
class Allergy(HistoryEntry):
    """An allergy or intolerance to a substance, or to a drug class by its ATC code (J01C:
    penicillins)."""

    entry_kind: ClassVar[EntryKind] = EntryKind.ALLERGY

    substance: str
    code: AtcCode | None = None
    reaction: str | None = None
    severity: AllergySeverity = AllergySeverity.UNKNOWN

    def _check(self) -> None:
        if not 1 <= len(self.substance) <= 200:
            raise ValueError("the substance holds 1-200 characters")

    def _details(self) -> dict[str, Any]:
        return {
            "substance": self.substance,
            "code": self.code.value if self.code else None,
            "reaction": self.reaction,
            "severity": self.severity.value,
        }


@dataclass(slots=True, kw_only=True)
class Condition(HistoryEntry):
    """A diagnosis by its ICD-10 code."""

    entry_kind: ClassVar[EntryKind] = EntryKind.CONDITION

    code: Icd10Code
    text: str | None = None
    onset: date | None = None

    def _details(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "text": self.text,
            "onset": self.onset.isoformat() if self.onset else None,
        }


@dataclass(slots=True, kw_only=True)
class Medication(HistoryEntry):
    """A medication the patient takes: a substance by its ATC code, a name, or both."""

    entry_kind: ClassVar[EntryKind] = EntryKind.MEDICATION

    code: AtcCode | None = None
    name: str | None = None
    dose: str | None = None
    since: date | None = None

    def _check(self) -> None:
        if self.code is None and self.name is None:
            raise ValueError("a medication has a code, a name, or both")
        if self.code is not None and self.code.level != 5:
            raise ValueError("a medication's code names one substance (ATC level 5)")

    def _details(self) -> dict[str, Any]:
        return {
            "code": self.code.value if self.code else None,
            "name": self.name,
            "dose": self.dose,
            "since": self.since.isoformat() if self.since else None,
        }


@dataclass(slots=True, kw_only=True)
class Measurement(HistoryEntry):
    """A body measurement at an instant, by staff or by the patient at home."""

    entry_kind: ClassVar[EntryKind] = EntryKind.MEASUREMENT

    quantity: Quantity
    measured_at: datetime
    recorded_by_patient: bool = False

    def _check(self) -> None:
        if self.measured_at.tzinfo is None:
            raise ValueError("measured_at is an aware instant")

    @property
    def kind(self) -> MeasurementKind:
        return self.quantity.kind

    @property
    def value(self) -> float:
        return self.quantity.value

    @property
    def unit(self) -> str:
        return self.quantity.unit

    def _details(self) -> dict[str, Any]:
        return {
            "measurement_kind": self.quantity.kind.value,
            "value": self.quantity.value,
            "unit": self.quantity.unit,
            "measured_at": self.measured_at.isoformat(),
            "recorded_by_patient": self.recorded_by_patient,
        }


AnyEntry = Allergy | Condition | Medication | Measurement

ENTRY_TYPES: dict[EntryKind, type[AnyEntry]] = {
    EntryKind.ALLERGY: Allergy,
    EntryKind.CONDITION: Condition,
    EntryKind.MEDICATION: Medication,
    EntryKind.MEASUREMENT: Measurement,
}


@dataclass(frozen=True, slots=True)
class MedicalHistory:
    """Everything recorded for one patient, with the questions other contexts ask of it
    (prescribing: allergies, active medications, conditions, the latest weight)."""

    allergies: tuple[Allergy, ...] = ()
    conditions: tuple[Condition, ...] = ()
    medications: tuple[Medication, ...] = ()
    measurements: tuple[Measurement, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[AnyEntry]) -> MedicalHistory:
        listed = list(entries)
        return cls(
            allergies=tuple(e for e in listed if isinstance(e, Allergy)),
            conditions=tuple(e for e in listed if isinstance(e, Condition)),
            medications=tuple(e for e in listed if isinstance(e, Medication)),
            measurements=tuple(e for e in listed if isinstance(e, Measurement)),
        )

    def active_allergies(self) -> tuple[Allergy, ...]:
        return tuple(a for a in self.allergies if a.in_force)

    def active_conditions(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.in_force)

    def active_medications(self) -> tuple[Medication, ...]:
        return tuple(m for m in self.medications if m.in_force)

    def latest(self, kind: MeasurementKind) -> Measurement | None:
        """The most recent standing measurement of ``kind`` (entered-in-error ones ignored)."""
        standing = [m for m in self.measurements if m.in_force and m.kind is kind]
        return max(standing, key=lambda m: (m.measured_at, m.created_at), default=None)

    @property
    def pregnant(self) -> bool:
        return any(c.code.indicates_pregnancy for c in self.active_conditions())
