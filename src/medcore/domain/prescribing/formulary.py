"""The formulary: medications, their classes, limits, contraindications and interactions.

The formulary is a port (``Formulary``): medcore ships a small real dataset, and a larger
external formulary can replace it without touching the rules.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class InteractionSeverity(enum.StrEnum):
    CONTRAINDICATED = "contraindicated"
    MAJOR = "major"
    MODERATE = "moderate"


class ContraindicationKind(enum.StrEnum):
    CONDITION = "condition"  # by ICD-10 code prefix
    PREGNANCY = "pregnancy"
    RENAL = "renal"  # eGFR below a threshold


@dataclass(frozen=True, slots=True)
class Contraindication:
    kind: ContraindicationKind
    severity: str  # "error" or "warning"
    text: str
    icd10_prefixes: tuple[str, ...] = ()
    egfr_below: float | None = None


@dataclass(frozen=True, slots=True)
class Medication:
    code: str  # ATC level 5
    name: str
    ingredients: tuple[str, ...]
    therapeutic_class: str  # ATC level 4
    groups: tuple[str, ...] = ()
    cross_sensitivity_groups: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    dose_unit: str = "mg"  # the unit of the maximum doses
    adult_max_daily_dose: float | None = None
    paediatric_max_daily_dose_per_kg: float | None = None
    paediatric_max_daily_dose: float | None = None
    min_age_years: int | None = None
    controlled_schedule: str | None = None  # "II" ... "V"
    contraindications: tuple[Contraindication, ...] = ()
    forms: tuple[str, ...] = ()  # human-readable "500 mg capsule"

    @property
    def schedule_ii(self) -> bool:
        return self.controlled_schedule == "II"


@dataclass(frozen=True, slots=True)
class Interaction:
    severity: InteractionSeverity
    text: str


class Formulary(Protocol):
    def medication(self, code: str) -> Medication | None: ...

    def by_name(self, name: str) -> Medication | None:
        """A medication named (or with the single ingredient named) ``name``, case-insensitively."""

    def interaction(self, first: Medication, second: Medication) -> Interaction | None:
        """The most severe known interaction between two medications, if any."""

    def group_members(self, group: str) -> Sequence[Medication]: ...

    def with_code_prefix(self, prefix: str) -> Sequence[Medication]:
        """Medications whose ATC code starts with ``prefix`` (a drug class)."""

    def groups_named(self, text: str) -> frozenset[str]:
        """Groups a free-text substance names ("penicillin", "NSAIDs")."""

    def search(self, query: str, limit: int) -> Sequence[Medication]:
        """Medications whose code starts with, or whose name or an ingredient contains,
        ``query``; the best matches (code or name prefix) first."""

    def all(self) -> Sequence[Medication]:
        """Every medication, by code."""

    @property
    def version(self) -> str: ...
