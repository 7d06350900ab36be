"""The seven rule families of domain-rules.md section 3, each a pure function of
(items, patient facts, prescriber facts, formulary, today) returning findings.

Rules only ever add findings as patient facts grow (an allergy, an active medication or a
condition more never removes one), and judge each item or pair on its own, so item order
does not matter and removing an item never adds a finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from itertools import combinations

from medcore.domain.prescribing.facts import PatientFacts, PrescriberFacts
from medcore.domain.prescribing.formulary import ContraindicationKind, Formulary, InteractionSeverity, Medication
from medcore.domain.prescribing.prescription import Finding, PrescriptionItem, Severity
from medcore.domain.prescribing.units import convert

WEIGHT_VALIDITY = timedelta(days=92)  # a child's weight is trusted for about three months
ADULT_AGE = 18
SCHEDULE_II_MAX_DAYS = 30

Items = Sequence[PrescriptionItem]


def _medications(items: Items, formulary: Formulary) -> list[Medication | None]:
    return [formulary.medication(item.medication_code) for item in items]


def _known(items: Items, formulary: Formulary) -> list[tuple[int, PrescriptionItem, Medication]]:
    return [
        (i, item, med) for i, (item, med) in enumerate(zip(items, _medications(items, formulary), strict=True)) if med
    ]


def unknown_medications(items: Items, formulary: Formulary) -> list[Finding]:
    return [
        Finding(
            "prescription.unknown_medication",
            Severity.ERROR,
            (i,),
            f"'{item.medication_code}' is not in the formulary.",
        )
        for i, (item, med) in enumerate(zip(items, _medications(items, formulary), strict=True))
        if med is None
    ]


# --- 1. allergies ------------------------------------------------------------------------


def allergy(items: Items, patient: PatientFacts, formulary: Formulary) -> list[Finding]:
    """Error when an ingredient, or a drug class the patient is allergic to, is present;
    warning for a known cross-sensitivity or another drug of an allergen's class."""
    allergen_ingredients: set[str] = set()
    allergen_prefixes: set[str] = set()
    named_groups: set[str] = set()
    related_groups: set[str] = set()
    for fact in patient.allergies:
        substance = fact.substance.strip().lower()
        if fact.code:
            allergen_prefixes.add(fact.code.upper())
        named = formulary.by_name(substance)
        if named is not None:
            allergen_ingredients.update(named.ingredients)
            related_groups.update(named.groups)
        else:
            allergen_ingredients.add(substance)
        groups = formulary.groups_named(substance)
        named_groups.update(groups)
        related_groups.update(groups)
    for prefix in allergen_prefixes:
        for medication in formulary.with_code_prefix(prefix):
            related_groups.update(medication.groups)
    findings: list[Finding] = []
    for i, _, med in _known(items, formulary):
        direct = (
            set(med.ingredients) & allergen_ingredients
            or any(med.code.startswith(prefix) for prefix in allergen_prefixes)
            or set(med.groups) & named_groups
        )
        if direct:
            findings.append(
                Finding(
                    "prescription.allergy", Severity.ERROR, (i,), f"The patient is allergic to {med.name} or its class."
                )
            )
        if (set(med.cross_sensitivity_groups) | set(med.groups)) & related_groups:
            findings.append(
                Finding(
                    "prescription.allergy",
                    Severity.WARNING,
                    (i,),
                    f"Possible cross-sensitivity: {med.name} is related to a substance the patient is allergic to.",
                )
            )
    return findings


# --- 2. interactions ---------------------------------------------------------------------

_INTERACTION_SEVERITY = {
    InteractionSeverity.CONTRAINDICATED: Severity.ERROR,
    InteractionSeverity.MAJOR: Severity.WARNING,
    InteractionSeverity.MODERATE: Severity.INFO,
}


def _active_medications(patient: PatientFacts, formulary: Formulary) -> list[Medication]:
    found: list[Medication] = []
    for fact in patient.active_medications:
        medication = (formulary.medication(fact.code) if fact.code else None) or (
            formulary.by_name(fact.name) if fact.name else None
        )
        if medication is not None:
            found.append(medication)
    return found


def interaction(items: Items, patient: PatientFacts, formulary: Formulary) -> list[Finding]:
    """Every pair among the items and the patient's active medications, at the formulary's
    severity: contraindicated -> error, major -> warning, moderate -> info."""
    known = _known(items, formulary)
    findings: list[Finding] = []
    for (i, _, first), (j, _, second) in combinations(known, 2):
        found = formulary.interaction(first, second)
        if found is not None:
            findings.append(
                Finding(
                    "prescription.interaction",
                    _INTERACTION_SEVERITY[found.severity],
                    (min(i, j), max(i, j)),
                    f"{' + '.join(sorted((first.name, second.name)))} ({found.severity.value}): {found.text}",
                )
            )
    for current in _active_medications(patient, formulary):
        for i, _, med in known:
            found = formulary.interaction(med, current)
            if found is not None:
                findings.append(
                    Finding(
                        "prescription.interaction",
                        _INTERACTION_SEVERITY[found.severity],
                        (i,),
                        f"{med.name} + {current.name}, which the patient takes ({found.severity.value}): {found.text}",
                    )
                )
    return findings


