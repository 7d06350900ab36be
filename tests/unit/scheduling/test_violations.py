"""Rules 5 and 6 (422): past, notice, horizon, the local grid and the type's duration bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medcore.domain.practitioners.schedule import local_instant
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.policy import SchedulingPolicy
from medcore.domain.scheduling.rules import VIOLATION_ORDER, Booker, DurationRule, booking_violations, violation_error
from medcore.domain.shared.errors import ErrorKind
from tests.unit.scheduling.support import GRANULARITIES, KOLKATA, PARIS, ZONES

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
STAFF = Booker()
PATIENT = Booker(is_patient=True)
DEFAULT_RULE = DurationRule()  # 5 to 240 minutes
POLICY = SchedulingPolicy()  # 5-minute grid, 120 minutes' notice, 180 days' horizon


def check(
    start: datetime,
    minutes: int = 30,
    *,
    zone: ZoneInfo = PARIS,
    booker: Booker = STAFF,
    policy: SchedulingPolicy = POLICY,
    rule: DurationRule = DEFAULT_RULE,
    now: datetime = NOW,
) -> list[str]:
    interval = Interval(start, start + timedelta(minutes=minutes))
    return booking_violations(interval, zone=zone, policy=policy, duration_rule=rule, booker=booker, now=now)


def test_nobody_books_in_the_past() -> None:
    assert check(NOW - timedelta(minutes=5)) == ["appointment.in_past"]
    assert check(NOW) == ["appointment.in_past"]
    assert check(NOW, booker=PATIENT) == ["appointment.in_past"]
    assert check(NOW + timedelta(minutes=5)) == []


def test_only_patients_are_bound_by_the_minimum_notice() -> None:
    just_short = NOW + timedelta(minutes=115)

    assert check(just_short, booker=PATIENT) == ["appointment.too_short_notice"]
    assert check(just_short, booker=STAFF) == []
    assert check(NOW + timedelta(minutes=120), booker=PATIENT) == []
    no_notice = SchedulingPolicy(min_notice_minutes=0)
    assert check(NOW + timedelta(minutes=5), booker=PATIENT, policy=no_notice) == []


def test_nobody_books_beyond_the_horizon() -> None:
    limit = NOW + timedelta(days=180)

    assert check(limit) == []
    assert check(limit + timedelta(minutes=5)) == ["appointment.beyond_horizon"]
    assert check(limit + timedelta(minutes=5), booker=PATIENT) == ["appointment.beyond_horizon"]
    assert check(NOW + timedelta(days=40), policy=SchedulingPolicy(max_horizon_days=30)) == [
        "appointment.beyond_horizon"
    ]


def test_the_grid_is_the_local_one_in_a_half_hour_offset_zone() -> None:
    hourly = SchedulingPolicy(slot_granularity_minutes=60)
    day = date(2026, 6, 9)
    nine = local_instant(day, time(9, 0), KOLKATA)  # 03:30 UTC
    half_past = local_instant(day, time(9, 30), KOLKATA)  # 04:00 UTC: whole in UTC, not in Kolkata

    assert (nine.hour, nine.minute, half_past.hour, half_past.minute) == (3, 30, 4, 0)
    assert check(nine, 60, zone=KOLKATA, policy=hourly) == []
    assert check(half_past, 60, zone=KOLKATA, policy=hourly) == ["appointment.granularity"]
    assert check(half_past, 60, zone=PARIS, policy=hourly) == []  # 06:00 in Paris


def test_off_grid_starts_and_durations_are_refused() -> None:
    quarter = SchedulingPolicy(slot_granularity_minutes=15)
    nine = local_instant(date(2026, 6, 9), time(9, 0), PARIS)

    assert check(nine + timedelta(minutes=15), policy=quarter) == []
    assert check(nine + timedelta(minutes=20), policy=quarter) == ["appointment.granularity"]
    assert check(nine + timedelta(seconds=30), policy=quarter) == ["appointment.granularity"]
    assert check(nine + timedelta(microseconds=1), policy=quarter) == ["appointment.granularity"]
    assert check(nine, 40, policy=quarter) == ["appointment.granularity"]
    assert check(nine, 45, policy=quarter) == []


def test_durations_stay_within_the_type_bounds() -> None:
    nine = local_instant(date(2026, 6, 9), time(9, 0), PARIS)
    consult = DurationRule(15, 60)

    assert check(nine, 10, rule=consult) == ["appointment.invalid_duration"]
    assert check(nine, 15, rule=consult) == []
    assert check(nine, 60, rule=consult) == []
    assert check(nine, 65, rule=consult) == ["appointment.invalid_duration"]
    assert check(nine, 62, rule=consult) == ["appointment.granularity", "appointment.invalid_duration"]
    assert check(nine, 245) == ["appointment.invalid_duration"]  # default bounds 5-240


@st.composite
def local_wall_times(draw: st.DrawFn) -> tuple[ZoneInfo, datetime, int, int]:
    """A local start in June 2026 (no daylight-saving change anywhere), with its wall minute
    and second: whether it is on a grid is known by construction."""
    zone = draw(st.sampled_from(ZONES))
    minute = draw(st.integers(0, 59))
    second = draw(st.sampled_from([0, 0, 0, 1, 30, 59]))
    wall = time(draw(st.integers(0, 23)), minute, second)
    return zone, local_instant(date(2026, 6, draw(st.integers(1, 30))), wall, zone), minute, second


@settings(max_examples=200, deadline=None)
@given(
    wall=local_wall_times(),
    granularity=st.sampled_from(GRANULARITIES),
    minutes=st.integers(1, 300),
    lead_minutes=st.integers(-60, 200 * 24 * 60) | st.integers(-10, 200),
    patient=st.booleans(),
    notice=st.sampled_from([0, 60, 120]),
    bounds=st.sampled_from([(5, 240), (15, 60), (30, 120)]),
)
def test_violations_are_the_broken_rules_in_their_fixed_order(
    wall: tuple[ZoneInfo, datetime, int, int],
    granularity: int,
    minutes: int,
    lead_minutes: int,
    patient: bool,
    notice: int,
    bounds: tuple[int, int],
) -> None:
    zone, start, minute, second = wall
    policy = SchedulingPolicy(slot_granularity_minutes=granularity, min_notice_minutes=notice)
    now = start - timedelta(minutes=lead_minutes)

    codes = check(
        start, minutes, zone=zone, booker=Booker(is_patient=patient), policy=policy, rule=DurationRule(*bounds), now=now
    )

    expected = []
    if lead_minutes <= 0:
        expected.append("appointment.in_past")
    elif patient and lead_minutes < notice:
        expected.append("appointment.too_short_notice")
    if lead_minutes > 180 * 24 * 60:
        expected.append("appointment.beyond_horizon")
    if minute % granularity or second or minutes % granularity:
        expected.append("appointment.granularity")
    if not bounds[0] <= minutes <= bounds[1]:
        expected.append("appointment.invalid_duration")
    assert codes == expected
    assert codes == [c for c in VIOLATION_ORDER if c in codes]


def test_violation_error_names_the_first_code_and_every_field() -> None:
    error = violation_error(
        ["appointment.too_short_notice", "appointment.granularity", "appointment.invalid_duration"],
        POLICY,
        DurationRule(15, 60),
    )

    assert error.code == "appointment.too_short_notice"
    assert error.kind is ErrorKind.INVALID
    assert [f.field for f in error.fields] == ["starts_at", "starts_at", "duration"]
    assert error.message == "Patients book at least 120 minutes ahead."
    assert error.fields[2].message == "The duration must be between 15 and 60 minutes."
    assert error.fields[1].message == "Times and durations follow the 5-minute grid."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slot_granularity_minutes": 7}, "slot_granularity_minutes"),
        ({"min_notice_minutes": -1}, "min_notice_minutes"),
        ({"max_horizon_days": 0}, "max_horizon_days"),
        ({"max_horizon_days": 731}, "max_horizon_days"),
        ({"late_cancel_window_minutes": 14 * 24 * 60 + 1}, "late_cancel_window_minutes"),
        ({"reminder_offsets_minutes": (4,)}, "reminder_offsets_minutes"),
        ({"reminder_offsets_minutes": (60,) * 6}, "reminder_offsets_minutes"),
        ({"calendar_detail": "diagnosis"}, "calendar_detail"),
    ],
)
def test_policy_refuses_settings_out_of_range_naming_the_field(changes: dict[str, object], field: str) -> None:
    result = SchedulingPolicy(**changes).validate()  # type: ignore[arg-type]

    assert [f.field for f in result.failure().fields] == [f"settings.scheduling.{field}"]
    assert SchedulingPolicy().validate().unwrap() == SchedulingPolicy()
