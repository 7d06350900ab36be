"""Builders and independent oracles for the scheduling unit tests.

The oracles judge availability minute by minute from local wall time (weekday, working hours,
holiday, time off), without the interval algebra the code under test uses, so a mistake there
cannot hide behind the same mistake in the oracle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from medcore.domain.practitioners.schedule import WeeklySchedule, local_instant
from medcore.domain.scheduling.appointment import Appointment, AppointmentStatus
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.policy import SchedulingPolicy
from medcore.domain.scheduling.rules import PractitionerCalendar, SlotChecker

ORG = UUID(int=1)
PRACTITIONER = UUID(int=2)
OTHER_PRACTITIONER = UUID(int=3)
PATIENTS = (UUID(int=11), UUID(int=12), UUID(int=13))
ROOMS = (UUID(int=21), UUID(int=22))
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
ZONES = (PARIS, NEW_YORK, SYDNEY, KOLKATA, ZoneInfo("UTC"))

# A week without daylight-saving changes in any of ZONES: Monday 8 to Sunday 14 June 2026.
MONDAY = date(2026, 6, 8)
NOW = datetime(2026, 6, 1, tzinfo=UTC)  # a week before: notice and horizon are not in play

CLINIC_HOURS = [(d, "09:00", "12:30") for d in range(1, 6)] + [(d, "14:00", "18:00") for d in range(1, 6)]
HOURS_OPTIONS = {
    "clinic": CLINIC_HOURS,  # Mon-Fri 09:00-12:30 and 14:00-18:00
    "long_days": [(d, "08:00", "20:00") for d in range(1, 7)],
    "touching": [(d, "10:00", "13:00") for d in (1, 3, 5)] + [(d, "13:00", "16:00") for d in (1, 3, 5)],
    "round_the_clock": [(d, "00:00", "24:00") for d in range(1, 8)],
}


def weekly(raw: Sequence[tuple[int, str, str]]) -> WeeklySchedule:
    return WeeklySchedule.build(raw).unwrap()


def at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return local_instant(day, time(hour, minute), zone)


def calendar(
    zone: ZoneInfo = PARIS,
    hours: Sequence[tuple[int, str, str]] = CLINIC_HOURS,
    *,
    buffer_minutes: int = 0,
    capacity: int | None = None,
    time_off: Iterable[Interval] = (),
    holidays: Iterable[date] = (),
) -> PractitionerCalendar:
    return PractitionerCalendar(
        practitioner_id=PRACTITIONER,
        zone=zone,
        schedule=weekly(hours),
        buffer=timedelta(minutes=buffer_minutes),
        daily_capacity=capacity,
        time_off=tuple(time_off),
        holidays=tuple(holidays),
    )


def appointment(
    start: datetime,
    minutes: int,
    *,
    n: int,
    patient: UUID = PATIENTS[0],
    room: UUID | None = None,
    buffer_minutes: int = 0,
    status: AppointmentStatus = AppointmentStatus.CONFIRMED,
    practitioner: UUID = PRACTITIONER,
    override_reason: str | None = None,
) -> Appointment:
    return Appointment(
        id=UUID(int=1000 + n),
        organization_id=ORG,
        practitioner_id=practitioner,
        patient_id=patient,
        appointment_type_id=None,
        room_id=room,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        buffer_minutes=buffer_minutes,
        status=status,
        override_reason=override_reason,
        created_at=CREATED,
        updated_at=CREATED,
    )


def checker_for(
    cal: PractitionerCalendar,
    policy: SchedulingPolicy,
    booked: Sequence[Appointment],
    *,
    patient: UUID | None = None,
) -> SlotChecker:
    """As the application builds it: the practitioner's appointments, the patient's (with any
    practitioner), and every appointment that names a room (the checker matches the room)."""
    return SlotChecker(
        calendar=cal,
        policy=policy,
        practitioner_appointments=[a for a in booked if a.practitioner_id == cal.practitioner_id],
        patient_appointments=[a for a in booked if patient is not None and a.patient_id == patient],
        room_appointments=[a for a in booked if a.room_id is not None],
    )


# --- oracles ---------------------------------------------------------------------------


def works_at(cal: PractitionerCalendar, instant: datetime) -> bool:
    """Whether the practitioner works during the minute starting at ``instant``."""
    local = instant.astimezone(cal.zone)
    if local.date() in cal.holidays:
        return False
    if any(off.start <= instant < off.end for off in cal.time_off):
        return False
    return any(h.weekday == local.isoweekday() and h.start <= local.time() < h.end for h in cal.schedule.hours)


def within_availability(cal: PractitionerCalendar, interval: Interval) -> bool:
    minutes = int(interval.duration / MINUTE)
    return all(works_at(cal, interval.start + k * MINUTE) for k in range(minutes))


def minute_starts(window: Interval, length: timedelta) -> list[datetime]:
    """Every whole-minute start whose interval of ``length`` fits in ``window``."""
    first = window.start.replace(second=0, microsecond=0)
    if first < window.start:
        first += MINUTE
    starts = []
    start = first
    while start + length <= window.end:
        starts.append(start)
        start += MINUTE
    return starts


# --- strategies -------------------------------------------------------------------------

GRANULARITIES = (5, 10, 15, 30)


@dataclass(frozen=True)
class CalendarSpec:
    zone: ZoneInfo
    hours_name: str
    buffer_minutes: int
    capacity: int | None
    time_off: tuple[Interval, ...]
    holidays: tuple[date, ...]

    def build(self, *, buffer_minutes: int | None = None) -> PractitionerCalendar:
        return calendar(
            self.zone,
            HOURS_OPTIONS[self.hours_name],
            buffer_minutes=self.buffer_minutes if buffer_minutes is None else buffer_minutes,
            capacity=self.capacity,
            time_off=self.time_off,
            holidays=self.holidays,
        )


@st.composite
def time_off_in_week(draw: st.DrawFn, zone: ZoneInfo) -> Interval:
    day = MONDAY + timedelta(days=draw(st.integers(0, 6)))
    start = at(day, 0, 0, zone) + draw(st.integers(6 * 60, 20 * 60)) * MINUTE
    return Interval(start, start + draw(st.integers(15, 10 * 60)) * MINUTE)


@st.composite
def calendar_specs(
    draw: st.DrawFn, *, capacity: bool = True, zones: Sequence[ZoneInfo] = ZONES, hours: Sequence[str] | None = None
) -> CalendarSpec:
    zone = draw(st.sampled_from(zones))
    return CalendarSpec(
        zone=zone,
        hours_name=draw(st.sampled_from(sorted(HOURS_OPTIONS) if hours is None else hours)),
        buffer_minutes=draw(st.sampled_from([0, 0, 5, 10, 15, 30]) | st.integers(0, 30)),
        capacity=draw(st.none() | st.integers(1, 4)) if capacity else None,
        time_off=tuple(draw(st.lists(time_off_in_week(zone), max_size=2))),
        holidays=tuple(draw(st.lists(st.integers(0, 6).map(lambda d: MONDAY + timedelta(days=d)), max_size=1))),
    )


@st.composite
def policies(draw: st.DrawFn) -> SchedulingPolicy:
    return SchedulingPolicy(
        slot_granularity_minutes=draw(st.sampled_from(GRANULARITIES)),
        patient_overlap_allowed=draw(st.booleans()),
    )


def local_starts(zone: ZoneInfo, *, days: int = 5) -> st.SearchStrategy[datetime]:
    """Starts in the test week between 07:00 and 19:00 local, mostly on a 5-minute grid."""
    minute_of_day = st.integers(7 * 12, 19 * 12).map(lambda k: k * 5) | st.integers(7 * 60, 19 * 60)
    return st.builds(
        lambda d, m: at(MONDAY + timedelta(days=d), 0, 0, zone) + m * MINUTE,
        st.integers(0, days - 1),
        minute_of_day,
    )


durations = st.sampled_from([5, 10, 15, 20, 30, 45, 60, 90, 120]) | st.integers(1, 300)
