"""The properties of domain-rules.md section 3, over random prescriptions drawn from the
shipped formulary and random patient facts: the result does not depend on item order;
adding an allergy, an active medication or a condition never removes a finding; removing
an item never adds one; the same inputs always give the same findings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from medcore.domain.prescribing.facts import AllergyFact, MedicationFact, PatientFacts, PrescriberFacts
from medcore.domain.prescribing.prescription import (
    ROUTES,
    Acknowledgement,
    Finding,
    Frequency,
    FrequencyKind,
    PrescriptionItem,
    Severity,
    unacknowledged,
)
from tests.unit.prescribing.support import FORMULARY, TODAY, check

MEDICATIONS = FORMULARY.all()
UNKNOWN_CODE = "A01AA99"
GROUPS = sorted({group for m in MEDICATIONS for group in (*m.groups, *m.cross_sensitivity_groups)})
ICD10_CODES = sorted(
    {prefix for m in MEDICATIONS for c in m.contraindications for prefix in c.icd10_prefixes}
    | {"I10", "E11.9", "J45.909", "K25.9", "I45.81", "Z34.0", "O24.4"}
)
SUBSTANCES = sorted(
    {m.name for m in MEDICATIONS}
    | {i for m in MEDICATIONS for i in m.ingredients}
    | {g.replace("_", " ") for g in GROUPS}
    | {"penicillin", "NSAIDs", "latex", "peanut", "sulfa"}
)
ATC_PREFIXES = sorted({m.code[:n] for m in MEDICATIONS for n in (3, 4, 5, 7)})


@st.composite
def items(draw: st.DrawFn) -> PrescriptionItem:
    medication = draw(st.sampled_from(MEDICATIONS))
    code = draw(st.sampled_from([medication.code] * 9 + [UNKNOWN_CODE]))
    kind = draw(st.sampled_from(FrequencyKind))
    if kind is FrequencyKind.INTERVAL_HOURS:
        value = float(draw(st.sampled_from([4, 6, 8, 12, 24, 48])))
    else:
        value = float(draw(st.integers(1, 8)))
    return PrescriptionItem(
        medication_code=code,
        dose_amount=draw(st.sampled_from([0.05, 0.1, 0.5, 1, 2.5, 5, 10, 20, 40, 100, 250, 500, 1000, 2000])),
        dose_unit=draw(st.sampled_from(["mg", "g", "mcg", "ml", "unit", medication.dose_unit])),
        route=draw(st.sampled_from(sorted(ROUTES) + list(medication.routes) * 4)),
        frequency=Frequency(kind, value),
        duration_days=draw(st.integers(1, 90)),
        quantity=draw(st.integers(1, 300)),
        refills=draw(st.integers(0, 3)),
    )


allergies = st.builds(
    AllergyFact,
    substance=st.sampled_from(SUBSTANCES),
    code=st.none() | st.sampled_from(ATC_PREFIXES),
)
medications = st.sampled_from(MEDICATIONS).flatmap(
    lambda m: st.sampled_from([MedicationFact(code=m.code, name=m.name), MedicationFact(name=m.name)])
)
conditions = st.sampled_from(ICD10_CODES)


@st.composite
def patients(draw: st.DrawFn) -> PatientFacts:
    weighed = draw(st.booleans())
    return PatientFacts(
        birth_date=draw(st.dates(date(1925, 1, 1), TODAY)),
        allergies=tuple(draw(st.lists(allergies, max_size=4))),
        active_medications=tuple(draw(st.lists(medications, max_size=5))),
        conditions=tuple(draw(st.lists(conditions, max_size=4))),
        weight_kg=draw(st.floats(3, 150)) if weighed else None,
        weight_measured_on=TODAY - timedelta(days=draw(st.integers(0, 200))) if weighed else None,
        pregnant=draw(st.booleans()),
        egfr=draw(st.none() | st.floats(5, 120)),
    )


prescribers = st.builds(PrescriberFacts, st.booleans(), st.booleans(), st.booleans(), st.booleans())
prescriptions = st.lists(items(), min_size=1, max_size=8)


def by_items(findings: Sequence[Finding], listed: Sequence[PrescriptionItem]) -> Counter[tuple[object, ...]]:
    """Findings with their item indexes replaced by the items themselves: comparable across
    orders of the same items."""
    return Counter(
        (f.code, f.severity, f.message, tuple(sorted((listed[i] for i in f.items), key=repr))) for f in findings
    )


@settings(max_examples=300, deadline=None)
@given(prescriptions, patients(), prescribers, st.randoms(use_true_random=False))
def test_item_order_does_not_matter(
    listed: list[PrescriptionItem], facts: PatientFacts, prescriber: PrescriberFacts, random: Random
) -> None:
    shuffled = list(listed)
    random.shuffle(shuffled)
    assert by_items(check(shuffled, facts, prescriber), shuffled) == by_items(check(listed, facts, prescriber), listed)


@settings(max_examples=300, deadline=None)
@given(prescriptions, patients(), prescribers, allergies)
def test_adding_an_allergy_never_removes_a_finding(
    listed: list[PrescriptionItem], facts: PatientFacts, prescriber: PrescriberFacts, allergy: AllergyFact
) -> None:
    more = replace(facts, allergies=(*facts.allergies, allergy))
    assert set(check(listed, facts, prescriber)) <= set(check(listed, more, prescriber))


@settings(max_examples=300, deadline=None)
@given(prescriptions, patients(), prescribers, medications)
def test_adding_an_active_medication_never_removes_a_finding(
    listed: list[PrescriptionItem], facts: PatientFacts, prescriber: PrescriberFacts, medication: MedicationFact
) -> None:
    more = replace(facts, active_medications=(*facts.active_medications, medication))
    assert set(check(listed, facts, prescriber)) <= set(check(listed, more, prescriber))


@settings(max_examples=300, deadline=None)
@given(prescriptions, patients(), prescribers, conditions)
def test_adding_a_condition_never_removes_a_finding(
    listed: list[PrescriptionItem], facts: PatientFacts, prescriber: PrescriberFacts, condition: str
) -> None:
    more = replace(facts, conditions=(*facts.conditions, condition))
    assert set(check(listed, facts, prescriber)) <= set(check(listed, more, prescriber))


@settings(max_examples=300, deadline=None)
@given(st.lists(items(), min_size=2, max_size=8), patients(), prescribers, st.data())
def test_removing_an_item_never_adds_a_finding(
    listed: list[PrescriptionItem], facts: PatientFacts, prescriber: PrescriberFacts, data: st.DataObject
) -> None:
    removed = data.draw(st.integers(0, len(listed) - 1))
    fewer = listed[:removed] + listed[removed + 1 :]
    before = check(listed, facts, prescriber)
    for finding in check(fewer, facts, prescriber):
        # Each index after the removal, as it was before.
        items_before = {i if i < removed else i + 1 for i in finding.items}
        assert any(
            (f.code, f.severity, f.message) == (finding.code, finding.severity, finding.message)
            and items_before <= set(f.items)
            for f in before
        ), f"{finding} appeared when item {removed} was removed"


@settings(max_examples=200, deadline=None)
@given(prescriptions, patients(), prescribers)
def test_the_same_inputs_always_give_the_same_findings(
    listed: list[PrescriptionItem], facts: PatientFacts, prescriber: PrescriberFacts
) -> None:
    first = check(listed, facts, prescriber)
    assert check(list(listed), replace(facts), replace(prescriber)) == first
    assert check(listed, facts, prescriber) == first


@settings(max_examples=200, deadline=None)
@given(prescriptions, patients(), prescribers, st.data())
def test_only_errors_and_unacknowledged_warnings_block_signing(
    listed: list[PrescriptionItem], facts: PatientFacts, prescriber: PrescriberFacts, data: st.DataObject
) -> None:
    findings = check(listed, facts, prescriber)
    every_warning = [
        Acknowledgement(f.code, i, "reviewed with the patient")
        for f in findings
        if f.severity is Severity.WARNING
        for i in f.items
    ]
    assert unacknowledged(findings, every_warning) == [f for f in findings if f.severity is Severity.ERROR]
    if every_warning:
        missing = data.draw(st.sampled_from(every_warning))
        some = [a for a in every_warning if a != missing]
        blocking = unacknowledged(findings, some)
        assert any(f.code == missing.code and missing.item_index in f.items for f in blocking)
        blank = [replace(a, reason="  ") if a == missing else a for a in every_warning]
        assert unacknowledged(findings, blank) == blocking
    assert all(f.severity is not Severity.INFO for f in unacknowledged(findings, []))
