"""Conflict rules 1-4 and 7: examples of each, then random booking sequences.

The sequences feed attempts one by one through a ``SlotChecker`` rebuilt from what was
accepted so far (as the application does per request), cancel or no-show some of them, and
change the practitioner's buffer midway. Every answer is compared with an oracle, and the
accepted calendar must satisfy every rule at every step.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from medcore.domain.scheduling.appointment import Appointment, AppointmentStatus, CancellationReason
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.policy import SchedulingPolicy
from medcore.domain.scheduling.rules import (
    Booker,
    Conflict,
    ConflictKind,
    DurationRule,
    PractitionerCalendar,
    booking_violations,
)
from tests.unit.scheduling.support import (
    MINUTE,
    MONDAY,
    NOW,
    OTHER_PRACTITIONER,
    PATIENTS,
    PRACTITIONER,
    ROOMS,
    SYDNEY,
    CalendarSpec,
    appointment,
    at,
    calendar,
    calendar_specs,
    checker_for,
    durations,
    local_starts,
    policies,
    within_availability,
)

K = ConflictKind
TUESDAY = MONDAY + timedelta(days=1)
POLICY = SchedulingPolicy()


def kinds(conflicts: list[Conflict]) -> list[tuple[ConflictKind, UUID | None]]:
    return sorted((c.kind, c.appointment_id) for c in conflicts)


def tue(hour: int, minute: int = 0) -> Interval:
    start = at(TUESDAY, hour, minute, calendar().zone)
    return Interval(start, start + timedelta(minutes=30))


# --- examples, one per rule ---------------------------------------------------------------


def test_rule_1_counts_the_buffer_after_each_appointment() -> None:
    existing = appointment(tue(10).start, 30, n=1, buffer_minutes=10)  # blocks 10:00-10:40
    with_buffer = checker_for(calendar(buffer_minutes=10), POLICY, [existing])
    without = checker_for(calendar(buffer_minutes=0), POLICY, [appointment(tue(10).start, 30, n=1)])

    assert kinds(with_buffer.conflicts(tue(10, 30))) == [(K.PRACTITIONER, existing.id)]  # its buffer
    assert kinds(with_buffer.conflicts(tue(9, 30))) == [(K.PRACTITIONER, existing.id)]  # the new one's buffer
    assert with_buffer.conflicts(tue(10, 40)) == []
    assert with_buffer.conflicts(tue(9, 20)) == []  # ends 09:50, its buffer ends 10:00
    assert without.conflicts(tue(10, 30)) == [] == without.conflicts(tue(9, 30))  # back to back
    conflict = with_buffer.conflicts(tue(10, 15))[0]
    assert (conflict.starts_at, conflict.ends_at) == (existing.starts_at, existing.ends_at)


def test_rule_1_finds_a_long_appointment_that_started_well_before() -> None:
    long = appointment(at(TUESDAY, 9, 0, calendar().zone), 180, n=1)
    short = appointment(at(TUESDAY, 11, 30, calendar().zone), 5, n=2)
    checker = checker_for(calendar(), POLICY, [long, short])

    assert kinds(checker.conflicts(tue(11, 30))) == sorted([(K.PRACTITIONER, long.id), (K.PRACTITIONER, short.id)])
    assert kinds(checker.conflicts(tue(11, 0))) == [(K.PRACTITIONER, long.id)]


def test_rule_2_a_patient_is_in_one_place_at_a_time_unless_the_organization_allows_it() -> None:
    elsewhere = appointment(tue(10).start, 30, n=1, patient=PATIENTS[0], practitioner=OTHER_PRACTITIONER)
    candidate = tue(10, 15)

    on = checker_for(calendar(), POLICY, [elsewhere], patient=PATIENTS[0])
    off = checker_for(calendar(), SchedulingPolicy(patient_overlap_allowed=True), [elsewhere], patient=PATIENTS[0])

    assert kinds(on.conflicts(candidate, patient_id=PATIENTS[0])) == [(K.PATIENT, elsewhere.id)]
    assert on.conflicts(tue(10, 30), patient_id=PATIENTS[0]) == []
    assert off.conflicts(candidate, patient_id=PATIENTS[0]) == []
    other_patient = checker_for(calendar(), POLICY, [elsewhere], patient=PATIENTS[1])
    assert other_patient.conflicts(candidate, patient_id=PATIENTS[1]) == []


def test_rule_3_a_room_holds_one_appointment_at_a_time() -> None:
    there = appointment(tue(10).start, 30, n=1, room=ROOMS[0], practitioner=OTHER_PRACTITIONER, patient=PATIENTS[1])
    checker = checker_for(calendar(), POLICY, [there])

    assert kinds(checker.conflicts(tue(10, 15), room_id=ROOMS[0])) == [(K.ROOM, there.id)]
    assert checker.conflicts(tue(10, 15), room_id=ROOMS[1]) == []
    assert checker.conflicts(tue(10, 15)) == []
    assert checker.conflicts(tue(10, 30), room_id=ROOMS[0]) == []


def test_rule_4_availability_is_working_hours_minus_time_off_and_holidays() -> None:
    off = Interval(at(TUESDAY, 15, 0, calendar().zone), at(TUESDAY, 16, 0, calendar().zone))
    wednesday = TUESDAY + timedelta(days=1)
    cal = calendar(time_off=[off], holidays=[wednesday])
    checker = checker_for(cal, POLICY, [])

    def availability(interval: Interval, override: bool = False) -> list[ConflictKind]:
        return [c.kind for c in checker.conflicts(interval, override_availability=override)]

    assert availability(tue(9)) == []
    assert availability(tue(12)) == []  # 12:00-12:30 ends with the morning
    assert availability(tue(12, 15)) == [K.AVAILABILITY]  # runs into lunch
    assert availability(tue(8, 45)) == [K.AVAILABILITY]
    assert availability(tue(17, 30)) == []
    assert availability(tue(17, 45)) == [K.AVAILABILITY]
    assert availability(tue(14, 45)) == [K.AVAILABILITY]  # time off from 15:00
    assert availability(tue(16)) == []
    assert availability(Interval(at(wednesday, 10, 0, cal.zone), at(wednesday, 10, 30, cal.zone))) == [K.AVAILABILITY]
    saturday = MONDAY + timedelta(days=5)
    assert availability(Interval(at(saturday, 10, 0, cal.zone), at(saturday, 10, 30, cal.zone))) == [K.AVAILABILITY]
    assert availability(tue(12, 15), override=True) == []
    conflict = checker.conflicts(tue(12, 15))[0]
    assert (conflict.starts_at, conflict.ends_at, conflict.appointment_id) == (tue(12, 15).start, tue(12, 15).end, None)


def test_rule_7_capacity_counts_occupying_appointments_of_the_local_day() -> None:
    # 09:00 and 10:00 in Sydney are 23:00 and 00:00 UTC: two UTC days, one local day.
    cal = calendar(SYDNEY, capacity=2)
    first = appointment(at(TUESDAY, 9, 0, SYDNEY), 30, n=1)
    second = appointment(at(TUESDAY, 10, 0, SYDNEY), 30, n=2)
    cancelled = appointment(at(TUESDAY, 11, 0, SYDNEY), 30, n=3, status=AppointmentStatus.CANCELLED)
    assert first.starts_at.date() != second.starts_at.date()
    checker = checker_for(cal, POLICY, [first, second, cancelled])
    candidate = Interval(at(TUESDAY, 14, 0, SYDNEY), at(TUESDAY, 14, 30, SYDNEY))
    next_day = Interval(candidate.start + timedelta(days=1), candidate.end + timedelta(days=1))

    assert kinds(checker.conflicts(candidate)) == [(K.CAPACITY, None)]
    assert checker.conflicts(next_day) == []
    assert checker.conflicts(candidate, ignore=frozenset({first.id})) == []  # moving one of that day
    assert kinds(checker_for(cal, POLICY, [first]).conflicts(candidate)) == []
    assert kinds(checker_for(cal, POLICY, [first]).conflicts(candidate, extra_per_day=Counter({TUESDAY: 1}))) == [
        (K.CAPACITY, None)
    ]


def test_non_occupying_appointments_take_no_time_and_ignore_leaves_out_the_one_being_moved() -> None:
    cancelled = appointment(tue(10).start, 30, n=1, status=AppointmentStatus.CANCELLED, room=ROOMS[0])
    no_show = appointment(tue(10).start, 30, n=2, status=AppointmentStatus.NO_SHOW, room=ROOMS[0])
    moving = appointment(tue(11).start, 30, n=3, room=ROOMS[0])
    checker = checker_for(calendar(), POLICY, [cancelled, no_show, moving], patient=PATIENTS[0])

    assert checker.conflicts(tue(10), patient_id=PATIENTS[0], room_id=ROOMS[0]) == []
    assert len(checker.conflicts(tue(11, 15), patient_id=PATIENTS[0], room_id=ROOMS[0])) == 3
    assert checker.conflicts(tue(11, 15), patient_id=PATIENTS[0], room_id=ROOMS[0], ignore=frozenset({moving.id})) == []


# --- random booking sequences -------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    interval: Interval
    patient: UUID
    room: UUID | None
    booker: str  # staff | patient | override


BOOKERS = st.sampled_from(["staff", "staff", "patient", "override"])
ROOM_CHOICES = st.sampled_from([None, *ROOMS])
ACTIONS = st.sampled_from(["book"] * 8 + ["cancel", "no_show", "buffer"])
SMALL = st.integers(0, 1000)  # an index, taken modulo the length of what it picks from


def draw_attempt(
    data: st.DataObject, spec: CalendarSpec, policy: SchedulingPolicy, days: list[int], anchors: list[Appointment]
) -> Attempt:
    """Mostly on the policy's grid, within the day, and (when there are appointments) close
    to the start, end or buffer end of one of them, with its patient or room: most attempts
    reach the conflict rules at their edges. Some start and last anything, for the violations.
    (Only module-level strategies are drawn from: building strategies per step is slow.)"""
    grid = policy.slot_granularity_minutes
    anchor = anchors[data.draw(SMALL) % len(anchors)] if anchors and data.draw(st.integers(0, 2)) else None
    if anchor is not None:
        edge = (anchor.starts_at, anchor.ends_at, anchor.blocked_until)[data.draw(SMALL) % 3]
        if data.draw(st.booleans()):  # onto the grid (UTC and local grids agree: offsets are whole half-hours)
            edge -= (edge.minute % grid) * MINUTE
        start = edge + data.draw(st.integers(-3, 3)) * grid * MINUTE
    else:
        day = at(MONDAY + timedelta(days=days[data.draw(SMALL) % len(days)]), 0, 0, spec.zone)
        on_grid = data.draw(st.integers(8 * 12, 18 * 12)) * 5 // grid * grid
        start = day + (on_grid if data.draw(st.integers(0, 3)) else data.draw(st.integers(7 * 60, 19 * 60))) * MINUTE
    minutes = data.draw(st.integers(1, 4)) * grid if data.draw(st.integers(0, 3)) else data.draw(durations)
    patient = PATIENTS[data.draw(SMALL) % len(PATIENTS)]
    room = data.draw(ROOM_CHOICES)
    if anchor is not None and data.draw(st.booleans()):
        patient, room = anchor.patient_id, anchor.room_id
    return Attempt(Interval(start, start + minutes * MINUTE), patient, room, data.draw(BOOKERS))


@st.composite
def foreign_appointments(draw: st.DrawFn, spec: CalendarSpec, days: list[int]) -> list[Appointment]:
    """Other practitioners' appointments: they bind patients and rooms, never this practitioner."""
    found = []
    for n in range(draw(st.integers(0, 3))):
        found.append(
            appointment(
                draw(local_starts(spec.zone, days=max(days) + 1)),
                draw(st.sampled_from([15, 30, 60])),
                n=500 + n,
                practitioner=OTHER_PRACTITIONER,
                patient=draw(st.sampled_from(PATIENTS)),
                room=draw(st.sampled_from([None, *ROOMS])),
                status=draw(st.sampled_from([AppointmentStatus.CONFIRMED, AppointmentStatus.CANCELLED])),
            )
        )
    return found


