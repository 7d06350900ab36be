"""The booking rules of domain-rules.md section 2, as pure functions.

``SlotChecker`` answers, for one practitioner, whether a candidate interval may be booked:
422-style *violations* (past, notice, horizon, granularity, duration) and 409-style
*conflicts* (practitioner, patient, room, availability, capacity), each conflict naming the
appointment it clashes with. Availability search uses the very same checker, so every
offered slot books and no booking starts outside the offered slots.
"""

from __future__ import annotations

import bisect
import enum
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from medcore.domain.practitioners.schedule import WeeklySchedule, available_intervals
from medcore.domain.scheduling.appointment import Appointment
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.policy import SchedulingPolicy
from medcore.domain.shared.errors import DomainError, ErrorKind, FieldIssue

DEFAULT_MIN_MINUTES = 5
DEFAULT_MAX_MINUTES = 240


class ConflictKind(enum.StrEnum):
    PRACTITIONER = "practitioner"
    PATIENT = "patient"
    ROOM = "room"
    AVAILABILITY = "availability"
    CAPACITY = "capacity"


@dataclass(frozen=True, slots=True)
class Conflict:
    kind: ConflictKind
    starts_at: datetime
    ends_at: datetime
    appointment_id: UUID | None = None
    occurrence_start: datetime | None = None


@dataclass(frozen=True, slots=True)
class DurationRule:
    """An appointment type's bounds (defaults 5-240 minutes)."""

    min_minutes: int = DEFAULT_MIN_MINUTES
    max_minutes: int = DEFAULT_MAX_MINUTES


@dataclass(frozen=True, slots=True)
class PractitionerCalendar:
    """What the rules need to know of a practitioner's time."""

    practitioner_id: UUID
    zone: ZoneInfo
    schedule: WeeklySchedule
    buffer: timedelta = timedelta(0)
    daily_capacity: int | None = None
    time_off: tuple[Interval, ...] = ()
    holidays: tuple[date, ...] = ()

    def available(self, window: Interval) -> list[Interval]:
        return available_intervals(self.schedule, self.zone, window, self.time_off, self.holidays)


@dataclass(frozen=True, slots=True)
class Booker:
    """Who books: patients are bound by the minimum notice and can never book outside
    availability; staff with ``appointments:override`` can, with a reason."""

    is_patient: bool = False
    override_availability: bool = False


VIOLATION_ORDER = (
    "appointment.in_past",
    "appointment.too_short_notice",
    "appointment.beyond_horizon",
    "appointment.granularity",
    "appointment.invalid_duration",
)

_VIOLATION_MESSAGES = {
    "appointment.in_past": "Appointments cannot start in the past.",
    "appointment.too_short_notice": "Patients book at least {notice} ahead.",
    "appointment.beyond_horizon": "Appointments can be booked at most {horizon} days ahead.",
    "appointment.granularity": "Times and durations follow the {minutes}-minute grid.",
    "appointment.invalid_duration": "The duration must be between {low} and {high} minutes.",
}


