"""Each rule family of domain-rules.md section 3, on the shipped formulary: cases that must
trigger a finding, and neighbouring cases that must not."""

from __future__ import annotations

import pytest

from medcore.domain.prescribing.facts import PrescriberFacts
from medcore.domain.prescribing.prescription import Severity
from tests.unit.prescribing.support import ADULT, PRESCRIBER, check, child, code_of, item, of, patient

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def test_a_sound_prescription_has_no_finding() -> None:
    assert check([item("amoxicillin", 500, per_day=3, days=7), item("paracetamol", 1, "g", per_day=4, days=5)]) == []


# --- 1. allergies -------------------------------------------------------------------------


class TestAllergy:
    def test_an_allergy_to_an_ingredient_is_an_error_for_every_product_containing_it(self) -> None:
        facts = patient(allergies=["Amoxicillin"])
        for name in ("amoxicillin", "co-amoxiclav"):
            found = of(check([item(name, 500, per_day=3)], facts), "allergy", ERROR)
            assert [f.items for f in found] == [(0,)], name

    def test_an_allergy_to_an_unrelated_substance_says_nothing(self) -> None:
        assert (
            of(check([item("paracetamol", 500, per_day=4)], patient(allergies=["amoxicillin", "latex"])), "allergy")
            == []
        )

    def test_an_allergy_by_atc_class_code_covers_the_whole_class(self) -> None:
        facts = patient(allergies=[("penicillins", "J01C")])
        for name in ("amoxicillin", "flucloxacillin", "phenoxymethylpenicillin"):
            assert of(check([item(name, 500, per_day=3)], facts), "allergy", ERROR), name
        assert of(check([item("azithromycin", 500)], facts), "allergy") == []

    def test_an_allergy_by_group_name_covers_the_group(self) -> None:
        nsaids = patient(allergies=["NSAIDs"])
        for name in ("ibuprofen", "naproxen", "aspirin"):
            assert of(check([item(name, 200, per_day=1)], nsaids), "allergy", ERROR), name
        assert of(check([item("paracetamol", 500, per_day=4)], nsaids), "allergy") == []
        penicillin = patient(allergies=["penicillin"])
        assert of(check([item("flucloxacillin", 500, per_day=4)], penicillin), "allergy", ERROR)

    def test_a_penicillin_allergy_warns_of_cross_sensitivity_with_cefalexin_without_forbidding_it(self) -> None:
        for facts in (patient(allergies=["penicillin"]), patient(allergies=[("Penicillin V", "J01CE02")])):
            found = of(check([item("cefalexin", 500, per_day=4)], facts), "allergy")
            assert [(f.severity, f.items) for f in found] == [(WARNING, (0,))]
            assert "cross-sensitivity" in found[0].message

    def test_no_cross_sensitivity_warning_without_a_related_allergy(self) -> None:
        assert of(check([item("cefalexin", 500, per_day=4)], patient(allergies=["trimethoprim"])), "allergy") == []

    def test_the_finding_names_the_item_at_fault(self) -> None:
        found = of(
            check(
                [item("paracetamol", 500, per_day=4), item("amoxicillin", 500, per_day=3)],
                patient(allergies=["amoxicillin"]),
            ),
            "allergy",
            ERROR,
        )
        assert [f.items for f in found] == [(1,)]


# --- 2. interactions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "severity"),
    [
        ("warfarin", "ibuprofen", WARNING),  # major: bleeding
        ("sertraline", "phenelzine", ERROR),  # SSRI + MAOI: contraindicated
        ("fluoxetine", "phenelzine", ERROR),
        ("simvastatin", "clarithromycin", ERROR),
        ("sildenafil", "isosorbide mononitrate", ERROR),  # PDE5 inhibitor + nitrate
        ("methotrexate", "trimethoprim", ERROR),
        ("lisinopril", "spironolactone", WARNING),  # ACE inhibitor + potassium-sparing diuretic
        ("ramipril", "spironolactone", WARNING),
        ("clopidogrel", "omeprazole", INFO),  # moderate
    ],
)
def test_interactions_between_two_items_take_the_formulary_severity(
    first: str, second: str, severity: Severity
) -> None:
    found = of(check([item(first, 10), item(second, 10)], ADULT), "interaction")
    assert [(f.severity, f.items) for f in found] == [(severity, (0, 1))]
    reversed_found = of(check([item(second, 10), item(first, 10)], ADULT), "interaction")
    assert [(f.severity, f.items, f.message) for f in reversed_found] == [(severity, (0, 1), found[0].message)]


