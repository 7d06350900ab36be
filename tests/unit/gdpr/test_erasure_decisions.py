"""The erasure rule on its own: nothing under a hold or within its retention period goes;
everything else goes by its class's action; personal data goes unless a hold covers it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from medcore.domain.compliance.disposal import RetentionCandidate
from medcore.domain.compliance.holds import HoldScope, LegalHold
from medcore.domain.compliance.retention import Disposal, Preset, RecordClass, RetentionSettings
from medcore.domain.gdpr.erasure import (
    BasisKind,
    ErasureOutcome,
    PersonalData,
    PersonalDataFinding,
    decide_erasure,
    decide_personal_data,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PATIENT = UUID(int=1)
OTHER = UUID(int=2)
DOCTOR = UUID(int=3)


def hold(scope: HoldScope, subject: UUID | None, *, released: bool = False) -> LegalHold:
    return LegalHold(
        id=uuid4(),
        organization_id=UUID(int=99),
        scope=scope,
        subject_id=subject,
        reason="litigation",
        placed_by=None,
        placed_at=NOW,
        released_at=NOW if released else None,
        created_at=NOW,
        updated_at=NOW,
    )


days = st.integers(min_value=0, max_value=40 * 365)
candidates = st.builds(
    lambda record_class, age, activity, care, birth, patient, doctor: RetentionCandidate(
        record_class=record_class,
        record_id=uuid4(),
        patient_id=patient,
        practitioner_ids=frozenset({doctor}) if doctor else frozenset(),
        created_on=date(2026, 3, 2) - timedelta(days=age),
        last_activity_on=date(2026, 3, 2) - timedelta(days=min(age, activity)),
        end_of_care_on=None if care is None else date(2026, 3, 2) - timedelta(days=min(age, care)),
        patient_birth_date=None if birth is None else date(2026, 3, 2) - timedelta(days=birth),
    ),
    st.sampled_from([c for c in RecordClass if c is not RecordClass.AUDIT_EVENT]),
    days,
    days,
    st.none() | days,
    st.none() | st.integers(min_value=0, max_value=90 * 365),
    st.sampled_from([PATIENT, OTHER]),
    st.sampled_from([None, DOCTOR]),
)
holds = st.lists(
    st.sampled_from(
        [
            (HoldScope.PATIENT, PATIENT, False),
            (HoldScope.PATIENT, PATIENT, True),
            (HoldScope.PATIENT, OTHER, False),
            (HoldScope.PRACTITIONER, DOCTOR, False),
            (HoldScope.ORGANIZATION, None, False),
            (HoldScope.ORGANIZATION, None, True),
        ]
    ),
    max_size=3,
).map(lambda specs: [hold(scope, subject, released=released) for scope, subject, released in specs])
presets = st.builds(RetentionSettings, preset=st.sampled_from(list(Preset)))


@settings(max_examples=100, deadline=None)
@given(candidates, holds, presets)
def test_nothing_held_or_within_its_period_is_erased_and_the_rest_is(
    candidate: RetentionCandidate, active_holds: list[LegalHold], retention: RetentionSettings
) -> None:
    today = NOW.date()
    decision = decide_erasure(candidate, retention, active_holds, today)
    policy = retention.policy(candidate.record_class)
    held = any(
        h.covers(patient_id=candidate.patient_id, practitioner_ids=candidate.practitioner_ids) for h in active_holds
    )
    anchor = candidate.anchor_date(policy.anchor) or today
    running = today < policy.due_on(anchor, candidate.patient_birth_date)

    if held:
        assert decision.outcome is ErasureOutcome.KEPT
        assert decision.basis is not None and decision.basis.kind is BasisKind.LEGAL_HOLD
        assert decision.basis.hold_ids
    elif running:
        assert decision.outcome is ErasureOutcome.KEPT
        assert decision.basis is not None and decision.basis.kind is BasisKind.RETENTION
        assert decision.basis.until is not None and decision.basis.until > today
        assert decision.basis.preset == retention.preset.value
        assert decision.basis.record_class == candidate.record_class.value
    else:
        expected = ErasureOutcome.ANONYMISED if policy.action is Disposal.ANONYMISE else ErasureOutcome.ERASED
        assert decision.outcome is expected and decision.basis is None
        assert decision.disposal in (Disposal.ANONYMISE, Disposal.DELETE)


def test_end_of_care_runs_from_the_erasure_request() -> None:
    record = RetentionCandidate(
        record_class=RecordClass.MEDICAL_RECORD,
        record_id=uuid4(),
        patient_id=PATIENT,
        practitioner_ids=frozenset(),
        created_on=date(1990, 1, 1),
        last_activity_on=date(1990, 1, 1),
    )
    old = decide_erasure(record, RetentionSettings(preset=Preset.FRANCE), [], NOW.date())
    assert old.outcome is ErasureOutcome.ANONYMISED  # 20 years from the last visit have passed

    recent = RetentionCandidate(
        record_class=RecordClass.MEDICAL_RECORD,
        record_id=uuid4(),
        patient_id=PATIENT,
        practitioner_ids=frozenset(),
        created_on=date(2025, 1, 1),
        last_activity_on=date(2026, 2, 1),
        patient_birth_date=date(2015, 5, 1),
    )
    kept = decide_erasure(recent, RetentionSettings(preset=Preset.FRANCE), [], NOW.date())
    assert kept.outcome is ErasureOutcome.KEPT and kept.basis is not None
    assert kept.basis.until == date(2046, 2, 1)  # 20 years from the last visit (later than the 28th birthday)
    assert (kept.basis.years, kept.basis.anchor) == (20, "last_activity")


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(list(PersonalData)), holds)
def test_personal_data_goes_unless_a_hold_covers_the_patient(
    category: PersonalData, active_holds: list[LegalHold]
) -> None:
    finding = PersonalDataFinding(category=category, record_ids=(uuid4(),))
    decision = decide_personal_data(finding, PATIENT, active_holds)
    if any(h.covers(patient_id=PATIENT) for h in active_holds):
        assert decision.outcome is ErasureOutcome.KEPT and decision.basis is not None
    else:
        assert decision.outcome is not ErasureOutcome.KEPT and decision.basis is None
