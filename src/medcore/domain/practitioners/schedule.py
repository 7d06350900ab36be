"""When a practitioner works: weekly hours in their own time zone, time off, and the
organization's holidays. Local times are turned into instants with ``zoneinfo``, so a
09:00 working day stays 09:00 on both sides of a daylight-saving change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from returns.result import Failure, Result, Success

from medcore.domain.scheduling.intervals import Interval, merge, subtract
from medcore.domain.shared.errors import DomainError, FieldIssue, field_invalid, invalid


@dataclass(frozen=True, slots=True)
class TimeZoneName:
    """An IANA time zone name (``Europe/Paris``)."""

    value: str

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone") from exc

    @classmethod
    def parse(cls, raw: str, field: str = "time_zone") -> Result[TimeZoneName, DomainError]:
        if raw not in _zones():
            return Failure(field_invalid(field, "Use an IANA time zone name such as Europe/Paris."))
        return Success(cls(raw))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.value)


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


@dataclass(frozen=True, slots=True, order=True)
class WorkingHours:
    """One interval of one weekday (ISO: Monday = 1), in local wall time."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 1 <= self.weekday <= 7:
            raise ValueError("weekday is 1 (Monday) to 7 (Sunday)")
        if not self.start < self.end:
            raise ValueError("working hours end after they start")


@dataclass(frozen=True, slots=True)
class WeeklySchedule:
    """Several intervals per day allowed; intervals of one day may not overlap."""

    hours: tuple[WorkingHours, ...] = ()

    @classmethod
    def build(cls, raw: Sequence[tuple[int, str, str]], field: str = "rules") -> Result[WeeklySchedule, DomainError]:
        issues: list[FieldIssue] = []
        hours: list[WorkingHours] = []
        for index, (weekday, start, end) in enumerate(raw):
            where = f"{field}.{index}"
            if not 1 <= weekday <= 7:
                issues.append(FieldIssue(f"{where}.weekday", "Use 1 (Monday) to 7 (Sunday)."))
                continue
            try:
                start_time, end_time = _parse_time(start), _parse_time(end)
            except ValueError:
                issues.append(FieldIssue(where, "Times are HH:MM, 00:00 to 24:00."))
                continue
            if not start_time < end_time:
                issues.append(FieldIssue(f"{where}.end", "The end must come after the start."))
                continue
            hours.append(WorkingHours(weekday, start_time, end_time))
        by_day: dict[int, list[WorkingHours]] = {}
        for h in sorted(hours):
            previous = by_day.setdefault(h.weekday, [])
            if previous and h.start < previous[-1].end:
                issues.append(FieldIssue(field, f"Intervals of weekday {h.weekday} overlap."))
            previous.append(h)
        if issues:
            return Failure(invalid("practitioner.invalid_working_hours", "The working hours are not valid.", *issues))
        return Success(cls(tuple(sorted(hours))))

    def intervals(self, window: Interval, zone: ZoneInfo) -> list[Interval]:
        """The working intervals that meet ``window``, as UTC instants."""
        first = window.start.astimezone(zone).date() - timedelta(days=1)
        last = window.end.astimezone(zone).date() + timedelta(days=1)
        found: list[Interval] = []
        day = first
        while day <= last:
            for h in self.hours:
                if h.weekday != day.isoweekday():
                    continue
                start = local_instant(day, h.start, zone)
                end = (
                    local_instant(day + timedelta(days=1), time(0), zone)
                    if h.end == _MIDNIGHT_END
                    else local_instant(day, h.end, zone)
                )
                if start < end:
                    interval = Interval(start, end)
                    if interval.overlaps(window):
                        found.append(interval)
            day += timedelta(days=1)
        return merge(found)


# 24:00 is stored as 23:59:59.999999 (a `time` cannot say 24:00) and means the end of the day.
_MIDNIGHT_END = time(23, 59, 59, 999999)


def _parse_time(raw: str) -> time:
    if raw in ("24:00", "24:00:00"):
        return _MIDNIGHT_END
    parsed = time.fromisoformat(raw)
    if parsed.tzinfo is not None or parsed.second or parsed.microsecond:
        raise ValueError("HH:MM")
    return parsed


