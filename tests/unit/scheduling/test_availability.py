"""Availability search agrees with booking, cancelling frees exactly the cancelled time, and
slots stay on local wall time across daylight-saving changes."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medcore.domain.practitioners.schedule import local_instant
from medcore.domain.scheduling.appointment import Appointment, AppointmentStatus, CancellationReason
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.policy import SchedulingPolicy
from medcore.domain.scheduling.rules import (
    Booker,
    ConflictKind,
    DurationRule,
    SlotChecker,
    booking_violations,
    next_on_grid,
    on_grid,
)
from tests.unit.scheduling.support import (
    GRANULARITIES,
    KOLKATA,
    MINUTE,
    MONDAY,
    NEW_YORK,
    PARIS,
    SYDNEY,
    CalendarSpec,
    appointment,
    at,
    calendar,
    calendar_specs,
    checker_for,
    local_starts,
    minute_starts,
)

S = AppointmentStatus
STAFF = Booker()
PATIENT = Booker(is_patient=True)


@st.composite
def existing_appointments(draw: st.DrawFn, spec: CalendarSpec) -> list[Appointment]:
    """Already booked, not necessarily by the rules (overrides, older settings)."""
    statuses = st.sampled_from([S.REQUESTED, S.CONFIRMED, S.CHECKED_IN, S.COMPLETED, S.CANCELLED, S.NO_SHOW])
    return [
        appointment(
            draw(local_starts(spec.zone, days=3)),
            draw(st.sampled_from([10, 15, 30, 45, 60, 90])),
            n=n,
            buffer_minutes=draw(st.sampled_from([0, 5, 10, 30]) | st.integers(0, 30)),
            status=draw(statuses),
        )
        for n in range(draw(st.integers(0, 6)))
    ]


@st.composite
def search_cases(
    draw: st.DrawFn,
) -> tuple[SlotChecker, SchedulingPolicy, Interval, timedelta, DurationRule, Booker, datetime]:
    spec = draw(calendar_specs())
    policy = SchedulingPolicy(
        slot_granularity_minutes=draw(st.sampled_from(GRANULARITIES)),
        min_notice_minutes=draw(st.sampled_from([0, 60, 120, 600])),
    )
    monday = at(MONDAY, 0, 0, spec.zone)
    # Monday or Wednesday (every schedule works then), often across lunch or into the next day.
    window_start = (
        monday + draw(st.sampled_from([0, 2])) * timedelta(days=1) + draw(st.integers(7 * 60, 13 * 60)) * MINUTE
    )
    window = Interval(window_start, window_start + draw(st.integers(6 * 60, 26 * 60) | st.integers(30, 60)) * MINUTE)
    rule = DurationRule(draw(st.sampled_from([5, 10, 30])), draw(st.sampled_from([60, 240, 240])))
    length = draw(st.integers(1, 4)) * policy.slot_granularity_minutes * MINUTE
    now = window.start + draw(st.integers(-24 * 60, 3 * 60)) * MINUTE
    checker = checker_for(spec.build(), policy, draw(existing_appointments(spec)))
    return checker, policy, window, length, rule, draw(st.sampled_from([STAFF, PATIENT])), now


def accepts(
    checker: SlotChecker,
    policy: SchedulingPolicy,
    candidate: Interval,
    rule: DurationRule,
    booker: Booker,
    now: datetime,
) -> bool:
    violations = booking_violations(
        candidate, zone=checker.calendar.zone, policy=policy, duration_rule=rule, booker=booker, now=now
    )
    return not violations and not checker.conflicts(candidate)


@settings(max_examples=40, deadline=None)
@given(case=search_cases(), seconds=st.lists(st.integers(1, 59), max_size=3))
def test_free_slots_are_exactly_the_starts_booking_accepts(
    case: tuple[SlotChecker, SchedulingPolicy, Interval, timedelta, DurationRule, Booker, datetime],
    seconds: list[int],
) -> None:
    checker, policy, window, length, rule, booker, now = case

    slots = checker.free_slots(window, length, duration_rule=rule, booker=booker, now=now)

    assert slots == sorted(set(slots))
    assert all(window.contains(s) and s.duration == length for s in slots)
    offered = set(slots)
    # Every whole-minute start in the window (the grid and everything off it)...
    for start in minute_starts(window, length):
        candidate = Interval(start, start + length)
        assert accepts(checker, policy, candidate, rule, booker, now) == (candidate in offered), candidate
    # ...and starts off the grid by seconds, which nothing offers.
    for slot, second in zip(slots, seconds, strict=False):
        shifted = Interval(slot.start + timedelta(seconds=second), slot.end + timedelta(seconds=second))
        assert not accepts(checker, policy, shifted, rule, booker, now)


def test_a_clinic_day_offers_the_morning_and_the_afternoon_on_the_grid() -> None:
    tuesday = MONDAY + timedelta(days=1)
    checker = checker_for(calendar(), SchedulingPolicy(slot_granularity_minutes=30), [])
    day = Interval(at(tuesday, 0, 0, PARIS), at(tuesday + timedelta(days=1), 0, 0, PARIS))

    slots = checker.free_slots(
        day, timedelta(minutes=30), duration_rule=DurationRule(), booker=STAFF, now=day.start - timedelta(days=1)
    )

    morning = [f"{h:02d}:{m:02d}" for h in range(9, 12) for m in (0, 30)] + ["12:00"]
    afternoon = [f"{h:02d}:{m:02d}" for h in range(14, 18) for m in (0, 30)]
    assert [s.start.astimezone(PARIS).strftime("%H:%M") for s in slots] == morning + afternoon


# --- cancelling frees exactly the cancelled time ----------------------------------------------


@st.composite
def cancellation_cases(draw: st.DrawFn) -> tuple[CalendarSpec, SchedulingPolicy, list[Appointment], int, Interval]:
    spec = draw(calendar_specs(hours=["clinic", "long_days", "round_the_clock"]))
    booked = draw(existing_appointments(spec))
    target = appointment(draw(local_starts(spec.zone, days=2)), draw(st.sampled_from([15, 30, 60])), n=99)
    target.buffer_minutes = draw(st.integers(0, 30))
    target.status = draw(st.sampled_from([S.REQUESTED, S.CONFIRMED, S.CHECKED_IN]))
    booked.insert(draw(st.integers(0, len(booked))), target)
    window = Interval(
        target.starts_at - draw(st.integers(0, 5 * 60)) * MINUTE,
        target.blocked_until + draw(st.integers(0, 5 * 60)) * MINUTE,
    )
    policy = SchedulingPolicy(slot_granularity_minutes=draw(st.sampled_from(GRANULARITIES)))
    return spec, policy, booked, booked.index(target), window


@settings(max_examples=40, deadline=None)
@given(case=cancellation_cases(), k=st.integers(1, 4))
def test_cancelling_frees_exactly_the_time_the_appointment_held(
    case: tuple[CalendarSpec, SchedulingPolicy, list[Appointment], int, Interval], k: int
) -> None:
    spec, policy, booked, index, window = case
    cal, target = spec.build(), booked[index]
    length = k * policy.slot_granularity_minutes * MINUTE
    now = window.start - timedelta(days=1)
    before_checker = checker_for(cal, policy, booked)
    before = set(before_checker.free_slots(window, length, duration_rule=DurationRule(), booker=STAFF, now=now))
    day = target.starts_at.astimezone(cal.zone).date()
    per_day = Counter(a.starts_at.astimezone(cal.zone).date() for a in booked if a.occupying)
    frees_capacity = cal.daily_capacity is not None and per_day[day] - 1 < cal.daily_capacity

    target.cancel(CancellationReason.PATIENT_REQUEST, now, policy.late_cancel_window, by=None).unwrap()
    after = set(
        checker_for(cal, policy, booked).free_slots(window, length, duration_rule=DurationRule(), booker=STAFF, now=now)
    )

    assert before <= after  # nothing disappears
    appeared = after - before
    for slot in appeared:
        held = Interval(slot.start, slot.end + cal.buffer).overlaps(target.practitioner_interval)
        assert held or (frees_capacity and slot.start.astimezone(cal.zone).date() == day), slot

    def only_the_target_stood_in_the_way(candidate: Interval) -> bool:
        if booking_violations(
            candidate, zone=cal.zone, policy=policy, duration_rule=DurationRule(), booker=STAFF, now=now
        ):
            return False
        found = before_checker.conflicts(candidate)
        return bool(found) and all(
            (c.kind is ConflictKind.PRACTITIONER and c.appointment_id == target.id)
            or (
                c.kind is ConflictKind.CAPACITY
                and frees_capacity
                and candidate.start.astimezone(cal.zone).date() == day
            )
            for c in found
        )

    freed = {
        Interval(start, start + length)
        for start in minute_starts(window, length)
        if only_the_target_stood_in_the_way(Interval(start, start + length))
    }
    assert appeared == freed


def test_cancelling_an_appointment_between_two_others_frees_its_slot_and_buffer() -> None:
    cal = calendar(buffer_minutes=10)
    policy = SchedulingPolicy(slot_granularity_minutes=10)
    tuesday = MONDAY + timedelta(days=1)
    booked = [
        appointment(at(tuesday, 9, 0, PARIS), 30, n=1, buffer_minutes=10),  # 09:00-09:40
        appointment(at(tuesday, 9, 40, PARIS), 30, n=2, buffer_minutes=10),  # 09:40-10:20
        appointment(at(tuesday, 10, 20, PARIS), 30, n=3, buffer_minutes=10),  # 10:20-11:00
    ]
    window = Interval(at(tuesday, 9, 0, PARIS), at(tuesday, 11, 0, PARIS))
    now = window.start - timedelta(days=1)

    def starts() -> list[str]:
        slots = checker_for(cal, policy, booked).free_slots(
            window, timedelta(minutes=30), duration_rule=DurationRule(), booker=STAFF, now=now
        )
        return [s.start.astimezone(PARIS).strftime("%H:%M") for s in slots]

    assert starts() == []
    booked[1].cancel(CancellationReason.OTHER, now, timedelta(hours=24), by=None).unwrap()
    assert starts() == ["09:40"]


# --- daylight saving ------------------------------------------------------------------------

DST_CHANGES = [
    pytest.param(PARIS, date(2026, 3, 29), id="paris-spring"),
    pytest.param(PARIS, date(2026, 10, 25), id="paris-autumn"),
    pytest.param(NEW_YORK, date(2026, 3, 8), id="new-york-spring"),
    pytest.param(NEW_YORK, date(2026, 11, 1), id="new-york-autumn"),
    pytest.param(SYDNEY, date(2026, 4, 5), id="sydney-autumn"),
    pytest.param(SYDNEY, date(2026, 10, 4), id="sydney-spring"),
]
EVERY_DAY_9_TO_5 = [(d, "09:00", "17:00") for d in range(1, 8)]
ROUND_THE_CLOCK = [(d, "00:00", "24:00") for d in range(1, 8)]


def offset(zone: ZoneInfo, day: date) -> timedelta | None:
    return datetime.combine(day, time(12), tzinfo=zone).utcoffset()


def slots_by_local_day(zone: ZoneInfo, slots: list[Interval]) -> dict[date, list[str]]:
    days: dict[date, list[str]] = defaultdict(list)
    for s in slots:
        local = s.start.astimezone(zone)
        days[local.date()].append(local.strftime("%H:%M"))
    return days


def search(
    zone: ZoneInfo, hours: list[tuple[int, str, str]], window: Interval, granularity: int, minutes: int
) -> list[Interval]:
    checker = checker_for(calendar(zone, hours), SchedulingPolicy(slot_granularity_minutes=granularity), [])
    return checker.free_slots(
        window,
        timedelta(minutes=minutes),
        duration_rule=DurationRule(),
        booker=STAFF,
        now=window.start - timedelta(days=1),
    )


@pytest.mark.parametrize(("zone", "change"), DST_CHANGES)
def test_the_2026_change_dates_are_changes(zone: ZoneInfo, change: date) -> None:
    assert offset(zone, change - timedelta(days=1)) != offset(zone, change + timedelta(days=1))
    assert offset(zone, change - timedelta(days=1)) == offset(zone, change - timedelta(days=3))


@pytest.mark.parametrize(("zone", "change"), DST_CHANGES)
def test_a_9_to_5_day_keeps_its_local_slots_across_the_change(zone: ZoneInfo, change: date) -> None:
    first, last = change - timedelta(days=3), change + timedelta(days=3)
    window = Interval(local_instant(first, time(0), zone), local_instant(last + timedelta(days=1), time(0), zone))

    slots = search(zone, EVERY_DAY_9_TO_5, window, granularity=30, minutes=30)

    expected = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)]
    by_day = slots_by_local_day(zone, slots)
    assert sorted(by_day) == [first + timedelta(days=i) for i in range(7)]
    assert all(by_day[day] == expected for day in by_day)  # the change day included
    nine = {day: local_instant(day, time(9), zone) for day in by_day}
    assert nine[first].astimezone(UTC).time() != nine[last].astimezone(UTC).time()  # the offset did change
    assert {s.start for s in slots} >= set(nine.values())


@pytest.mark.parametrize(("zone", "change"), DST_CHANGES)
def test_on_the_change_day_every_real_hour_is_a_slot(zone: ZoneInfo, change: date) -> None:
    midnight = local_instant(change, time(0), zone)
    next_midnight = local_instant(change + timedelta(days=1), time(0), zone)
    hours_that_day = int((next_midnight - midnight) / timedelta(hours=1))

    slots = search(zone, ROUND_THE_CLOCK, Interval(midnight, next_midnight), granularity=60, minutes=60)

    assert hours_that_day in (23, 25)
    assert [s.start for s in slots] == [midnight + timedelta(hours=h) for h in range(hours_that_day)]
    assert all(s.start.astimezone(zone).minute == 0 for s in slots)
    local_hours = [s.start.astimezone(zone).hour for s in slots]
    if hours_that_day == 23:
        assert len(set(local_hours)) == 23  # the skipped hour is missing
    else:
        assert len(set(local_hours)) == 24  # the repeated hour comes twice
        assert sorted(Counter(local_hours).values())[-1] == 2


def test_a_search_starting_in_the_first_pass_of_the_repeated_hour_offers_the_second_pass() -> None:
    # 00:58 UTC on 25 October 2026 is 02:58 CEST; the next whole local hour is 02:00 CET (01:00 UTC).
    window = Interval(datetime(2026, 10, 25, 0, 58, tzinfo=UTC), datetime(2026, 10, 25, 3, 0, tzinfo=UTC))

    hourly = search(PARIS, ROUND_THE_CLOCK, window, granularity=60, minutes=60)
    five = search(PARIS, ROUND_THE_CLOCK, window, granularity=5, minutes=60)

    assert [s.start.hour for s in hourly] == [1, 2]
    assert five[0].start == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    assert len(five) == 12 + 1  # 01:00 to 02:00 UTC every 5 minutes


@pytest.mark.parametrize(("zone", "change"), DST_CHANGES)
def test_next_on_grid_is_the_first_local_grid_instant_at_or_after(zone: ZoneInfo, change: date) -> None:
    midnight = local_instant(change, time(0), zone)
    for granularity in (5, 30, 60):
        step = timedelta(minutes=granularity)
        for k in range(0, 6 * 60, 7):
            instant = midnight + k * MINUTE + timedelta(seconds=k % 3)
            found = next_on_grid(instant, zone, step)
            brute = instant.replace(second=0) + (MINUTE if instant.second else timedelta(0))
            while not on_grid(brute, zone, step):
                brute += MINUTE
            assert found == brute, (instant, granularity)


@pytest.mark.parametrize(
    ("zone", "day", "expected_local"),
    [
        (PARIS, date(2026, 3, 29), "T03:30:00+02:00"),
        (NEW_YORK, date(2026, 3, 8), "T03:30:00-04:00"),
        (SYDNEY, date(2026, 10, 4), "T03:30:00+11:00"),
    ],
)
def test_a_wall_time_skipped_by_the_jump_moves_forward_by_the_jump(
    zone: ZoneInfo, day: date, expected_local: str
) -> None:
    instant = local_instant(day, time(2, 30), zone)

    assert instant.tzinfo is UTC
    assert instant.astimezone(zone).isoformat().endswith(expected_local)
    assert instant == local_instant(day, time(3, 30), zone)


def test_a_repeated_wall_time_is_its_first_occurrence() -> None:
    instant = local_instant(date(2026, 10, 25), time(2, 30), PARIS)

    assert instant == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, not 02:30 CET


def test_working_hours_that_start_in_the_skipped_hour_start_when_it_ends() -> None:
    change = date(2026, 3, 29)
    hours = calendar(PARIS, [(7, "02:30", "04:00")])
    day = Interval(local_instant(change, time(0), PARIS), local_instant(change + timedelta(days=1), time(0), PARIS))

    assert hours.available(day) == [Interval(local_instant(change, time(3, 30), PARIS), at(change, 4, 0, PARIS))]
    assert hours.available(day)[0].duration == timedelta(minutes=30)


# --- the sweep and the candidate-by-candidate check -------------------------------------------

LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # its clocks move by half an hour


def reference_free_slots(
    checker: SlotChecker, window: Interval, duration: timedelta, rule: DurationRule, booker: Booker, now: datetime
) -> list[Interval]:
    """Availability search as it was first written: every grid step of every stretch of
    availability, judged by ``booking_violations`` and ``conflicts`` one by one."""
    zone, step = checker.calendar.zone, checker.policy.granularity
    slots: list[Interval] = []
    for stretch in checker.calendar.available(window):
        start = next_on_grid(stretch.start, zone, step)
        while start + duration <= stretch.end:
            candidate = Interval(start, start + duration)
            violations = booking_violations(
                candidate, zone=zone, policy=checker.policy, duration_rule=rule, booker=booker, now=now
            )
            if not violations and not checker.conflicts(candidate, available=(stretch,)):
                slots.append(candidate)
            start += step
    return slots


@st.composite
def long_search_cases(
    draw: st.DrawFn,
) -> tuple[SlotChecker, Interval, timedelta, DurationRule, Booker, datetime]:
    """Several days around a daylight-saving change (or none), in zones whose offsets move by
    an hour, by half an hour or never, with windows given in UTC or in a local zone (the
    sweep steps in UTC whatever zone the window is given in; the reference steps in the
    window's zone, so it is given the window in UTC)."""
    zone = draw(st.sampled_from([PARIS, NEW_YORK, SYDNEY, LORD_HOWE, LORD_HOWE, KOLKATA]))
    change = draw(st.sampled_from([date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 4), date(2026, 11, 1)]))
    first = change - timedelta(days=draw(st.integers(0, 3)))
    spec = CalendarSpec(
        zone=zone,
        hours_name=draw(st.sampled_from(["clinic", "long_days", "round_the_clock", "round_the_clock", "touching"])),
        buffer_minutes=draw(st.sampled_from([0, 5, 10, 30])),
        capacity=draw(st.none() | st.integers(1, 6)),
        time_off=(),
        holidays=(),
    )
    policy = SchedulingPolicy(
        slot_granularity_minutes=draw(st.sampled_from([5, 15, 30, 60])),
        min_notice_minutes=draw(st.sampled_from([0, 90, 600])),
        max_horizon_days=draw(st.sampled_from([1, 2, 180])),
    )
    start = local_instant(first, time(0), zone) + draw(st.integers(0, 24 * 60)) * MINUTE
    window = Interval(start, start + draw(st.integers(1, 5 * 24 * 60)) * MINUTE)
    if draw(st.booleans()):
        window = Interval(window.start.astimezone(zone), window.end.astimezone(zone))
    booked = [
        appointment(
            local_instant(first + timedelta(days=draw(st.integers(0, 5))), time(0), zone)
            + draw(st.integers(0, 24 * 60)) * MINUTE,
            draw(st.sampled_from([10, 20, 45, 90, 300])),
            n=n,
            buffer_minutes=draw(st.sampled_from([0, 5, 15])),
            status=draw(st.sampled_from([S.CONFIRMED, S.REQUESTED, S.CANCELLED])),
        )
        for n in range(draw(st.integers(0, 25)))
    ]
    length = draw(st.integers(1, 4)) * policy.slot_granularity_minutes * MINUTE
    rule = DurationRule(5, draw(st.sampled_from([60, 240])))
    now = window.start + draw(st.integers(-2 * 24 * 60, 24 * 60)) * MINUTE
    return checker_for(spec.build(), policy, booked), window, length, rule, draw(st.sampled_from([STAFF, PATIENT])), now


