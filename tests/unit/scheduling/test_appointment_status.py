"""The appointment status machine, cancellation and what occupies a calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.scheduling.appointment import (
    OCCUPYING,
    TRANSITIONS,
    AppointmentStatus,
    CancellationReason,
)
from medcore.domain.shared.errors import ErrorKind
from tests.unit.scheduling.support import appointment

S = AppointmentStatus
START = datetime(2026, 6, 8, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
STAFF = UUID(int=99)

# Written out from domain-rules.md section 2, not derived from TRANSITIONS.
ALLOWED = {
    (S.REQUESTED, S.CONFIRMED),
    (S.REQUESTED, S.CANCELLED),
    (S.CONFIRMED, S.CHECKED_IN),
    (S.CONFIRMED, S.CANCELLED),
    (S.CONFIRMED, S.NO_SHOW),
    (S.CHECKED_IN, S.IN_PROGRESS),
    (S.CHECKED_IN, S.CANCELLED),
    (S.IN_PROGRESS, S.COMPLETED),
}
FINAL = {S.COMPLETED, S.CANCELLED, S.NO_SHOW}


def test_the_transition_table_is_the_documented_one() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert set(TRANSITIONS) == set(S)


@settings(max_examples=200, deadline=None)
@given(status=st.sampled_from(S), target=st.sampled_from(S))
def test_transition_accepts_exactly_the_documented_pairs_except_cancellation(status: S, target: S) -> None:
    appt = appointment(START, 30, n=1, status=status)

    result = appt.transition(target, NOW)

    if (status, target) in ALLOWED and target is not S.CANCELLED:
        assert result == Success(None)
        assert appt.status is target
        assert appt.status_changed_at == NOW
        assert appt.updated_at == NOW
    else:
        assert isinstance(result, Failure)
        error = result.failure()
        assert error.code == "appointment.invalid_transition"
        assert error.kind is ErrorKind.CONFLICT
        assert error.extra == {"status": status.value, "requested": target.value}
        assert appt.status is status
        assert appt.status_changed_at is None


@settings(max_examples=100, deadline=None)
@given(status=st.sampled_from(S), reason=st.sampled_from(CancellationReason))
def test_only_requested_confirmed_and_checked_in_appointments_can_be_cancelled(
    status: S, reason: CancellationReason
) -> None:
    appt = appointment(START, 30, n=1, status=status)

    result = appt.cancel(reason, NOW, timedelta(hours=24), by=STAFF, note="called")

    if status in (S.REQUESTED, S.CONFIRMED, S.CHECKED_IN):
        cancellation = result.unwrap()
        assert appt.status is S.CANCELLED
        assert appt.cancellation == cancellation
        assert (cancellation.reason, cancellation.at, cancellation.by, cancellation.note) == (
            reason,
            NOW,
            STAFF,
            "called",
        )
        assert not appt.occupying
    else:
        assert isinstance(result, Failure)
        assert result.failure().code == "appointment.invalid_transition"
        assert appt.status is status
        assert appt.cancellation is None


@settings(max_examples=100, deadline=None)
@given(path=st.lists(st.sampled_from(S), max_size=8), cancel_at=st.integers(0, 8))
def test_final_statuses_stay_final_along_any_path(path: list[S], cancel_at: int) -> None:
    appt = appointment(START, 30, n=1, status=S.REQUESTED)
    for step, target in enumerate(path):
        before = appt.status
        if step == cancel_at:
            appt.cancel(CancellationReason.OTHER, NOW, timedelta(hours=24), by=None)
        else:
            appt.transition(target, NOW)
        if before in FINAL:
            assert appt.status is before
        assert appt.status is before or (before, appt.status) in ALLOWED


@settings(max_examples=150, deadline=None)
@given(
    minutes_before=st.integers(-3 * 24 * 60, 3 * 24 * 60),
    window_minutes=st.sampled_from([0, 60, 24 * 60, 48 * 60]),
    reason=st.sampled_from(CancellationReason),
)
def test_a_cancellation_is_late_exactly_when_less_than_the_window_before_the_start(
    minutes_before: int, window_minutes: int, reason: CancellationReason
) -> None:
    appt = appointment(START, 30, n=1, status=S.CONFIRMED)
    now = START - timedelta(minutes=minutes_before)

    cancellation = appt.cancel(reason, now, timedelta(minutes=window_minutes), by=None).unwrap()

    expected = minutes_before < window_minutes and reason is not CancellationReason.RESCHEDULED
    assert cancellation.late is expected


def test_late_cancellation_boundaries() -> None:
    window = timedelta(hours=24)

    exactly = appointment(START, 30, n=1).cancel(CancellationReason.PATIENT_REQUEST, START - window, window, by=None)
    a_minute_less = appointment(START, 30, n=2).cancel(
        CancellationReason.PATIENT_REQUEST, START - window + timedelta(minutes=1), window, by=None
    )
    moved = appointment(START, 30, n=3).cancel(CancellationReason.RESCHEDULED, START, window, by=None)

    assert exactly.unwrap().late is False
    assert a_minute_less.unwrap().late is True
    assert moved.unwrap().late is False


def test_occupying_statuses_are_exactly_those_that_take_calendar_time() -> None:
    expected = {S.REQUESTED, S.CONFIRMED, S.CHECKED_IN, S.IN_PROGRESS, S.COMPLETED}

    assert expected == OCCUPYING
    assert {s for s in S if s.occupying} == expected
    assert {s for s in S if appointment(START, 30, n=1, status=s).occupying} == expected


def test_an_appointment_blocks_its_practitioner_for_the_buffer_after_it() -> None:
    appt = appointment(START, 30, n=1, buffer_minutes=10)

    assert appt.interval.end == START + timedelta(minutes=30)
    assert appt.blocked_until == START + timedelta(minutes=40)
    assert appt.practitioner_interval.end == START + timedelta(minutes=40)
    assert appt.duration == timedelta(minutes=30)
