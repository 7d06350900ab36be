"""A practitioner's calendar, judged against an oracle that reads local wall time directly
(``instant.astimezone(zone)``: weekday, time of day, date) rather than the interval algebra
the code uses. At every sampled instant, the practitioner is available exactly when a
working-hours rule of that local weekday covers that local time, no time off covers the
instant, and that local date is not a holiday: so availability never overlaps time off or
holidays, stays within working hours, and working hours keep their wall time across the
daylight-saving changes of Paris, New York and Sydney."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from medcore.domain.practitioners.practitioner import Practitioner, PractitionerChanges
from medcore.domain.practitioners.schedule import WeeklySchedule, WorkingHours, format_time
from medcore.domain.scheduling.intervals import Interval

ZONES = {
    "Europe/Paris": (date(2026, 3, 29), date(2026, 10, 25)),
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Australia/Sydney": (date(2026, 4, 5), date(2026, 10, 4)),
}
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
MIDNIGHT_END = time(23, 59, 59, 999999)

# Rule boundaries avoid 01:00-04:00, where the changes of these zones happen: a shift that
# ends at a skipped or repeated wall time has no single reading (see schedule.local_instant).
BOUNDARIES = [m for m in range(0, 24 * 60 + 1, 15) if not 60 < m < 240]


def _hhmm(minutes: int) -> str:
    return "24:00" if minutes == 24 * 60 else f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def schedules(draw: st.DrawFn) -> list[tuple[int, str, str]]:
    rules: list[tuple[int, str, str]] = []
    for weekday in draw(st.sets(st.integers(1, 7), max_size=7)):
        cuts = sorted(draw(st.sets(st.sampled_from(BOUNDARIES), min_size=2, max_size=6)))
        rules.extend((weekday, _hhmm(a), _hhmm(b)) for a, b in zip(cuts[::2], cuts[1::2], strict=False))
    return rules


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    name = draw(st.sampled_from(sorted(ZONES)))
    change = draw(st.sampled_from(ZONES[name]))
    start = datetime.combine(change, time(0), tzinfo=UTC) + timedelta(hours=draw(st.integers(-96, 24)))
    window = Interval(start, start + timedelta(hours=draw(st.integers(1, 24 * 6))))
    seconds = int(window.duration.total_seconds())
    offsets = st.integers(0, seconds)
    time_off = [
        Interval(a, a + timedelta(minutes=length))
        for a, length in draw(
            st.lists(
                st.tuples(offsets.map(lambda s: start + timedelta(seconds=s)), st.integers(1, 3 * 24 * 60)),
                max_size=4,
            )
        )
    ]
    holidays = draw(st.lists(st.sampled_from([change + timedelta(days=d) for d in range(-5, 7)]), max_size=3))
    probes = [start + timedelta(seconds=s) for s in draw(st.lists(offsets, min_size=1, max_size=40))]
    return {
        "zone": name,
        "rules": draw(schedules()),
        "window": window,
        "time_off": time_off,
        "holidays": holidays,
        "probes": probes,
    }


def practitioner(zone: str, rules: Sequence[tuple[int, str, str]]) -> Practitioner:
    return Practitioner.create(
        id=UUID(int=1),
        organization_id=UUID(int=2),
        changes=PractitionerChanges(given_name="Claire", family_name="Martin", time_zone=zone, buffer_minutes=10),
        working_hours=WeeklySchedule.build(rules).unwrap(),
        now=CREATED,
    ).unwrap()


def works_at(hours: Sequence[WorkingHours], local: datetime) -> bool:
    wall = local.time().replace(tzinfo=None)
    return any(
        h.weekday == local.isoweekday() and h.start <= wall and (wall < h.end or h.end == MIDNIGHT_END) for h in hours
    )


def oracle(
    instant: datetime,
    zone: ZoneInfo,
    hours: Sequence[WorkingHours],
    time_off: Sequence[Interval],
    holidays: Sequence[date],
) -> bool:
    local = instant.astimezone(zone)
    return (
        works_at(hours, local)
        and not any(t.start <= instant < t.end for t in time_off)
        and local.date() not in holidays
    )


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_availability_is_working_hours_minus_time_off_and_holidays(scenario: dict[str, object]) -> None:
    zone_name = scenario["zone"]
    rules = scenario["rules"]
    window = scenario["window"]
    time_off = scenario["time_off"]
    holidays = scenario["holidays"]
    probes = scenario["probes"]
    assert isinstance(zone_name, str)
    assert isinstance(rules, list)
    assert isinstance(window, Interval)
    assert isinstance(time_off, list)
    assert isinstance(holidays, list)
    assert isinstance(probes, list)
    doctor = practitioner(zone_name, rules)
    calendar = doctor.calendar(time_off, holidays)
    zone = ZoneInfo(zone_name)

    available = calendar.available(window)

    for earlier, later in itertools.pairwise(available):
        assert earlier.end < later.start, "sorted, disjoint, not touching"
    assert all(window.contains(i) for i in available)
    # Probe the sampled instants and both sides of every boundary the answer or the input has.
    edges = [e for i in [*available, *time_off] for e in (i.start, i.end)]
    edges += [datetime.combine(d, time(0), tzinfo=zone).astimezone(UTC) for d in holidays]
    for probe in [*probes, *(e + d for e in edges for d in (timedelta(0), -timedelta(microseconds=1)))]:
        if not window.start <= probe < window.end:
            continue
        expected = oracle(probe, zone, doctor.working_hours.hours, time_off, holidays)
        assert any(i.start <= probe < i.end for i in available) == expected, (
            f"{probe.astimezone(zone).isoformat()} in {zone_name}: expected available={expected}"
        )


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(ZONES)), schedules(), st.integers(-7, 7))
def test_working_hours_start_and_end_at_their_wall_time_on_both_sides_of_a_change(
    zone_name: str, rules: list[tuple[int, str, str]], shift: int
) -> None:
    zone = ZoneInfo(zone_name)
    doctor = practitioner(zone_name, rules)
    for change in ZONES[zone_name]:
        first = change + timedelta(days=shift)
        window = Interval(
            datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC),
            datetime.combine(first + timedelta(days=8), time(0), tzinfo=zone).astimezone(UTC),
        )
        boundaries = {(h.weekday, format_time(h.start)) for h in doctor.working_hours.hours} | {
            (h.weekday, format_time(h.end)) for h in doctor.working_hours.hours
        }

        for interval in doctor.calendar().available(window):
            local_start = interval.start.astimezone(zone)
            local_end = interval.end.astimezone(zone)
            if interval.start != window.start:
                assert (local_start.isoweekday(), local_start.strftime("%H:%M")) in boundaries
            if interval.end != window.end:
                end_key = (local_end.isoweekday(), local_end.strftime("%H:%M"))
                day_before = (local_end - timedelta(days=1)).isoweekday()
                assert end_key in boundaries or (
                    local_end.strftime("%H:%M") == "00:00" and (day_before, "24:00") in boundaries
                )