@settings(max_examples=150, deadline=None)
@given(case=long_search_cases())
def test_the_sweep_offers_exactly_what_the_candidate_by_candidate_check_offers(
    case: tuple[SlotChecker, Interval, timedelta, DurationRule, Booker, datetime],
) -> None:
    checker, window, length, rule, booker, now = case

    swept = checker.free_slots(window, length, duration_rule=rule, booker=booker, now=now)

    in_utc = Interval(window.start.astimezone(UTC), window.end.astimezone(UTC))
    assert swept == reference_free_slots(checker, in_utc, length, rule, booker, now)


@settings(max_examples=60, deadline=None)
@given(case=search_cases())
def test_the_sweep_agrees_with_the_candidate_by_candidate_check_on_busy_weeks(
    case: tuple[SlotChecker, SchedulingPolicy, Interval, timedelta, DurationRule, Booker, datetime],
) -> None:
    checker, _policy, window, length, rule, booker, now = case

    assert checker.free_slots(window, length, duration_rule=rule, booker=booker, now=now) == reference_free_slots(
        checker, window, length, rule, booker, now
    )


@pytest.mark.parametrize("zone", [LORD_HOWE, PARIS, SYDNEY], ids=["lord-howe", "paris", "sydney"])
@pytest.mark.parametrize("change", [date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 4), date(2026, 10, 25)])
@pytest.mark.parametrize("granularity", [15, 60])
@pytest.mark.parametrize("local_window", [False, True], ids=["utc-window", "local-window"])
def test_the_sweep_agrees_with_the_check_round_the_clock_across_a_change(
    zone: ZoneInfo, change: date, granularity: int, local_window: bool
) -> None:
    # After a half-hour change the hourly grid of a stretch that runs through it falls off
    # the local grid: both must then offer nothing more in that stretch.
    policy = SchedulingPolicy(slot_granularity_minutes=granularity)
    cal = calendar(zone, ROUND_THE_CLOCK, buffer_minutes=5, capacity=30)
    day = local_instant(change - timedelta(days=1), time(0), zone)
    booked = [appointment(day + timedelta(hours=h, minutes=7 * h), 25, n=h, buffer_minutes=5) for h in range(0, 60, 5)]
    booked.append(appointment(day + timedelta(hours=30), 6 * 60, n=99))  # holds 33:30-33:55 inside it
    checker = checker_for(cal, policy, booked)
    window = Interval(day + timedelta(minutes=10), day + timedelta(days=3))
    if local_window:
        window = Interval(window.start.astimezone(zone), window.end.astimezone(zone))
    length = 2 * policy.granularity
    now = day - timedelta(days=1)

    swept = checker.free_slots(window, length, duration_rule=DurationRule(), booker=STAFF, now=now)

    in_utc = Interval(window.start.astimezone(UTC), window.end.astimezone(UTC))
    assert swept == reference_free_slots(checker, in_utc, length, DurationRule(), STAFF, now)
    assert swept  # the case is not vacuous
    assert all(s.start.tzinfo is UTC for s in swept)
