"""The RRULE subset, expanded in the practitioner's zone with python-dateutil."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result

from medcore.adapters.scheduling.recurrence import DateutilRecurrence
from medcore.domain.shared.errors import DomainError, ErrorKind
from tests.unit.scheduling.support import PARIS, SYDNEY, ZONES

LIMIT = 100
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
expand = DateutilRecurrence().expand


def assert_refused(result: Result[list[datetime], DomainError], message: str | None = None) -> None:
    assert isinstance(result, Failure), result
    error = result.failure()
    assert error.code == "appointment.invalid_recurrence"
    assert error.kind is ErrorKind.INVALID
    assert [f.field for f in error.fields] == ["recurrence.rrule"]
    if message is not None:
        assert message in error.message


@st.composite
def series(draw: st.DrawFn) -> tuple[str, datetime, int, str, int]:
    """A supported rule whose first occurrence is ``start``; returns the rule, the start
    (in its zone), COUNT, FREQ and INTERVAL."""
    zone = draw(st.sampled_from(ZONES))
    day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
    # Daytime wall times: every daylight-saving change of these zones happens at night.
    wall = time(draw(st.integers(7, 20)), draw(st.sampled_from([0, 15, 30, 45])))
    start = datetime.combine(day, wall, tzinfo=zone)
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]))
    interval = draw(st.integers(1, 4))
    count = draw(st.integers(1, 40))
    parts = [f"FREQ={freq}", f"COUNT={count}"]
    if interval > 1 or draw(st.booleans()):
        parts.append(f"INTERVAL={interval}")
    own_day = WEEKDAYS[day.weekday()]
    if freq == "WEEKLY" and draw(st.booleans()):
        others = draw(st.sets(st.sampled_from(WEEKDAYS), max_size=3))
        parts.append("BYDAY=" + ",".join(sorted({own_day, *others}, key=WEEKDAYS.index)))
    elif freq == "MONTHLY":
        shape = draw(st.sampled_from(["plain", "monthday", "nth_weekday"]))
        if shape == "monthday":
            parts.append(f"BYMONTHDAY={day.day}")
        elif shape == "nth_weekday":
            parts.append(f"BYDAY={(day.day - 1) // 7 + 1}{own_day}")
    order = draw(st.permutations(parts))
    return ";".join(order), start, count, freq, interval


@settings(max_examples=150, deadline=None)
@given(case=series(), prefixed=st.booleans(), lower=st.booleans())
def test_occurrences_keep_the_local_wall_time_and_follow_the_rule(
    case: tuple[str, datetime, int, str, int], prefixed: bool, lower: bool
) -> None:
    rule, start, count, freq, interval = case
    text = ("RRULE:" if prefixed else "") + (rule.lower() if lower else rule)
    zone = start.tzinfo
    assert isinstance(zone, ZoneInfo)

    occurrences = expand(text, start, LIMIT).unwrap()

    local = [o.astimezone(zone) for o in occurrences]
    assert len(occurrences) == count
    assert occurrences[0] == start
    assert all(o.tzinfo is UTC for o in occurrences)
    assert all(a < b for a, b in pairwise(occurrences))
    assert all(lo.time() == start.time() for lo in local)  # across daylight-saving changes too
    days = [lo.date() for lo in local]
    if freq == "DAILY":
        assert all((b - a).days == interval for a, b in pairwise(days))
    if "BYDAY=" in rule and freq == "WEEKLY":
        allowed = rule.split("BYDAY=")[1].split(";")[0].split(",")
        assert all(WEEKDAYS[d.weekday()] in allowed for d in days)
    if "BYMONTHDAY=" in rule:
        assert all(d.day == start.day for d in days)
    if "BYDAY=" in rule and freq == "MONTHLY":
        assert all(d.weekday() == start.weekday() and (d.day - 1) // 7 == (start.day - 1) // 7 for d in days)
    if freq == "WEEKLY" and "BYDAY=" not in rule:
        assert all((b - a).days == 7 * interval for a, b in pairwise(days))


@pytest.mark.parametrize(
    ("zone", "first_monday", "utc_hours"),
    [
        (PARIS, date(2026, 3, 16), [8, 8, 7, 7]),  # CET then CEST (29 March)
        (SYDNEY, date(2026, 3, 23), [22, 22, 23, 23]),  # AEDT then AEST (5 April), the UTC day before
    ],
)
def test_a_weekly_9_oclock_stays_9_oclock_when_the_clocks_change(
    zone: ZoneInfo, first_monday: date, utc_hours: list[int]
) -> None:
    start = datetime.combine(first_monday, time(9), tzinfo=zone)

    occurrences = expand("FREQ=WEEKLY;BYDAY=MO;COUNT=4", start, LIMIT).unwrap()

    assert [o.hour for o in occurrences] == utc_hours
    assert [o.astimezone(zone).strftime("%a %H:%M") for o in occurrences] == ["Mon 09:00"] * 4


@settings(max_examples=60, deadline=None)
@given(count=st.integers(1, 250), zone=st.sampled_from(ZONES))
@example(count=LIMIT, zone=PARIS)
@example(count=LIMIT + 1, zone=PARIS)
def test_at_most_100_occurrences_by_count(count: int, zone: ZoneInfo) -> None:
    start = datetime(2026, 6, 8, 9, 0, tzinfo=zone)

    result = expand(f"FREQ=DAILY;COUNT={count}", start, LIMIT)

    if count <= LIMIT:
        assert len(result.unwrap()) == count
    else:
        assert_refused(result, "at most 100")


@settings(max_examples=60, deadline=None)
@given(days=st.integers(1, 250), zone=st.sampled_from(ZONES))
@example(days=LIMIT, zone=SYDNEY)
@example(days=LIMIT + 1, zone=SYDNEY)
def test_at_most_100_occurrences_by_until(days: int, zone: ZoneInfo) -> None:
    start = datetime(2026, 6, 8, 9, 0, tzinfo=zone)
    last = (start + timedelta(days=days - 1)).date()

    result = expand(f"FREQ=DAILY;UNTIL={last:%Y%m%d}", start, LIMIT)

    if days <= LIMIT:
        occurrences = result.unwrap()
        assert len(occurrences) == days
        assert occurrences[-1].astimezone(zone).date() == last
    else:
        assert_refused(result, "at most 100")


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        ("20260610", 3),  # a date is the whole local day
        ("20260610T090000", 3),  # a local date-time is in the practitioner's zone, inclusive
        ("20260610T085959", 2),
        ("20260609T230000Z", 3),  # 09:00 in Sydney is 23:00 UTC the day before
        ("20260609T225959Z", 2),
    ],
)
def test_until_is_read_in_the_practitioners_zone_unless_it_says_utc(until: str, expected: int) -> None:
    start = datetime(2026, 6, 8, 9, 0, tzinfo=SYDNEY)

    occurrences = expand(f"FREQ=DAILY;UNTIL={until}", start, LIMIT).unwrap()

    assert len(occurrences) == expected


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY",  # unbounded
        "FREQ=DAILY;COUNT=3;UNTIL=20260620",  # both bounds
        "COUNT=3",  # no frequency
        "FREQ=HOURLY;COUNT=3",
        "FREQ=MINUTELY;COUNT=3",
        "FREQ=YEARLY;COUNT=3",
        "FREQ=WEEKLY;COUNT=3;BYSETPOS=1",
        "FREQ=DAILY;COUNT=3;BYHOUR=9",
        "FREQ=DAILY;COUNT=3;BYMINUTE=30",
        "FREQ=DAILY;COUNT=3;BYSECOND=1",
        "FREQ=MONTHLY;COUNT=3;BYMONTH=6",
        "FREQ=DAILY;COUNT=3;BYYEARDAY=160",
        "FREQ=WEEKLY;COUNT=3;BYWEEKNO=24",
        "FREQ=DAILY;COUNT=3;DTSTART=20260608T090000Z",
        "FREQ=DAILY;COUNT=3;RDATE=20260610",
        "FREQ=DAILY;COUNT=3;FREQ=WEEKLY",  # twice
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;COUNT=-1",
        "FREQ=DAILY;INTERVAL=0;COUNT=3",
        "FREQ=DAILY;UNTIL=20261340",
        "FREQ=DAILY;UNTIL=tomorrow",
        "FREQ=WEEKLY;BYDAY=1MO;COUNT=3",  # ordinals are for MONTHLY
        "FREQ=DAILY;BYDAY=-1FR;COUNT=3",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=32;COUNT=3",
        "FREQ=DAILY;COUNT=3;",
        "FREQ",
        "",
        "   ",
        "FREQ=DAILY;COUNT=3;X-NAME=1",
        "FREQ=DAILY;COUNT=3;" + "INTERVAL=1;" * 60,
    ],
)
def test_unsupported_or_malformed_rules_are_refused_naming_the_field(rule: str) -> None:
    start = datetime(2026, 6, 8, 9, 0, tzinfo=PARIS)  # a Monday, the 8th

    assert_refused(expand(rule, start, LIMIT))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=TU;COUNT=3",
        "FREQ=WEEKLY;BYDAY=WE,FR;COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3",
        "FREQ=MONTHLY;BYDAY=1MO;COUNT=3",  # 8 June is the second Monday
        "FREQ=MONTHLY;BYDAY=-1MO;COUNT=3",
    ],
)
def test_starts_at_must_be_an_occurrence_of_the_rule(rule: str) -> None:
    start = datetime(2026, 6, 8, 9, 0, tzinfo=PARIS)

    assert_refused(expand(rule, start, LIMIT), "starts_at")


@pytest.mark.parametrize(
    "rule", ["FREQ=MONTHLY;BYDAY=2MO;COUNT=3", "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=3", "FREQ=MONTHLY;BYMONTHDAY=8;COUNT=3"]
)
def test_rules_the_start_belongs_to_are_accepted(rule: str) -> None:
    start = datetime(2026, 6, 8, 9, 0, tzinfo=PARIS)

    assert expand(rule, start, LIMIT).unwrap()[0] == start


def test_a_naive_start_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        expand("FREQ=DAILY;COUNT=2", datetime(2026, 6, 8, 9, 0), LIMIT)


@settings(max_examples=60, deadline=None)
@given(
    case=series(),
    part=st.sampled_from(["BYSETPOS=1", "BYHOUR=9", "BYMINUTE=0", "BYMONTH=1", "FREQ=HOURLY", "WKST=XX", "UNTIL=2026"]),
    position=st.integers(0, 6),
)
def test_adding_an_unsupported_part_to_any_rule_is_refused(
    case: tuple[str, datetime, int, str, int], part: str, position: int
) -> None:
    rule, start, *_ = case
    chunks = rule.split(";")
    chunks.insert(position % (len(chunks) + 1), part)

    assert_refused(expand(";".join(chunks), start, LIMIT))


def test_a_rule_that_can_never_match_is_refused_at_once() -> None:
    """dateutil would search such a rule until the year 9999; the first start's weekday
    or day of month decides it up front."""
    expander = DateutilRecurrence()
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))

    never = expander.expand("FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=5", monday, 100)
    wrong_day = expander.expand("FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3", monday, 100)

    for refused in (never, wrong_day):
        assert isinstance(refused, Failure)
        assert refused.failure().fields[0].field == "recurrence.rrule"
