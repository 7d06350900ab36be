"""Value rules of practitioners, time off, holidays, rooms and appointment types."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.practitioners.changes import UNCHANGED
from medcore.domain.practitioners.practitioner import Practitioner, PractitionerChanges, specialty_code
from medcore.domain.practitioners.resources import AppointmentType, Room, RoomKind
from medcore.domain.practitioners.schedule import Holiday, TimeOff, WeeklySchedule
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.rules import DurationRule
from medcore.domain.shared.errors import ErrorKind

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
ID = UUID(int=1)
ORG = UUID(int=2)
BASICS = PractitionerChanges(given_name="Claire", family_name="Martin", time_zone="Europe/Paris")


def create(**fields: object) -> Practitioner:
    changes = PractitionerChanges(**{**BASICS.given(), **fields})  # type: ignore[arg-type]
    created = Practitioner.create(id=ID, organization_id=ORG, changes=changes, now=NOW)
    assert isinstance(created, Success), created
    return created.unwrap()


def issues(result: object) -> list[str]:
    assert isinstance(result, Failure), result
    return [issue.field for issue in result.failure().fields]


# --- practitioners ----------------------------------------------------------------------


def test_a_new_practitioner_takes_the_defaults() -> None:
    doctor = create()

    assert doctor.user_id is None
    assert doctor.specialties == ()
    assert (doctor.buffer_minutes, doctor.daily_capacity) == (0, None)
    assert (doctor.can_prescribe, doctor.controlled_substances, doctor.active) == (False, False, True)
    assert doctor.working_hours == WeeklySchedule()
    assert doctor.time_zone.value == "Europe/Paris"
    assert (doctor.created_at, doctor.updated_at, doctor.version) == (NOW, NOW, 1)


def test_names_and_time_zone_are_required() -> None:
    created = Practitioner.create(id=ID, organization_id=ORG, changes=PractitionerChanges(), now=NOW)

    assert issues(created) == ["given_name", "family_name", "time_zone"]


def test_names_are_tidied_and_bounded() -> None:
    assert create(given_name="  Marie   Claire ").given_name == "Marie Claire"
    created = Practitioner.create(
        id=ID,
        organization_id=ORG,
        changes=PractitionerChanges(given_name=" ", family_name="x" * 101, time_zone="Europe/Paris"),
        now=NOW,
    )
    assert issues(created) == ["given_name", "family_name"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("General practice", "general_practice"),
        ("paediatrics", "paediatrics"),
        (" Sports-Medicine ", "sports_medicine"),
    ],
)
def test_specialties_become_lower_case_codes(raw: str, code: str) -> None:
    assert specialty_code(raw) == code
    assert create(specialties=[raw, code]).specialties == (code,)


@pytest.mark.parametrize("raw", ["", "x", "9lives", "pédiatrie", "a" * 61, "cardio!"])
def test_malformed_specialties_are_refused(raw: str) -> None:
    created = Practitioner.create(
        id=ID,
        organization_id=ORG,
        changes=PractitionerChanges(**{**BASICS.given(), "specialties": ["ok_code", raw]}),
        now=NOW,
    )
    assert issues(created) == ["specialties.1"]


def test_at_most_twenty_specialties() -> None:
    codes = [f"code_{i}" for i in range(21)]
    changes = PractitionerChanges(**{**BASICS.given(), "specialties": codes})
    assert issues(Practitioner.create(id=ID, organization_id=ORG, changes=changes, now=NOW)) == ["specialties"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("buffer_minutes", -1),
        ("buffer_minutes", 121),
        ("buffer_minutes", True),
        ("daily_capacity", 0),
        ("daily_capacity", 201),
        ("time_zone", "Europe/Atlantis"),
        ("time_zone", "europe/paris"),
        ("licence_number", " "),
        ("licence_number", "#12"),
        ("licence_expires_on", date(1850, 1, 1)),
    ],
)
def test_out_of_range_values_are_refused(field: str, value: object) -> None:
    changes = PractitionerChanges(**{**BASICS.given(), field: value})
    if field == "licence_expires_on":
        changes = PractitionerChanges(**{**changes.given(), "licence_number": "A1"})
    assert issues(Practitioner.create(id=ID, organization_id=ORG, changes=changes, now=NOW)) == [field]


def test_the_bounds_themselves_are_accepted() -> None:
    doctor = create(buffer_minutes=120, daily_capacity=200)
    assert (doctor.buffer_minutes, doctor.daily_capacity) == (120, 200)
    assert create(buffer_minutes=0, daily_capacity=1).daily_capacity == 1


def test_prescribing_needs_a_licence_and_controlled_substances_need_prescribing() -> None:
    assert issues(
        Practitioner.create(
            id=ID,
            organization_id=ORG,
            changes=PractitionerChanges(**{**BASICS.given(), "can_prescribe": True}),
            now=NOW,
        )
    ) == ["can_prescribe"]
    doctor = create(licence_number="RPPS 1", can_prescribe=True, controlled_substances=True)

    assert issues(doctor.update(PractitionerChanges(can_prescribe=False), LATER)) == ["controlled_substances"]
    assert issues(doctor.update(PractitionerChanges(licence_number=None), LATER)) == ["can_prescribe"]
    assert doctor.can_prescribe  # nothing changed
    assert doctor.update(PractitionerChanges(can_prescribe=False, controlled_substances=False), LATER).unwrap() == (
        "can_prescribe",
        "controlled_substances",
    )


def test_an_update_is_all_or_nothing_and_names_what_changed() -> None:
    doctor = create(buffer_minutes=10)

    refused = doctor.update(PractitionerChanges(buffer_minutes=5, daily_capacity=0), LATER)
    changed = doctor.update(PractitionerChanges(buffer_minutes=5, given_name="Claire", family_name="Durand"), LATER)

    assert issues(refused) == ["daily_capacity"]
    assert changed.unwrap() == ("family_name", "buffer_minutes")
    assert (doctor.buffer_minutes, doctor.family_name, doctor.updated_at) == (5, "Durand", LATER)


def test_an_update_that_changes_nothing_keeps_the_time() -> None:
    doctor = create()
    assert doctor.update(PractitionerChanges(given_name="Claire", daily_capacity=UNCHANGED), LATER).unwrap() == ()
    assert doctor.updated_at == NOW


def test_null_clears_the_optional_fields() -> None:
    doctor = create(user_id=UUID(int=9), licence_number="A1", licence_expires_on=date(2030, 1, 1), daily_capacity=5)

    doctor.update(
        PractitionerChanges(user_id=None, licence_number=None, licence_expires_on=None, daily_capacity=None), LATER
    ).unwrap()

    assert (doctor.user_id, doctor.licence_number, doctor.licence_expires_on, doctor.daily_capacity) == (
        None,
        None,
        None,
        None,
    )


def test_a_licence_is_valid_up_to_and_including_its_expiry_day() -> None:
    expiring = create(licence_number="A1", licence_expires_on=date(2026, 6, 30))
    lasting = create(licence_number="A1")
    unlicensed = create()

    assert expiring.licence_valid_on(date(2026, 6, 30))
    assert not expiring.licence_valid_on(date(2026, 7, 1))
    assert lasting.licence_valid_on(date(2099, 1, 1))
    assert not unlicensed.licence_valid_on(date(2026, 1, 1))


def test_working_hours_are_replaced_only_when_they_differ() -> None:
    doctor = create()
    hours = WeeklySchedule.build([(1, "09:00", "12:00")]).unwrap()

    assert doctor.set_working_hours(hours, LATER) is True
    assert doctor.set_working_hours(WeeklySchedule.build([(1, "09:00", "12:00")]).unwrap(), NOW) is False
    assert (doctor.working_hours, doctor.updated_at) == (hours, LATER)


def test_the_calendar_carries_the_practitioners_settings() -> None:
    doctor = create(buffer_minutes=10, daily_capacity=12, time_zone="Australia/Sydney")
    leave = Interval(NOW, LATER)
    earlier = Interval(NOW - timedelta(days=1), NOW - timedelta(hours=20))

    calendar = doctor.calendar(
        [TimeOff(UUID(int=5), ID, leave), earlier],
        [date(2026, 12, 25), Holiday(UUID(int=6), date(2026, 1, 26), "Australia Day"), date(2026, 12, 25)],
    )

    assert calendar.practitioner_id == ID
    assert str(calendar.zone) == "Australia/Sydney"
    assert calendar.buffer == timedelta(minutes=10)
    assert calendar.daily_capacity == 12
    assert calendar.time_off == (earlier, leave)
    assert calendar.holidays == (date(2026, 1, 26), date(2026, 12, 25))
    assert calendar.schedule is doctor.working_hours


# --- time off and holidays --------------------------------------------------------------


def test_time_off_is_stored_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    recorded = TimeOff.record(
        id=ID,
        practitioner_id=ID,
        starts_at=datetime(2026, 7, 1, tzinfo=paris),
        ends_at=datetime(2026, 7, 2, tzinfo=paris),
        reason="  Summer   leave ",
    ).unwrap()

    assert recorded.interval == Interval(datetime(2026, 6, 30, 22, tzinfo=UTC), datetime(2026, 7, 1, 22, tzinfo=UTC))
    assert recorded.interval.start.tzinfo is UTC
    assert recorded.reason == "Summer leave"
    assert TimeOff.record(id=ID, practitioner_id=ID, starts_at=NOW, ends_at=LATER, reason=" ").unwrap().reason is None


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        (LATER, NOW, "ends_at"),
        (NOW, NOW, "ends_at"),
        (datetime(2026, 3, 2, 9), LATER, "starts_at"),
        (NOW, datetime(2999, 1, 1, tzinfo=UTC), "ends_at"),
        (datetime(1969, 12, 31, tzinfo=UTC), LATER, "starts_at"),
    ],
)
def test_invalid_time_off_is_refused(starts_at: datetime, ends_at: datetime, field: str) -> None:
    assert issues(TimeOff.record(id=ID, practitioner_id=ID, starts_at=starts_at, ends_at=ends_at)) == [field]


def test_a_time_off_reason_is_short() -> None:
    assert issues(TimeOff.record(id=ID, practitioner_id=ID, starts_at=NOW, ends_at=LATER, reason="x" * 201)) == [
        "reason"
    ]


def test_holidays_have_a_name_and_a_plausible_day() -> None:
    assert Holiday.declare(id=ID, day=date(2026, 12, 25), name=" Christmas ").unwrap().name == "Christmas"
    assert issues(Holiday.declare(id=ID, day=date(2026, 12, 25), name="")) == ["name"]
    assert issues(Holiday.declare(id=ID, day=date(1900, 1, 1), name="Old")) == ["day"]


# --- rooms ------------------------------------------------------------------------------


def test_rooms_have_a_tidy_name_and_a_kind() -> None:
    room = Room.create(id=ID, organization_id=ORG, name="  Room   1 ", now=NOW).unwrap()
    assert (room.name, room.kind, room.active) == ("Room 1", RoomKind.ROOM, True)
    assert issues(Room.create(id=ID, organization_id=ORG, name="", now=NOW)) == ["name"]

    assert room.update(kind=RoomKind.EQUIPMENT, active=False, now=LATER).unwrap() == ("kind", "active")
    assert issues(room.update(name="x" * 101, active=True, now=LATER)) == ["name"]
    assert (room.kind, room.active, room.updated_at) == (RoomKind.EQUIPMENT, False, LATER)
    assert room.update(name="Room 1", now=NOW).unwrap() == ()


# --- appointment types ------------------------------------------------------------------


def test_an_appointment_type_defaults_to_5_to_240_minutes() -> None:
    follow_up = AppointmentType.create(
        id=ID, organization_id=ORG, name="Follow-up", default_minutes=15, now=NOW
    ).unwrap()

    assert (follow_up.min_minutes, follow_up.max_minutes) == (5, 240)
    assert follow_up.duration_rule() == DurationRule(min_minutes=5, max_minutes=240)
    assert follow_up.default_duration == timedelta(minutes=15)
    assert follow_up.colour == "#4F7CAC"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"default_minutes": 17}, ["default_minutes"]),
        ({"default_minutes": 0}, ["default_minutes"]),
        ({"default_minutes": 20, "min_minutes": 30}, ["default_minutes"]),
        ({"default_minutes": 20, "max_minutes": 15}, ["default_minutes"]),
        ({"default_minutes": 20, "min_minutes": 40, "max_minutes": 30}, ["min_minutes"]),
        ({"default_minutes": 20, "max_minutes": 485}, ["max_minutes"]),
        ({"default_minutes": 20, "colour": "#12345"}, ["colour"]),
        ({"default_minutes": 20, "colour": "red"}, ["colour"]),
        ({"default_minutes": 20, "name": "  "}, ["name"]),
    ],
)
def test_invalid_appointment_types_name_the_field(fields: dict[str, object], expected: list[str]) -> None:
    created = AppointmentType.create(id=ID, organization_id=ORG, **{"name": "Consultation", **fields}, now=NOW)  # type: ignore[arg-type]
    assert issues(created) == expected
    assert created.failure().kind is ErrorKind.INVALID  # type: ignore[union-attr]


def test_colours_are_upper_case() -> None:
    created = AppointmentType.create(
        id=ID, organization_id=ORG, name="X", default_minutes=20, colour=" #a1b2c3", now=NOW
    )
    assert created.unwrap().colour == "#A1B2C3"


durations = st.integers(-10, 500)


@settings(max_examples=300)
@given(durations, durations, durations, durations, durations, durations)
def test_an_appointment_type_never_holds_invalid_durations(
    default: int, low: int, high: int, new_default: int, new_low: int, new_high: int
) -> None:
    created = AppointmentType.create(
        id=ID, organization_id=ORG, name="Visit", default_minutes=default, min_minutes=low, max_minutes=high, now=NOW
    )
    valid = all(v % 5 == 0 and 5 <= v <= 480 for v in (default, low, high)) and low <= default <= high
    assert isinstance(created, Success) == valid
    if not valid:
        return
    kind = created.unwrap()
    before = (kind.default_minutes, kind.min_minutes, kind.max_minutes)

    updated = kind.update(default_minutes=new_default, min_minutes=new_low, max_minutes=new_high, now=LATER)

    after = (kind.default_minutes, kind.min_minutes, kind.max_minutes)
    if isinstance(updated, Failure):
        assert after == before
    else:
        assert after == (new_default, new_low, new_high)
    d, lo, hi = after
    assert lo % 5 == d % 5 == hi % 5 == 0
    assert 5 <= lo <= d <= hi <= 480