def format_time(value: time) -> str:
    return "24:00" if value == _MIDNIGHT_END else value.strftime("%H:%M")


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time. A wall time skipped by a daylight-saving jump
    (02:30 on a spring-forward night) moves forward by the jump, as clocks do."""
    # PEP 495: with fold=0 a wall time in a gap is read with the offset from before the jump,
    # which lands after the gap (02:30 CET is 03:30 CEST); fold=1 would land before it (01:30
    # CET). An ambiguous wall time (the repeated hour of a fall-back night) with fold=0 is its
    # first occurrence.
    return datetime.combine(day, wall, tzinfo=zone).replace(fold=0).astimezone(UTC)


# Instants and days outside these bounds are typing mistakes, and near datetime's own limits
# converting them between zones would overflow.
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)
MAX_REASON = 200
MAX_HOLIDAY_NAME = 100


@dataclass(frozen=True, slots=True)
class TimeOff:
    """A stretch of time a practitioner does not work (leave, training), between two instants."""

    id: UUID
    practitioner_id: UUID
    interval: Interval
    reason: str | None = None

    @classmethod
    def record(
        cls, *, id: UUID, practitioner_id: UUID, starts_at: datetime, ends_at: datetime, reason: str | None = None
    ) -> Result[TimeOff, DomainError]:
        issues: list[FieldIssue] = []
        for name, instant in (("starts_at", starts_at), ("ends_at", ends_at)):
            if instant.tzinfo is None or instant.utcoffset() is None:
                issues.append(FieldIssue(name, "Give an offset or Z (RFC 3339)."))
            elif not EARLIEST_INSTANT <= instant <= LATEST_INSTANT:
                issues.append(FieldIssue(name, "Use an instant between 1970 and 2200."))
        if not issues and not starts_at < ends_at:
            issues.append(FieldIssue("ends_at", "The end must come after the start."))
        cleaned = " ".join(reason.split()) if reason is not None else None
        if cleaned is not None and len(cleaned) > MAX_REASON:
            issues.append(FieldIssue("reason", f"Use at most {MAX_REASON} characters."))
        if issues:
            return Failure(invalid("time_off.invalid", "The time off is not valid.", *issues))
        interval = Interval(starts_at.astimezone(UTC), ends_at.astimezone(UTC))
        return Success(cls(id, practitioner_id, interval, cleaned or None))


@dataclass(frozen=True, slots=True)
class Holiday:
    """A day the whole organization is closed, in each practitioner's local calendar."""

    id: UUID
    day: date
    name: str

    @classmethod
    def declare(cls, *, id: UUID, day: date, name: str) -> Result[Holiday, DomainError]:
        issues: list[FieldIssue] = []
        if not EARLIEST_INSTANT.date() <= day < LATEST_INSTANT.date():
            issues.append(FieldIssue("day", "Use a day between 1970-01-01 and 2199-12-31."))
        cleaned = " ".join(name.split())
        if not 1 <= len(cleaned) <= MAX_HOLIDAY_NAME:
            issues.append(FieldIssue("name", f"Use 1-{MAX_HOLIDAY_NAME} characters."))
        if issues:
            return Failure(invalid("holiday.invalid", "The holiday is not valid.", *issues))
        return Success(cls(id, day, cleaned))


def available_intervals(
    schedule: WeeklySchedule,
    zone: ZoneInfo,
    window: Interval,
    time_off: Iterable[Interval],
    holidays: Iterable[date],
) -> list[Interval]:
    """Working hours within ``window``, minus time off and holidays (whole local days)."""
    closed = [
        Interval(local_instant(day, time(0), zone), local_instant(day + timedelta(days=1), time(0), zone))
        for day in holidays
    ]
    working = schedule.intervals(window, zone)
    remaining = subtract(working, [*time_off, *closed])
    return [Interval(max(i.start, window.start), min(i.end, window.end)) for i in remaining if i.overlaps(window)]