def test_an_interaction_with_a_medication_the_patient_takes_names_the_new_item() -> None:
    found = of(
        check([item("paracetamol", 500, per_day=4), item("ibuprofen", 400, per_day=3)], patient(taking=["warfarin"])),
        "interaction",
    )
    assert [(f.severity, f.items) for f in found] == [(WARNING, (1,))]
    assert "which the patient takes" in found[0].message


def test_medications_without_a_known_interaction_say_nothing() -> None:
    assert (
        of(
            check(
                [item("amoxicillin", 500, per_day=3), item("paracetamol", 500, per_day=4)], patient(taking=["warfarin"])
            ),
            "interaction",
        )
        == []
    )
    assert of(check([item("simvastatin", 20)], patient(taking=["paracetamol"])), "interaction") == []


# --- 3. dose limits -------------------------------------------------------------------------


class TestDoseLimit:
    def test_an_adult_is_held_to_the_absolute_daily_maximum(self) -> None:
        assert of(check([item("ibuprofen", 400, per_day=3)]), "dose_limit") == []  # 1200 of 2400 mg
        assert of(check([item("ibuprofen", 600, per_day=4)]), "dose_limit") == []  # 2400: at the limit
        found = of(check([item("ibuprofen", 800, per_day=4)]), "dose_limit", ERROR)  # 3200 mg
        assert [f.items for f in found] == [(0,)]
        assert "3200 mg/day" in found[0].message

    @pytest.mark.parametrize(
        ("dose", "unit", "too_much"),
        [
            (1, "g", False),  # 4 x 1 g = 4 g: paracetamol's maximum
            (1000, "mg", False),
            (1_000_000, "mcg", False),
            (1.5, "g", True),  # 6 g
            (1_250_000, "mcg", True),  # 5 g
        ],
    )
    def test_units_convert_between_g_mg_and_mcg(self, dose: float, unit: str, too_much: bool) -> None:
        found = of(check([item("paracetamol", dose, unit, per_day=4, days=3)]), "dose_limit", ERROR)
        assert bool(found) is too_much

    def test_a_limit_kept_in_micrograms_converts_a_dose_in_milligrams(self) -> None:
        assert of(check([item("levothyroxine", 0.2, "mg", days=28)]), "dose_limit") == []  # 200 of 300 mcg
        assert of(check([item("levothyroxine", 0.4, "mg", days=28)]), "dose_limit", ERROR)  # 400 mcg

    def test_a_dose_in_a_unit_that_does_not_convert_cannot_be_checked(self) -> None:
        found = of(check([item("amoxicillin", 5, "ml", per_day=3)]), "dose_limit")
        assert [f.severity for f in found] == [WARNING]

    def test_an_as_needed_dose_counts_at_its_daily_maximum(self) -> None:
        assert of(check([item("paracetamol", 1000, as_needed=4, days=3, quantity=12)]), "dose_limit") == []
        assert of(check([item("paracetamol", 1000, as_needed=6, days=3, quantity=12)]), "dose_limit", ERROR)

    def test_an_interval_in_hours_gives_the_doses_a_day(self) -> None:
        assert of(check([item("paracetamol", 1000, every_hours=6, days=3)]), "dose_limit") == []  # 4 doses
        assert of(check([item("paracetamol", 1000, every_hours=4, days=3)]), "dose_limit", ERROR)  # 6 doses

    def test_a_child_is_held_to_the_dose_per_kilogram(self) -> None:
        five_years_18_kg = child(5, weight_kg=18)  # amoxicillin: 90 mg/kg/day = 1620 mg
        assert of(check([item("amoxicillin", 250, per_day=3)], five_years_18_kg), "dose_limit") == []
        found = of(check([item("amoxicillin", 500, per_day=4)], five_years_18_kg), "dose_limit", ERROR)
        assert len(found) == 1
        assert "18 kg" in found[0].message
        # The same dose for an adult is within the adult maximum of 3 g.
        assert of(check([item("amoxicillin", 500, per_day=4)], ADULT), "dose_limit") == []

    def test_a_childs_dose_needs_a_weight(self) -> None:
        found = of(check([item("amoxicillin", 250, per_day=3)], child(5)), "dose_limit", ERROR)
        assert len(found) == 1
        assert "weight" in found[0].message

    def test_a_weight_older_than_three_months_is_stale(self) -> None:
        assert (
            of(check([item("amoxicillin", 250, per_day=3)], child(5, weight_kg=18, weighed_days_ago=80)), "dose_limit")
            == []
        )
        stale = child(5, weight_kg=18, weighed_days_ago=100)
        assert of(check([item("amoxicillin", 250, per_day=3)], stale), "dose_limit", ERROR)

    def test_an_adult_needs_no_weight(self) -> None:
        assert of(check([item("amoxicillin", 500, per_day=3)], patient()), "dose_limit") == []

    def test_a_seventeen_year_old_is_a_child_and_an_eighteen_year_old_an_adult(self) -> None:
        dose = [item("amoxicillin", 500, per_day=3)]
        assert of(check(dose, child(17)), "dose_limit", ERROR)  # no weight recorded
        assert of(check(dose, child(18)), "dose_limit") == []

    def test_a_child_is_held_to_the_paediatric_cap_too(self) -> None:
        heavy_teenager = child(15, weight_kg=90)  # 90 mg/kg would allow 8.1 g; the cap is 3 g
        assert of(check([item("amoxicillin", 1000, per_day=4)], heavy_teenager), "dose_limit", ERROR)

    def test_a_drug_without_a_paediatric_limit_warns_for_a_child(self) -> None:
        found = of(check([item("warfarin", 3)], child(10, weight_kg=30)), "dose_limit")
        assert [f.severity for f in found] == [WARNING]