# --- 3. dose limits ----------------------------------------------------------------------


def dose_limit(items: Items, patient: PatientFacts, formulary: Formulary, today: date) -> list[Finding]:
    """The daily dose (amount x doses a day, converted to the formulary's unit) against the
    maximum: adults by the absolute maximum; under-18s by mg/kg/day, which needs a weight
    recorded in the last three months (a missing weight is an error)."""
    findings: list[Finding] = []
    child = patient.age_years(today) < ADULT_AGE
    weight_known = (
        patient.weight_kg is not None
        and patient.weight_measured_on is not None
        and today - patient.weight_measured_on <= WEIGHT_VALIDITY
    )
    for i, item, med in _known(items, formulary):
        daily = convert(item.dose_amount * item.daily_doses, item.dose_unit, med.dose_unit)
        if daily is None:
            findings.append(
                Finding(
                    "prescription.dose_limit",
                    Severity.WARNING,
                    (i,),
                    f"The dose of {med.name} in '{item.dose_unit}' cannot be checked against its limit in '{med.dose_unit}'.",
                )
            )
            continue
        shown = f"{daily:g} {med.dose_unit}/day"
        if not child:
            if med.adult_max_daily_dose is not None and daily > med.adult_max_daily_dose:
                findings.append(
                    Finding(
                        "prescription.dose_limit",
                        Severity.ERROR,
                        (i,),
                        f"{med.name}: {shown} is above the adult maximum of {med.adult_max_daily_dose:g} {med.dose_unit}/day.",
                    )
                )
            continue
        if med.paediatric_max_daily_dose_per_kg is None and med.paediatric_max_daily_dose is None:
            findings.append(
                Finding(
                    "prescription.dose_limit",
                    Severity.WARNING,
                    (i,),
                    f"{med.name}: no paediatric dose limit is established; check the dose for this child.",
                )
            )
        if med.paediatric_max_daily_dose_per_kg is not None:
            if not weight_known:
                findings.append(
                    Finding(
                        "prescription.dose_limit",
                        Severity.ERROR,
                        (i,),
                        f"{med.name}: a child's dose needs a weight recorded in the last three months.",
                    )
                )
            else:
                assert patient.weight_kg is not None
                limit = med.paediatric_max_daily_dose_per_kg * patient.weight_kg
                if daily > limit:
                    findings.append(
                        Finding(
                            "prescription.dose_limit",
                            Severity.ERROR,
                            (i,),
                            f"{med.name}: {shown} is above {med.paediatric_max_daily_dose_per_kg:g} {med.dose_unit}/kg/day "
                            f"for {patient.weight_kg:g} kg ({limit:g} {med.dose_unit}/day).",
                        )
                    )
        if med.paediatric_max_daily_dose is not None and daily > med.paediatric_max_daily_dose:
            findings.append(
                Finding(
                    "prescription.dose_limit",
                    Severity.ERROR,
                    (i,),
                    f"{med.name}: {shown} is above the paediatric maximum of {med.paediatric_max_daily_dose:g} {med.dose_unit}/day.",
                )
            )
    return findings


# --- 4. duplicate therapy ----------------------------------------------------------------


def duplicate_therapy(items: Items, patient: PatientFacts, formulary: Formulary) -> list[Finding]:
    """The same ingredient twice, or two drugs of the same therapeutic class (ATC level 4),
    among the items or with the patient's active medications: warning."""
    known = _known(items, formulary)
    findings: list[Finding] = []
    for (i, _, first), (j, _, second) in combinations(known, 2):
        if set(first.ingredients) & set(second.ingredients) or first.therapeutic_class == second.therapeutic_class:
            findings.append(
                Finding(
                    "prescription.duplicate_therapy",
                    Severity.WARNING,
                    (min(i, j), max(i, j)),
                    f"{' and '.join(sorted((first.name, second.name)))} duplicate a therapy (same ingredient or class).",
                )
            )
    for current in _active_medications(patient, formulary):
        for i, _, med in known:
            if set(med.ingredients) & set(current.ingredients) or med.therapeutic_class == current.therapeutic_class:
                findings.append(
                    Finding(
                        "prescription.duplicate_therapy",
                        Severity.WARNING,
                        (i,),
                        f"{med.name} duplicates {current.name}, which the patient already takes.",
                    )
                )
    return findings


# --- 5. quantities -----------------------------------------------------------------------