def on_grid(instant: datetime, zone: ZoneInfo, granularity: timedelta) -> bool:
    local = instant.astimezone(zone)
    minutes = local.hour * 60 + local.minute
    return local.second == 0 and local.microsecond == 0 and minutes % int(granularity.total_seconds() // 60) == 0


def next_on_grid(instant: datetime, zone: ZoneInfo, granularity: timedelta) -> datetime:
    """The first instant at or after ``instant`` on the local grid."""
    # Stepping in UTC, minute by minute (at most one grid step plus an offset change): local
    # wall-clock arithmetic would skip the first pass of a fall-back night's repeated hour.
    candidate = instant.astimezone(UTC)
    if candidate.second or candidate.microsecond:
        candidate = candidate.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while not on_grid(candidate, zone, granularity):
        candidate += timedelta(minutes=1)
    return candidate.astimezone(instant.tzinfo)


def booking_violations(
    interval: Interval,
    *,
    zone: ZoneInfo,
    policy: SchedulingPolicy,
    duration_rule: DurationRule,
    booker: Booker,
    now: datetime,
) -> list[str]:
    """The codes of the 422 rules (5 and 6) this interval breaks, in a fixed order."""
    codes: list[str] = []
    if interval.start <= now:
        codes.append("appointment.in_past")
    elif booker.is_patient and interval.start < now + policy.min_notice:
        codes.append("appointment.too_short_notice")
    if interval.start > now + policy.max_horizon:
        codes.append("appointment.beyond_horizon")
    minutes = interval.duration.total_seconds() / 60
    if not on_grid(interval.start, zone, policy.granularity) or minutes % policy.slot_granularity_minutes:
        codes.append("appointment.granularity")
    if not duration_rule.min_minutes <= minutes <= duration_rule.max_minutes:
        codes.append("appointment.invalid_duration")
    return codes


def violation_error(
    codes: Sequence[str], policy: SchedulingPolicy, duration_rule: DurationRule, field_name: str = "starts_at"
) -> DomainError:
    values = {
        "notice": f"{policy.min_notice_minutes} minutes",
        "horizon": policy.max_horizon_days,
        "minutes": policy.slot_granularity_minutes,
        "low": duration_rule.min_minutes,
        "high": duration_rule.max_minutes,
    }
    issues = tuple(
        FieldIssue(
            "duration" if code == "appointment.invalid_duration" else field_name,
            _VIOLATION_MESSAGES[code].format(**values),
        )
        for code in codes
    )
    first = codes[0]
    return DomainError(
        code=first, message=_VIOLATION_MESSAGES[first].format(**values), kind=ErrorKind.INVALID, fields=issues
    )


def _by_start(appointments: Iterable[Appointment]) -> list[Appointment]:
    return sorted((a for a in appointments if a.occupying), key=lambda a: (a.starts_at, a.id))


@dataclass
class SlotChecker:
    """Checks candidates for one practitioner against what is already booked.

    ``practitioner_appointments`` must cover the candidates' local days (for capacity) and
    reach far enough back to include any buffer that runs into them.
    """

    calendar: PractitionerCalendar
    policy: SchedulingPolicy
    practitioner_appointments: Sequence[Appointment] = ()
    patient_appointments: Sequence[Appointment] = ()
    room_appointments: Sequence[Appointment] = ()
    _practitioner: list[Appointment] = field(init=False, repr=False)
    _starts: list[datetime] = field(init=False, repr=False)
    _longest: timedelta = field(init=False, repr=False)
    _per_day: Counter[date] = field(init=False, repr=False)
    _blocked_max: list[datetime] = field(init=False, repr=False)  # running maximum of blocked ends

    def __post_init__(self) -> None:
        self._practitioner = _by_start(self.practitioner_appointments)
        self._starts = [a.starts_at for a in self._practitioner]
        self._longest = max((a.blocked_until - a.starts_at for a in self._practitioner), default=timedelta(0))
        self._per_day = Counter(self.local_day(a.starts_at) for a in self._practitioner)
        self._blocked_max = list(itertools.accumulate((a.blocked_until for a in self._practitioner), max))

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.calendar.zone).date()

    def _overlapping_practitioner(self, blocked: Interval) -> list[Appointment]:
        # Anything starting before blocked.end, and not earlier than the longest appointment
        # (with its buffer) before blocked.start, may overlap.
        low = bisect.bisect_left(self._starts, blocked.start - self._longest)
        high = bisect.bisect_left(self._starts, blocked.end)
        return [a for a in self._practitioner[low:high] if a.practitioner_interval.overlaps(blocked)]

    def conflicts(
        self,
        interval: Interval,
        *,
        patient_id: UUID | None = None,
        room_id: UUID | None = None,
        override_availability: bool = False,
        extra_per_day: Counter[date] | None = None,
        ignore: frozenset[UUID] = frozenset(),
        available: Sequence[Interval] | None = None,
    ) -> list[Conflict]:
        """The 409 rules (1-4, 7). ``ignore`` leaves out appointments being replaced (a
        reschedule does not conflict with itself); ``extra_per_day`` counts occurrences of
        the same request towards the daily capacity; ``available`` passes availability
        already computed for a larger window."""
        found: list[Conflict] = []
        blocked = interval.extended(self.calendar.buffer)
        for other in self._overlapping_practitioner(blocked):
            if other.id not in ignore:
                found.append(Conflict(ConflictKind.PRACTITIONER, other.starts_at, other.ends_at, other.id))
        if patient_id is not None and not self.policy.patient_overlap_allowed:
            for other in self.patient_appointments:
                if other.occupying and other.id not in ignore and other.interval.overlaps(interval):
                    found.append(Conflict(ConflictKind.PATIENT, other.starts_at, other.ends_at, other.id))
        if room_id is not None:
            for other in self.room_appointments:
                if (
                    other.occupying
                    and other.id not in ignore
                    and other.room_id == room_id
                    and other.interval.overlaps(interval)
                ):
                    found.append(Conflict(ConflictKind.ROOM, other.starts_at, other.ends_at, other.id))
        if available is None:
            available = self.calendar.available(interval)
        if not override_availability and not any(a.contains(interval) for a in available):
            found.append(Conflict(ConflictKind.AVAILABILITY, interval.start, interval.end))
        capacity = self.calendar.daily_capacity
        if capacity is not None:
            day = self.local_day(interval.start)
            ignored_that_day = sum(
                1 for a in self._practitioner if a.id in ignore and self.local_day(a.starts_at) == day
            )
            booked = self._per_day[day] - ignored_that_day + (extra_per_day or Counter())[day]
            if booked >= capacity:
                found.append(Conflict(ConflictKind.CAPACITY, interval.start, interval.end))
        return found

    def free_slots(
        self,
        window: Interval,
        duration: timedelta,
        *,
        duration_rule: DurationRule,
        booker: Booker,
        now: datetime,
    ) -> list[Interval]:
        """Every start on the grid within ``window`` that a booking of ``duration`` by
        ``booker`` would be accepted at (no patient or room given).

        One sweep per stretch of availability: the candidates are the grid instants of the
        stretch, in order; one pointer walks the practitioner's appointments (sorted by
        start) with the running maximum of their blocked ends, so a candidate clashes exactly
        when that maximum passes its start, and the sweep jumps over a clash, the past, the
        notice and off-grid time at once. The rules that do not depend on the start are
        judged once. It accepts exactly the candidates ``booking_violations`` and
        ``conflicts`` accept (the unit tests compare it with that candidate-by-candidate
        check). Slots are answered in UTC."""
        policy = self.policy
        minutes = duration.total_seconds() / 60
        if (
            duration <= timedelta(0)
            or minutes % policy.slot_granularity_minutes
            or not (duration_rule.min_minutes <= minutes <= duration_rule.max_minutes)
        ):
            return []
        zone = self.calendar.zone
        step = policy.granularity
        buffer = self.calendar.buffer
        reach = duration + buffer if buffer > timedelta(0) else duration
        earliest = now + policy.min_notice if booker.is_patient else now
        latest = now + policy.max_horizon
        starts, blocked_max, count = self._starts, self._blocked_max, len(self._starts)
        capacity = self.calendar.daily_capacity
        slots: list[Interval] = []
        seen = 0  # appointments starting before the current candidate's blocked end
        for stretch in self.calendar.available(window):
            # In UTC: steps are then steps of elapsed time whatever zone the window was given in.
            start = next_on_grid(stretch.start.astimezone(UTC), zone, step)
            last = stretch.end - duration
            # Whether the candidates are on the local grid: they are the stretch's first one
            # plus whole steps, so in a span with one UTC offset all are, or none is. Spans of
            # _STEADY_SPAN whose ends share their offset hold no offset change (time-zone
            # rules never change it twice within hours); elsewhere each candidate is checked.
            span_end = start
            span_on_grid: bool | None = None
            while start <= last:
                if start <= now:
                    start += ((now - start) // step + 1) * step
                    continue
                if start < earliest:
                    start -= ((start - earliest) // step) * step
                    continue
                if start > latest:
                    return slots
                if start >= span_end:
                    span_end = start + _STEADY_SPAN
                    steady = start.astimezone(zone).utcoffset() == span_end.astimezone(zone).utcoffset()
                    span_on_grid = on_grid(start, zone, step) if steady else None
                if not (span_on_grid if span_on_grid is not None else on_grid(start, zone, step)):
                    start += step
                    continue
                reach_end = start + reach
                while seen < count and starts[seen] < reach_end:
                    seen += 1
                if seen and blocked_max[seen - 1] > start:
                    # Every start before that blocked end clashes with the same appointment.
                    start -= ((start - blocked_max[seen - 1]) // step) * step
                    continue
                if capacity is not None and self._per_day[self.local_day(start)] >= capacity:
                    start += step
                    continue
                slots.append(Interval.trusted(start, start + duration))  # inside a valid stretch
                start += step
        return slots


# See SlotChecker.free_slots.
_STEADY_SPAN = timedelta(hours=6)