# --- 4. duplicate therapy -------------------------------------------------------------------


class TestDuplicateTherapy:
    def test_two_drugs_of_one_therapeutic_class(self) -> None:
        found = of(check([item("ibuprofen", 400, per_day=3), item("naproxen", 250, per_day=2)]), "duplicate_therapy")
        assert [(f.severity, f.items) for f in found] == [(WARNING, (0, 1))]

    def test_the_same_ingredient_twice(self) -> None:
        found = of(
            check([item("paracetamol", 500, per_day=2), item("co-codamol", 500, per_day=2)]), "duplicate_therapy"
        )
        assert [(f.severity, f.items) for f in found] == [(WARNING, (0, 1))]

    def test_a_drug_of_the_class_the_patient_already_takes(self) -> None:
        found = of(check([item("simvastatin", 20)], patient(taking=["atorvastatin"])), "duplicate_therapy")
        assert [(f.severity, f.items) for f in found] == [(WARNING, (0,))]

    def test_different_classes_are_no_duplicate(self) -> None:
        assert (
            of(
                check(
                    [item("amoxicillin", 500, per_day=3), item("ibuprofen", 400, per_day=3)],
                    patient(taking=["omeprazole"]),
                ),
                "duplicate_therapy",
            )
            == []
        )


# --- 5. quantities --------------------------------------------------------------------------


class TestQuantity:
    def test_the_quantity_covers_at_most_the_duration(self) -> None:
        assert of(check([item("amoxicillin", 500, per_day=3, days=7, quantity=21)]), "quantity") == []
        found = of(check([item("amoxicillin", 500, per_day=3, days=7, quantity=30)]), "quantity", ERROR)
        assert [f.items for f in found] == [(0,)]

    def test_refills_count_in_what_is_dispensed(self) -> None:
        assert of(check([item("atorvastatin", 20, days=90, quantity=30, refills=2)]), "quantity") == []
        assert of(check([item("atorvastatin", 20, days=90, quantity=30, refills=3)]), "quantity", ERROR)

    def test_an_as_needed_quantity_counts_at_the_daily_maximum(self) -> None:
        assert of(check([item("paracetamol", 500, as_needed=4, days=5, quantity=20)]), "quantity") == []
        assert of(check([item("paracetamol", 500, as_needed=4, days=5, quantity=21)]), "quantity", ERROR)

    def test_a_schedule_ii_substance_has_no_refill(self) -> None:
        found = of(check([item("morphine", 10, per_day=2, days=10, quantity=10, refills=1)]), "quantity", ERROR)
        assert any("no refills" in f.message for f in found)
        assert of(check([item("morphine", 10, per_day=2, days=10, refills=0)]), "quantity") == []

    def test_a_schedule_ii_substance_covers_at_most_thirty_days(self) -> None:
        assert of(check([item("oxycodone", 5, per_day=2, days=30)]), "quantity") == []
        found = of(check([item("oxycodone", 5, per_day=2, days=31)]), "quantity", ERROR)
        assert any("30 days" in f.message for f in found)

    def test_other_schedules_may_have_refills(self) -> None:
        assert of(check([item("tramadol", 50, per_day=2, days=10, quantity=10, refills=1)]), "quantity") == []


# --- 6. the prescriber ----------------------------------------------------------------------