def expected_conflicts(
    cal: PractitionerCalendar,
    policy: SchedulingPolicy,
    booked: list[Appointment],
    attempt: Attempt,
) -> list[tuple[ConflictKind, UUID | None]]:
    """The oracle: what rules 1-4 and 7 say of this attempt, computed without the checker."""
    interval = attempt.interval
    blocked = Interval(interval.start, interval.end + cal.buffer)
    live = [a for a in booked if a.occupying]
    mine = [a for a in live if a.practitioner_id == PRACTITIONER]
    found: list[tuple[ConflictKind, UUID | None]] = [
        (K.PRACTITIONER, a.id) for a in mine if a.starts_at < blocked.end and blocked.start < a.blocked_until
    ]
    if not policy.patient_overlap_allowed:
        found += [(K.PATIENT, a.id) for a in live if a.patient_id == attempt.patient and a.interval.overlaps(interval)]
    if attempt.room is not None:
        found += [(K.ROOM, a.id) for a in live if a.room_id == attempt.room and a.interval.overlaps(interval)]
    if attempt.booker != "override" and not within_availability(cal, interval):
        found.append((K.AVAILABILITY, None))
    day = interval.start.astimezone(cal.zone).date()
    if cal.daily_capacity is not None and sum(1 for a in mine if local_day(cal, a) == day) >= cal.daily_capacity:
        found.append((K.CAPACITY, None))
    return sorted(found)


