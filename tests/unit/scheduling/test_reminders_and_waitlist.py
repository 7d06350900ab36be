"""When reminders fall due, and the waitlist entry's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.reminder import reminder_times
from medcore.domain.scheduling.waitlist import WaitlistEntry, WaitlistStatus
from medcore.domain.shared.errors import ErrorKind

START = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
PRACTITIONER = UUID(int=2)


def test_default_offsets_give_24_and_2_hours_before() -> None:
    assert reminder_times(START, (24 * 60, 120), NOW) == [START - timedelta(hours=24), START - timedelta(hours=2)]


def test_a_booking_3_hours_ahead_gets_only_the_2_hour_reminder() -> None:
    assert reminder_times(START, (24 * 60, 120), START - timedelta(hours=3)) == [START - timedelta(hours=2)]
    assert reminder_times(START, (24 * 60, 120), START - timedelta(hours=2)) == []  # due now is not future


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.lists(st.integers(5, 30 * 24 * 60) | st.sampled_from([120, 24 * 60]), max_size=6),
    lead_minutes=st.integers(-60, 40 * 24 * 60),
)
def test_reminders_are_the_future_offsets_sorted_without_duplicates(offsets: list[int], lead_minutes: int) -> None:
    now = START - timedelta(minutes=lead_minutes)

    due = reminder_times(START, tuple(offsets), now)

    assert due == sorted(set(due))
    assert all(now < d < START for d in due)
    assert set(due) == {START - timedelta(minutes=m) for m in offsets if m < lead_minutes}


# --- waitlist -----------------------------------------------------------------------------

WINDOW = (datetime(2026, 6, 8, 8, 0, tzinfo=UTC), datetime(2026, 6, 12, 18, 0, tzinfo=UTC))


def entry(status: WaitlistStatus = WaitlistStatus.WAITING) -> WaitlistEntry:
    return WaitlistEntry(
        id=UUID(int=40),
        organization_id=UUID(int=1),
        patient_id=UUID(int=11),
        practitioner_id=PRACTITIONER,
        specialty=None,
        window_start=WINDOW[0],
        window_end=WINDOW[1],
        status=status,
        created_at=NOW,
        updated_at=NOW,
    )


def test_an_entry_waits_for_a_practitioner_or_a_specialty_not_both_nor_neither() -> None:
    assert WaitlistEntry.check(PRACTITIONER, None, WINDOW, NOW) == Success(None)
    assert WaitlistEntry.check(None, "cardiology", WINDOW, NOW) == Success(None)
    for practitioner, specialty in ((PRACTITIONER, "cardiology"), (None, None)):
        result = WaitlistEntry.check(practitioner, specialty, WINDOW, NOW)
        assert isinstance(result, Failure)
        assert result.failure().kind is ErrorKind.INVALID
        assert [f.field for f in result.failure().fields] == ["practitioner_id"]


def test_the_window_must_run_forward_and_end_in_the_future() -> None:
    backwards = WaitlistEntry.check(PRACTITIONER, None, (WINDOW[1], WINDOW[0]), NOW)
    empty = WaitlistEntry.check(PRACTITIONER, None, (WINDOW[0], WINDOW[0]), NOW)
    over = WaitlistEntry.check(PRACTITIONER, None, WINDOW, WINDOW[1])
    still_open = WaitlistEntry.check(PRACTITIONER, None, WINDOW, WINDOW[1] - timedelta(seconds=1))

    for result in (backwards, empty, over):
        assert [f.field for f in result.failure().fields] == ["window_end"]
    assert still_open == Success(None)


@settings(max_examples=100, deadline=None)
@given(start_minutes=st.integers(-600, 6 * 24 * 60), length=st.integers(5, 600), status=st.sampled_from(WaitlistStatus))
def test_a_slot_fits_a_waiting_entry_when_it_lies_within_its_window(
    start_minutes: int, length: int, status: WaitlistStatus
) -> None:
    slot_start = WINDOW[0] + timedelta(minutes=start_minutes)
    slot = Interval(slot_start, slot_start + timedelta(minutes=length))

    fits = entry(status).fits(slot)

    inside = WINDOW[0] <= slot.start and slot.end <= WINDOW[1]
    assert fits == (inside and status is WaitlistStatus.WAITING)


def test_an_offer_records_the_slot_and_the_entry_then_waits_no_more() -> None:
    waiting = entry()
    slot = Interval(datetime(2026, 6, 9, 10, 0, tzinfo=UTC), datetime(2026, 6, 9, 10, 30, tzinfo=UTC))
    later = NOW + timedelta(hours=1)

    waiting.offer(slot, PRACTITIONER, later)

    assert waiting.status is WaitlistStatus.OFFERED
    assert (waiting.offered_appointment_slot, waiting.offered_practitioner_id, waiting.offered_at) == (
        slot,
        PRACTITIONER,
        later,
    )
    assert waiting.updated_at == later
    assert not waiting.fits(slot)  # the next free slot goes to the next patient


def test_cancelling_an_entry_twice_is_refused() -> None:
    waiting = entry()
    later = NOW + timedelta(hours=1)

    assert waiting.cancel(later) == Success(None)
    assert waiting.status is WaitlistStatus.CANCELLED
    assert waiting.updated_at == later
    again = waiting.cancel(later + timedelta(hours=1))
    assert again.failure().code == "waitlist.already_cancelled"
    assert again.failure().kind is ErrorKind.CONFLICT
    assert waiting.updated_at == later
    offered = entry(WaitlistStatus.OFFERED)
    assert offered.cancel(later) == Success(None)  # an offered entry may still be withdrawn