class TestPrescriber:
    def test_a_prescriber_in_order_says_nothing(self) -> None:
        assert of(check([item("morphine", 10, per_day=2)]), "prescriber") == []

    @pytest.mark.parametrize(
        "prescriber",
        [
            PrescriberFacts(can_sign=False, licence_valid=True, can_prescribe=True, controlled_substances=True),
            PrescriberFacts(can_sign=True, licence_valid=False, can_prescribe=True, controlled_substances=True),
            PrescriberFacts(can_sign=True, licence_valid=True, can_prescribe=False, controlled_substances=True),
        ],
    )
    def test_without_the_permission_a_licence_or_the_right_to_prescribe_every_item_is_refused(
        self, prescriber: PrescriberFacts
    ) -> None:
        found = of(
            check([item("amoxicillin", 500, per_day=3), item("paracetamol", 500)], prescriber=prescriber),
            "prescriber",
            ERROR,
        )
        assert [f.items for f in found] == [(0, 1)]

    def test_controlled_substances_need_an_authorisation(self) -> None:
        no_authorisation = PrescriberFacts(
            can_sign=True, licence_valid=True, can_prescribe=True, controlled_substances=False
        )
        items = [item("amoxicillin", 500, per_day=3), item("morphine", 10, per_day=2), item("tramadol", 50, per_day=2)]
        found = of(check(items, prescriber=no_authorisation), "prescriber", ERROR)
        assert [f.items for f in found] == [(1, 2)]
        assert of(check(items, prescriber=PRESCRIBER), "prescriber") == []
        assert of(check(items[:1], prescriber=no_authorisation), "prescriber") == []


# --- 7. conditions and states ---------------------------------------------------------------


class TestCondition:
    def test_pregnancy(self) -> None:
        found = of(check([item("warfarin", 3)], patient(pregnant=True)), "condition", ERROR)
        assert [f.items for f in found] == [(0,)]
        assert of(check([item("warfarin", 3)], patient(pregnant=False)), "condition") == []

    def test_renal_impairment_below_each_threshold(self) -> None:
        metformin = [item("metformin", 500, per_day=2)]  # error below 30, warning below 45
        assert sorted(f.severity for f in of(check(metformin, patient(egfr=25)), "condition")) == [ERROR, WARNING]
        assert [f.severity for f in of(check(metformin, patient(egfr=40)), "condition")] == [WARNING]
        assert of(check(metformin, patient(egfr=45)), "condition") == []
        assert of(check(metformin, patient(egfr=None)), "condition") == []

    def test_a_condition_by_icd10_prefix_with_or_without_the_dot(self) -> None:
        for code in ("K25.9", "K259", "k25"):
            found = of(check([item("ibuprofen", 400, per_day=3)], patient(conditions=[code])), "condition", ERROR)
            assert found, code
        asthma = of(check([item("ibuprofen", 400, per_day=3)], patient(conditions=["J45.9"])), "condition")
        assert [f.severity for f in asthma] == [WARNING]
        assert of(check([item("ibuprofen", 400, per_day=3)], patient(conditions=["I10"])), "condition") == []

    def test_a_subcategory_prefix_matches_its_subcategories_only(self) -> None:
        long_qt = [item("clarithromycin", 500, per_day=2)]  # I45.8, long QT
        assert of(check(long_qt, patient(conditions=["I45.81"])), "condition", ERROR)
        assert of(check(long_qt, patient(conditions=["I45.0"])), "condition") == []

    def test_a_minimum_age_aspirin_under_sixteen(self) -> None:
        aspirin = [item("aspirin", 75)]
        found = of(check(aspirin, child(15, weight_kg=50)), "condition", ERROR)
        assert any("16" in f.message for f in found)
        assert of(check(aspirin, child(16, weight_kg=50)), "condition") == []


# --- unknown medications and routes ---------------------------------------------------------


def test_a_medication_missing_from_the_formulary_is_an_error_and_other_rules_skip_it() -> None:
    found = check([item("A01AA99", 5), item("amoxicillin", 500, per_day=3)])
    assert [(f.code, f.severity, f.items) for f in found] == [("prescription.unknown_medication", ERROR, (0,))]


def test_a_route_the_formulary_does_not_list_is_a_warning() -> None:
    found = of(check([item("amoxicillin", 500, per_day=3, route="topical")]), "route")
    assert [(f.severity, f.items) for f in found] == [(WARNING, (0,))]
    assert of(check([item("diclofenac", 50, per_day=3, route="rectal")]), "route") == []


def test_findings_come_errors_first_without_duplicates() -> None:
    found = check(
        [item("warfarin", 3), item("ibuprofen", 800, per_day=4), item("aspirin", 75)],
        patient(pregnant=True, taking=["naproxen"]),
    )
    ranks = [{ERROR: 0, WARNING: 1, INFO: 2}[f.severity] for f in found]
    assert ranks == sorted(ranks)
    assert len(found) == len(set(found))
    assert code_of("aspirin") == "B01AC06"
