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
    local = datetime.combine(day, wall, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        # Non-existent wall time: take the instant after the gap (fold=1 gives the post-gap offset).
        instant = datetime.combine(day, wall, tzinfo=zone).replace(fold=1).astimezone(UTC)
    return instant


@dataclass(frozen=True, slots=True)
class TimeOff:
    id: UUID
    practitioner_id: UUID
    interval: Interval
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Holiday:
    """A day the whole organization is closed, in each practitioner's local calendar."""

    id: UUID
    day: date
    name: str


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
