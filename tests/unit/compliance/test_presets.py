"""The retention presets and the disposal decision (domain-rules.md section 5): periods, the
events they run from, the age floor for minors, lengthening never shortening, holds."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from medcore.domain.compliance.disposal import RetentionCandidate, Verdict, decide
from medcore.domain.compliance.holds import HoldScope, LegalHold
from medcore.domain.compliance.retention import (
    PRESETS,
    Anchor,
    ClassPolicy,
    Disposal,
    Preset,
    RecordClass,
    RetentionSettings,
)

FRANCE = PRESETS[Preset.FRANCE]
PATIENT = UUID(int=1)


def candidate(record_class: RecordClass, **fields: object) -> RetentionCandidate:
    values: dict[str, object] = {
        "record_class": record_class,
        "record_id": UUID(int=99),
        "patient_id": PATIENT,
        "practitioner_ids": frozenset(),
        "created_on": date(2000, 1, 10),
        **fields,
    }
    return RetentionCandidate(**values)  # type: ignore[arg-type]


def test_france_keeps_the_record_20_years_from_the_last_visit_and_minors_until_28() -> None:
    policy = FRANCE[RecordClass.MEDICAL_RECORD]
    assert (policy.years, policy.anchor) == (20, Anchor.LAST_ACTIVITY)
    adult = candidate(
        RecordClass.MEDICAL_RECORD, last_activity_on=date(2010, 6, 1), patient_birth_date=date(1970, 1, 1)
    )
    assert decide(adult, policy, [], date(2030, 5, 31)).verdict is Verdict.KEEP
    assert decide(adult, policy, [], date(2030, 6, 1)).verdict is Verdict.DISPOSE
    # A child last seen at 5: 20 years later they are 25, kept until their 28th birthday.
    child = candidate(
        RecordClass.MEDICAL_RECORD, last_activity_on=date(2010, 6, 1), patient_birth_date=date(2005, 3, 15)
    )
    assert decide(child, policy, [], date(2030, 6, 1)).verdict is Verdict.KEEP
    assert decide(child, policy, [], date(2033, 3, 14)).verdict is Verdict.KEEP
    assert decide(child, policy, [], date(2033, 3, 15)).due_on == date(2033, 3, 15)
    assert decide(child, policy, [], date(2033, 3, 15)).verdict is Verdict.DISPOSE


def test_france_keeps_prescriptions_3_years_and_controlled_ones_10() -> None:
    for record_class, years in ((RecordClass.PRESCRIPTION, 3), (RecordClass.CONTROLLED_PRESCRIPTION, 10)):
        policy = FRANCE[record_class]
        record = candidate(record_class, created_on=date(2020, 2, 1))
        assert decide(record, policy, [], date(2020 + years, 1, 31)).verdict is Verdict.KEEP
        assert decide(record, policy, [], date(2020 + years, 2, 1)).verdict is Verdict.DISPOSE


def test_hipaa_keeps_documentation_and_audit_6_years() -> None:
    for record_class in (RecordClass.AUDIT_EVENT, RecordClass.PRESCRIPTION, RecordClass.CONSULTATION):
        assert PRESETS[Preset.HIPAA][record_class].years == 6


def test_a_period_ending_on_a_missing_day_ends_on_the_months_last_day() -> None:
    leap = ClassPolicy(1, Anchor.CREATION, Disposal.DELETE)
    assert leap.due_on(date(2024, 2, 29)) == date(2025, 2, 28)
    monthly = ClassPolicy(0, Anchor.CREATION, Disposal.DELETE, months=1)
    assert monthly.due_on(date(2026, 1, 31)) == date(2026, 2, 28)
    assert monthly.due_on(date(2026, 12, 15)) == date(2027, 1, 15)


def test_an_organization_lengthens_a_period_but_never_shortens_it_or_drops_the_age_floor() -> None:
    france = RetentionSettings(preset=Preset.FRANCE)
    longer = ClassPolicy(25, Anchor.LAST_ACTIVITY, Disposal.ANONYMISE, min_age_years=30)
    assert (
        france.with_override(RecordClass.MEDICAL_RECORD, longer).validate().unwrap().policy(RecordClass.MEDICAL_RECORD)
        == longer
    )
    for shorter in (
        ClassPolicy(19, Anchor.LAST_ACTIVITY, Disposal.ANONYMISE, min_age_years=28),
        ClassPolicy(20, Anchor.LAST_ACTIVITY, Disposal.ANONYMISE),  # no floor for minors
        ClassPolicy(20, Anchor.LAST_ACTIVITY, Disposal.ANONYMISE, min_age_years=27),
        ClassPolicy(30, Anchor.CREATION, Disposal.ANONYMISE, min_age_years=28),  # another event
    ):
        refused = france.with_override(RecordClass.MEDICAL_RECORD, shorter).validate()
        assert [issue.field for issue in refused.failure().fields] == ["settings.retention.overrides.medical_record"]


def test_a_hold_on_the_patient_stops_a_due_disposal_until_it_is_released() -> None:
    record = candidate(RecordClass.PRESCRIPTION, created_on=date(2000, 1, 1))
    hold = LegalHold(
        id=UUID(int=7),
        organization_id=UUID(int=3),
        scope=HoldScope.PATIENT,
        subject_id=PATIENT,
        reason="Litigation",
        placed_by=None,
        placed_at=datetime(2020, 1, 1),
        created_at=datetime(2020, 1, 1),
        updated_at=datetime(2020, 1, 1),
    )
    held = decide(record, FRANCE[RecordClass.PRESCRIPTION], [hold], date(2026, 1, 1))
    assert (held.verdict, held.hold_ids) == (Verdict.HELD, (UUID(int=7),))
    hold.release(None, None, datetime(2026, 1, 1)).unwrap()
    assert decide(record, FRANCE[RecordClass.PRESCRIPTION], [hold], date(2026, 1, 1)).verdict is Verdict.DISPOSE


@settings(max_examples=100, deadline=None)
@given(
    preset=st.sampled_from(list(Preset)),
    record_class=st.sampled_from(list(RecordClass)),
    anchor=st.dates(date(1950, 1, 1), date(2060, 12, 31)),
    birth=st.none() | st.dates(date(1900, 1, 1), date(2060, 12, 31)),
    today=st.dates(date(1950, 1, 1), date(2150, 12, 31)),
)
def test_nothing_is_disposed_before_its_period_or_the_age_floor(
    preset: Preset, record_class: RecordClass, anchor: date, birth: date | None, today: date
) -> None:
    policy = PRESETS[preset][record_class]
    record = candidate(
        record_class, created_on=anchor, last_activity_on=anchor, end_of_care_on=anchor, patient_birth_date=birth
    )
    decision = decide(record, policy, [], today)
    # Independent lower bounds: a year lasts at least 365 days, a month at least 28.
    period_end = anchor + timedelta(days=365 * policy.years + 28 * policy.months)
    if decision.verdict is Verdict.DISPOSE:
        assert today >= period_end
        if policy.min_age_years is not None and birth is not None:
            assert today >= birth + timedelta(days=365 * policy.min_age_years)
        assert decision.due_on is not None and decision.due_on <= today
    else:
        assert decision.due_on is not None and today < decision.due_on