def local_day(cal: PractitionerCalendar, a: Appointment) -> date:
    return a.starts_at.astimezone(cal.zone).date()


def assert_calendar_keeps_the_rules(
    cal: PractitionerCalendar, policy: SchedulingPolicy, mine: list[Appointment], foreign: list[Appointment]
) -> None:
    live = [a for a in mine if a.occupying]
    for a, b in combinations(live, 2):
        assert not a.practitioner_interval.overlaps(b.practitioner_interval), (a, b)
    others = [*live, *(f for f in foreign if f.occupying)]
    for a in live:
        for b in others:
            if a is b or not a.interval.overlaps(b.interval):
                continue
            assert a.room_id is None or a.room_id != b.room_id, (a, b)
            assert policy.patient_overlap_allowed or a.patient_id != b.patient_id, (a, b)
    if cal.daily_capacity is not None:
        per_day = Counter(local_day(cal, a) for a in live)
        assert max(per_day.values(), default=0) <= cal.daily_capacity


@settings(max_examples=60, deadline=None)
@given(
    spec=calendar_specs(),
    policy=policies(),
    days=st.sampled_from([[0], [2], [0, 2]]),  # Monday, Wednesday: few days, frequent collisions
    data=st.data(),
)
def test_random_booking_sequences_keep_every_rule(
    spec: CalendarSpec, policy: SchedulingPolicy, days: list[int], data: st.DataObject
) -> None:
    foreign = data.draw(foreign_appointments(spec, days), label="foreign")
    cal = spec.build()
    mine: list[Appointment] = []
    for step in range(data.draw(st.integers(10, 25), label="steps")):
        action = data.draw(ACTIONS)
        live = [a for a in [*mine, *foreign] if a.occupying]
        if action == "book":
            attempt = draw_attempt(data, spec, policy, days, live)
            booked = [*mine, *foreign]
            booker = Booker(is_patient=attempt.booker == "patient", override_availability=attempt.booker == "override")
            violations = booking_violations(
                attempt.interval, zone=cal.zone, policy=policy, duration_rule=DurationRule(), booker=booker, now=NOW
            )
            conflicts = checker_for(cal, policy, booked, patient=attempt.patient).conflicts(
                attempt.interval,
                patient_id=attempt.patient,
                room_id=attempt.room,
                override_availability=booker.override_availability,
            )

            assert kinds(conflicts) == expected_conflicts(cal, policy, booked, attempt)
            by_id = {a.id: a for a in booked}
            for c in conflicts:
                if c.appointment_id is None:
                    assert (c.starts_at, c.ends_at) == (attempt.interval.start, attempt.interval.end)
                else:
                    other = by_id[c.appointment_id]
                    assert (c.starts_at, c.ends_at) == (other.starts_at, other.ends_at)

            if not violations and not conflicts:
                # Availability never changes during a sequence: checking it once, on booking, suffices.
                outside = not within_availability(cal, attempt.interval)
                assert attempt.booker == "override" or not outside
                mine.append(
                    appointment(
                        attempt.interval.start,
                        int(attempt.interval.duration / MINUTE),
                        n=step,
                        patient=attempt.patient,
                        room=attempt.room,
                        buffer_minutes=int(cal.buffer / MINUTE),
                        status=AppointmentStatus.REQUESTED,
                        override_reason="home visit" if attempt.booker == "override" and outside else None,
                    )
                )
        elif action == "cancel" and mine:
            target = mine[data.draw(SMALL) % len(mine)]
            target.cancel(CancellationReason.PATIENT_REQUEST, NOW, policy.late_cancel_window, by=None)
        elif action == "no_show" and mine:
            target = mine[data.draw(SMALL) % len(mine)]
            if target.status is AppointmentStatus.REQUESTED:
                target.transition(AppointmentStatus.CONFIRMED, NOW).unwrap()
                target.transition(AppointmentStatus.NO_SHOW, NOW).unwrap()
        elif action == "buffer":
            cal = spec.build(buffer_minutes=data.draw(st.integers(0, 30)))
        assert_calendar_keeps_the_rules(cal, policy, mine, foreign)
