"""What the prescribing unit tests share: the shipped formulary, patients and prescribers,
and items written the way a prescriber thinks of them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from medcore.adapters.formulary.json_formulary import shipped_formulary
from medcore.domain.prescribing.facts import AllergyFact, MedicationFact, PatientFacts, PrescriberFacts
from medcore.domain.prescribing.prescription import Finding, Frequency, FrequencyKind, PrescriptionItem, Severity
from medcore.domain.prescribing.validation import validate

FORMULARY = shipped_formulary()
TODAY = date(2027, 3, 15)
ADULT = PatientFacts(birth_date=date(1970, 6, 1))
PRESCRIBER = PrescriberFacts(can_sign=True, licence_valid=True, can_prescribe=True, controlled_substances=True)


def code_of(name: str) -> str:
    medication = FORMULARY.by_name(name)
    assert medication is not None, name
    return medication.code


def item(
    name: str,
    dose: float,
    unit: str = "mg",
    *,
    per_day: float | None = None,
    every_hours: float | None = None,
    as_needed: float | None = None,
    days: int = 7,
    quantity: int | None = None,
    refills: int = 0,
    route: str = "oral",
) -> PrescriptionItem:
    """An item of the medication ``name`` (or an ATC code); once a day unless told, and the
    quantity that covers the duration exactly unless told."""
    if every_hours is not None:
        frequency = Frequency(FrequencyKind.INTERVAL_HOURS, every_hours)
    elif as_needed is not None:
        frequency = Frequency(FrequencyKind.AS_NEEDED, as_needed)
    else:
        frequency = Frequency(FrequencyKind.TIMES_PER_DAY, per_day or 1)
    code = name if name[:1].isupper() and len(name) == 7 else code_of(name)
    return PrescriptionItem(
        medication_code=code,
        dose_amount=dose,
        dose_unit=unit,
        route=route,
        frequency=frequency,
        duration_days=days,
        quantity=quantity if quantity is not None else math.floor(days * frequency.doses_per_day),
        refills=refills,
    )


def patient(
    *,
    born: date = ADULT.birth_date,
    allergies: Sequence[str | tuple[str, str]] = (),
    taking: Sequence[str] = (),
    conditions: Sequence[str] = (),
    weight_kg: float | None = None,
    weighed_days_ago: int = 10,
    pregnant: bool = False,
    egfr: float | None = None,
) -> PatientFacts:
    """``allergies``: substances, or (substance, ATC code) pairs; ``taking``: names."""
    return PatientFacts(
        birth_date=born,
        allergies=tuple(AllergyFact(*a) if isinstance(a, tuple) else AllergyFact(a) for a in allergies),
        active_medications=tuple(MedicationFact(code=code_of(name), name=name) for name in taking),
        conditions=tuple(conditions),
        weight_kg=weight_kg,
        weight_measured_on=TODAY - timedelta(days=weighed_days_ago) if weight_kg is not None else None,
        pregnant=pregnant,
        egfr=egfr,
    )


def child(age: int, **facts: object) -> PatientFacts:
    return patient(born=date(TODAY.year - age, 1, 10), **facts)  # type: ignore[arg-type]


def check(
    items: Sequence[PrescriptionItem],
    facts: PatientFacts = ADULT,
    prescriber: PrescriberFacts = PRESCRIBER,
    today: date = TODAY,
) -> list[Finding]:
    return validate(items, facts, prescriber, FORMULARY, today)


def of(findings: Sequence[Finding], code: str, severity: Severity | None = None) -> list[Finding]:
    suffix = code if code.startswith("prescription.") else f"prescription.{code}"
    return [f for f in findings if f.code == suffix and (severity is None or f.severity is severity)]
