"""What the rules know of the patient and the prescriber, gathered from their records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class AllergyFact:
    substance: str
    code: str | None = None  # an ATC code or prefix (drug class), e.g. "J01C" for penicillins


@dataclass(frozen=True, slots=True)
class MedicationFact:
    code: str | None = None  # ATC
    name: str | None = None


@dataclass(frozen=True, slots=True)
class PatientFacts:
    birth_date: date
    allergies: tuple[AllergyFact, ...] = ()
    active_medications: tuple[MedicationFact, ...] = ()
    conditions: tuple[str, ...] = ()  # ICD-10 codes of active conditions
    weight_kg: float | None = None
    weight_measured_on: date | None = None
    pregnant: bool = False
    egfr: float | None = None  # mL/min/1.73m2, latest

    def age_years(self, today: date) -> int:
        years = today.year - self.birth_date.year
        if (today.month, today.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@dataclass(frozen=True, slots=True)
class PrescriberFacts:
    can_sign: bool  # holds the prescriptions:sign permission
    licence_valid: bool  # a licence number, not expired today
    can_prescribe: bool
    controlled_substances: bool  # authorised for controlled substances
