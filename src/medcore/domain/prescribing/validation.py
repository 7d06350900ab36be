"""Validating a prescription: every rule, one deterministic list of findings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from medcore.domain.prescribing import rules
from medcore.domain.prescribing.facts import PatientFacts, PrescriberFacts
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.prescribing.prescription import Finding, PrescriptionItem, Severity

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def validate(
    items: Sequence[PrescriptionItem],
    patient: PatientFacts,
    prescriber: PrescriberFacts,
    formulary: Formulary,
    today: date,
) -> list[Finding]:
    """All findings, errors first, without duplicates. The same inputs always give the same
    findings in the same order."""
    found = [
        *rules.unknown_medications(items, formulary),
        *rules.allergy(items, patient, formulary),
        *rules.interaction(items, patient, formulary),
        *rules.dose_limit(items, patient, formulary, today),
        *rules.duplicate_therapy(items, patient, formulary),
        *rules.quantity(items, formulary),
        *rules.prescriber(items, prescriber, formulary),
        *rules.condition(items, patient, formulary, today),
        *rules.route(items, formulary),
    ]
    unique = set(found)
    return sorted(unique, key=lambda f: (_SEVERITY_ORDER[f.severity], f.code, f.items, f.message))