def quantity(items: Items, formulary: Formulary) -> list[Finding]:
    """What is dispensed, the quantity of each fill counting the refills, covers at most the
    duration at the daily use; a schedule II substance has no refills and covers at most
    30 days."""
    findings: list[Finding] = []
    for i, item, med in _known(items, formulary):
        needed = item.duration_days * item.daily_doses
        supplied = item.quantity * (1 + item.refills)
        if supplied > needed + 1e-9:
            fills = f" over {1 + item.refills} fills" if item.refills else ""
            findings.append(
                Finding(
                    "prescription.quantity",
                    Severity.ERROR,
                    (i,),
                    f"{med.name}: {supplied} doses{fills} is more than {needed:g} for {item.duration_days} days.",
                )
            )
        if med.schedule_ii and item.refills > 0:
            findings.append(
                Finding(
                    "prescription.quantity", Severity.ERROR, (i,), f"{med.name} is a schedule II substance: no refills."
                )
            )
        if med.schedule_ii and item.duration_days > SCHEDULE_II_MAX_DAYS:
            findings.append(
                Finding(
                    "prescription.quantity",
                    Severity.ERROR,
                    (i,),
                    f"{med.name} is a schedule II substance: at most {SCHEDULE_II_MAX_DAYS} days.",
                )
            )
    return findings


# --- 6. prescriber -----------------------------------------------------------------------


def prescriber(items: Items, who: PrescriberFacts, formulary: Formulary) -> list[Finding]:
    """The prescriber may sign prescriptions, holds an active licence, and is authorised
    for the controlled substances prescribed."""
    everything = tuple(range(len(items)))
    findings: list[Finding] = []
    if not who.can_sign:
        findings.append(
            Finding(
                "prescription.prescriber",
                Severity.ERROR,
                everything,
                "The prescriber is not allowed to sign prescriptions (the prescriptions:sign permission).",
            )
        )
    if not who.licence_valid:
        findings.append(
            Finding("prescription.prescriber", Severity.ERROR, everything, "The prescriber has no licence valid today.")
        )
    if not who.can_prescribe:
        findings.append(
            Finding(
                "prescription.prescriber", Severity.ERROR, everything, "The prescriber is not authorised to prescribe."
            )
        )
    controlled = tuple(i for i, _, med in _known(items, formulary) if med.controlled_schedule)
    if controlled and not who.controlled_substances:
        findings.append(
            Finding(
                "prescription.prescriber",
                Severity.ERROR,
                controlled,
                "The prescriber is not authorised for controlled substances.",
            )
        )
    return findings


# --- 7. conditions and states ------------------------------------------------------------


def _icd10_key(code: str) -> str:
    """ICD-10 codes compare without their dot and case: ``I45.81`` lies under ``I45.8``,
    and so does ``I4581``."""
    return code.replace(".", "").strip().upper()


@cache
def _icd10_keys(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_icd10_key(prefix) for prefix in prefixes)


def condition(items: Items, patient: PatientFacts, formulary: Formulary, today: date) -> list[Finding]:
    """Contraindications by the patient's conditions or state (pregnancy, renal impairment
    below an eGFR threshold, age) listed in the formulary."""
    findings: list[Finding] = []
    age = patient.age_years(today)
    conditions = [_icd10_key(code) for code in patient.conditions]
    for i, _, med in _known(items, formulary):
        if med.min_age_years is not None and age < med.min_age_years:
            findings.append(
                Finding(
                    "prescription.condition",
                    Severity.ERROR,
                    (i,),
                    f"{med.name} is contraindicated under {med.min_age_years} years of age.",
                )
            )
        for contraindication in med.contraindications:
            applies = False
            if contraindication.kind is ContraindicationKind.CONDITION:
                prefixes = _icd10_keys(contraindication.icd10_prefixes)
                applies = any(code.startswith(prefixes) for code in conditions)
            elif contraindication.kind is ContraindicationKind.PREGNANCY:
                applies = patient.pregnant
            elif contraindication.kind is ContraindicationKind.RENAL:
                applies = (
                    patient.egfr is not None
                    and contraindication.egfr_below is not None
                    and patient.egfr < contraindication.egfr_below
                )
            if applies:
                findings.append(
                    Finding(
                        "prescription.condition",
                        Severity(contraindication.severity),
                        (i,),
                        f"{med.name}: {contraindication.text}",
                    )
                )
    return findings


def route(items: Items, formulary: Formulary) -> list[Finding]:
    """A route the formulary does not list for the medication: warning."""
    return [
        Finding(
            "prescription.route",
            Severity.WARNING,
            (i,),
            f"{med.name} is not given by the '{item.route}' route ({', '.join(med.routes)}).",
        )
        for i, item, med in _known(items, formulary)
        if med.routes and item.route.lower() not in med.routes
    ]
