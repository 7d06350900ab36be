"""Health reminder schedules: local times on weekdays between two dates, in the patient's
time zone across daylight-saving changes; which occurrences a run delivers (each once,
none before the reminder existed, none older than 24 hours)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.audit.entry import ActorType
from medcore.domain.clinical.health_reminder import (
    LOOKBACK,
    HealthReminder,
    HealthReminderStatus,
    ReminderInput,
    ReminderSchedule,
    occurrence_id,
    parse_schedule,
)
from medcore.domain.practitioners.schedule import TimeZoneName

PARIS = TimeZoneName("Europe/Paris")
CREATED = datetime(2027, 3, 22, 12, 0, tzinfo=UTC)  # Monday 22 March 2027, 13:00 in Paris


def schedule(
    *times: str,
    weekdays: frozenset[int] = frozenset(),
    starts_on: date = date(2027, 3, 22),
    ends_on: date | None = None,
    zone: TimeZoneName = PARIS,
) -> ReminderSchedule:
    return ReminderSchedule(
        times=tuple(sorted(time.fromisoformat(t) for t in times)),
        weekdays=weekdays,
        starts_on=starts_on,
        ends_on=ends_on,
        zone=zone,
    )


def reminder(plan: ReminderSchedule, created: datetime = CREATED) -> HealthReminder:
    return HealthReminder.create(
        id=UUID(int=1),
        organization_id=UUID(int=2),
        patient_id=UUID(int=3),
        text="Take your metformin",
        schedule=plan,
        channel=None,
        created_by_type=ActorType.USER,
        created_by=UUID(int=4),
        now=created,
    )


def test_parsing_names_every_problem() -> None:
    refused = parse_schedule(
        ReminderInput(
            text=" ",
            times=["8:00", "08:00", "08:00", "24:00"],
            weekdays=[0, 8],
            starts_on=date(2027, 3, 22),
            ends_on=date(2027, 3, 21),
        ),
        PARIS,
    )

    assert isinstance(refused, Failure)
    assert [i.field for i in refused.failure().fields] == [
        "text",
        "times.0",
        "times.2",
        "times.3",
        "days.0",
        "days.1",
        "ends_on",
    ]
    text, plan = parse_schedule(
        ReminderInput(
            text=" Take  it ", times=["20:00", "08:00"], weekdays=list(range(1, 8)), starts_on=date(2027, 3, 22)
        ),
        PARIS,
    ).unwrap()
    assert (text, plan.times, plan.weekdays) == ("Take it", (time(8), time(20)), frozenset())  # all seven: every day


def test_occurrences_keep_local_time_across_the_spring_change() -> None:
    plan = schedule("08:00", starts_on=date(2027, 3, 26))

    found = list(plan.occurrences(datetime(2027, 3, 25, tzinfo=UTC), datetime(2027, 3, 30, tzinfo=UTC)))

    # Paris moves from UTC+1 to UTC+2 on Sunday 28 March 2027.
    assert found == [
        datetime(2027, 3, 26, 7, tzinfo=UTC),
        datetime(2027, 3, 27, 7, tzinfo=UTC),
        datetime(2027, 3, 28, 6, tzinfo=UTC),
        datetime(2027, 3, 29, 6, tzinfo=UTC),
    ]


def test_a_time_skipped_by_the_jump_moves_forward_and_is_kept_once() -> None:
    plan = schedule("02:30", "03:30", starts_on=date(2027, 3, 28), ends_on=date(2027, 3, 28))

    found = list(plan.occurrences(datetime(2027, 3, 27, tzinfo=UTC), datetime(2027, 3, 29, tzinfo=UTC)))

    assert found == [datetime(2027, 3, 28, 1, 30, tzinfo=UTC)]  # 02:30 does not exist: 03:30 CEST, as 03:30 is


def test_weekdays_and_the_last_day_bound_the_occurrences() -> None:
    plan = schedule("09:00", weekdays=frozenset({1, 3}), ends_on=date(2027, 4, 1))  # Mondays and Wednesdays

    found = list(plan.occurrences(CREATED - timedelta(days=1), CREATED + timedelta(days=30)))

    assert [d.astimezone(PARIS.zone).strftime("%a %d") for d in found] == ["Mon 22", "Wed 24", "Mon 29", "Wed 31"]
    assert plan.next_after(datetime(2027, 3, 31, 8, tzinfo=UTC)) is None


def test_nothing_is_due_before_the_reminder_existed_and_planning_follows_the_schedule() -> None:
    created = reminder(schedule("08:00", "20:00"))  # created at 13:00 local: 08:00 today has passed

    assert created.next_due_at == datetime(2027, 3, 22, 19, tzinfo=UTC)
    assert created.due(datetime(2027, 3, 22, 18, tzinfo=UTC)).deliver == ()
    due = created.due(datetime(2027, 3, 23, 7, 30, tzinfo=UTC))
    assert due.deliver == (datetime(2027, 3, 22, 19, tzinfo=UTC), datetime(2027, 3, 23, 7, tzinfo=UTC))
    created.processed(due.latest, datetime(2027, 3, 23, 7, 30, tzinfo=UTC))
    assert created.last_occurrence_at == datetime(2027, 3, 23, 7, tzinfo=UTC)
    assert created.next_due_at == datetime(2027, 3, 23, 19, tzinfo=UTC)
    assert created.due(datetime(2027, 3, 23, 8, tzinfo=UTC)).deliver == ()


def test_a_long_outage_drops_what_is_older_than_a_day() -> None:
    daily = reminder(schedule("08:00"))
    back = datetime(2027, 3, 30, 12, tzinfo=UTC)  # eight days later, 14:00 in Paris

    due = daily.due(back)

    assert due.deliver == (datetime(2027, 3, 30, 6, tzinfo=UTC),)
    assert due.missed == 7  # 23rd to 29th
    daily.processed(due.latest, back)
    assert daily.due(back + timedelta(hours=1)).deliver == ()


def test_a_schedule_over_ends_the_reminder_and_a_cancelled_one_sends_nothing() -> None:
    short = reminder(schedule("20:00", ends_on=date(2027, 3, 22)))
    short.processed(datetime(2027, 3, 22, 19, tzinfo=UTC), datetime(2027, 3, 22, 19, 5, tzinfo=UTC))
    assert (short.status, short.next_due_at) == (HealthReminderStatus.ENDED, None)
    past = reminder(schedule("08:00", ends_on=date(2027, 3, 22)))
    assert past.status is HealthReminderStatus.ENDED  # its only 08:00 was before it existed
    cancelled = reminder(schedule("08:00"))
    assert cancelled.cancel(UUID(int=4), CREATED + timedelta(hours=1)) == Success(None)
    assert isinstance(cancelled.cancel(UUID(int=4), CREATED), Failure)  # once
    assert (cancelled.status, cancelled.next_due_at) == (HealthReminderStatus.CANCELLED, None)
    assert cancelled.due(CREATED + timedelta(days=2)).deliver == ()


def test_occurrence_ids_are_stable_and_distinct() -> None:
    at = datetime(2027, 3, 23, 7, tzinfo=UTC)
    assert occurrence_id(UUID(int=1), at) == occurrence_id(UUID(int=1), at.astimezone(PARIS.zone))
    assert occurrence_id(UUID(int=1), at) != occurrence_id(UUID(int=1), at + timedelta(minutes=1))
    assert occurrence_id(UUID(int=1), at) != occurrence_id(UUID(int=2), at)


run_gaps = st.lists(st.integers(min_value=1, max_value=60 * 60), min_size=1, max_size=12)  # minutes between runs


@settings(max_examples=150, deadline=None)
@given(
    times=st.sets(st.sampled_from(["00:30", "02:30", "08:00", "12:15", "20:00", "23:45"]), min_size=1),
    weekdays=st.sets(st.integers(1, 7), max_size=3),
    gaps=run_gaps,
    zone=st.sampled_from([PARIS, TimeZoneName("America/New_York"), TimeZoneName("UTC"), TimeZoneName("Asia/Kolkata")]),
)
def test_each_occurrence_is_delivered_once_exactly_when_a_run_comes_within_a_day(
    times: set[str], weekdays: set[int], gaps: list[int], zone: TimeZoneName
) -> None:
    plan = schedule(*times, weekdays=frozenset(weekdays), starts_on=date(2027, 3, 20), zone=zone)
    subject = reminder(plan)
    runs: list[datetime] = []
    now = CREATED
    for gap in gaps:
        now += timedelta(minutes=gap)
        runs.append(now)

    delivered: list[datetime] = []
    for run in runs:
        due = subject.due(run)
        delivered.extend(due.deliver)
        subject.processed(due.latest, run)

    assert len(delivered) == len(set(delivered))
    expected = []
    for occurrence in plan.occurrences(CREATED, runs[-1]):
        first_run = next(r for r in runs if r >= occurrence)
        if first_run - LOOKBACK < occurrence:
            expected.append(occurrence)
    assert delivered == expected


def test_years_of_outage_are_counted_up_to_a_cap_and_skipped() -> None:
    many = tuple(f"{hour:02d}:00" for hour in range(0, 24, 2))  # twelve a day
    old = reminder(schedule(*many, starts_on=date(2024, 1, 1)), created=datetime(2024, 1, 1, tzinfo=UTC))
    back = datetime(2027, 3, 22, 12, tzinfo=UTC)

    due = old.due(back)

    assert due.missed == 10_000  # counted no further
    assert len(due.deliver) == 12
    old.processed(due.latest, back)
    assert old.due(back + timedelta(minutes=1)).missed == 0
