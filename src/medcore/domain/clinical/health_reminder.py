"""Health reminders for patients ("take your medication at 08:00 every day"): local times
on chosen weekdays between two dates, in the patient's time zone, each occurrence sent
once by a batch job.

Occurrences are computed, never stored ahead: the job asks which fell since the later of
the reminder's creation and its last processed occurrence, looking back at most 24 hours
so that a long outage does not flood a patient with stale reminders. Each occurrence has
a notification id derived from (reminder, instant), so a delivery repeated after a crash
is recognised by the notifier.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.audit.entry import ActorType
from medcore.domain.clinical.sections import clean_text
from medcore.domain.notifications.ports import Channel
from medcore.domain.practitioners.schedule import TimeZoneName, local_instant
from medcore.domain.shared.errors import DomainError, FieldIssue, conflict, invalid

MAX_TEXT = 300
MAX_TIMES = 12
LOOKBACK = timedelta(hours=24)
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2199, 12, 31)
# Occurrences ids: uuid5 in this namespace over "<reminder id>/<occurrence instant in UTC>".
OCCURRENCE_NAMESPACE = UUID("6f1c3f8e-5a0b-4c57-9d1e-3b7a2c4d8e90")
_MAX_MISSED_COUNTED = 10_000

REMINDER_CANCELLED = conflict("health_reminder.cancelled", "This reminder was already deleted.")


class HealthReminderStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"  # no occurrence left (past its last day, or the patient record is gone)
    CANCELLED = "cancelled"  # deleted by the patient or the practice


def occurrence_id(reminder_id: UUID, occurrence_at: datetime) -> UUID:
    """The notification id of one occurrence: the same on every run, so delivering it twice
    is recognised."""
    instant = occurrence_at.astimezone(UTC).isoformat()
    return uuid.uuid5(OCCURRENCE_NAMESPACE, f"{reminder_id}/{instant}")


def parse_time(raw: str, field: str) -> Result[time, FieldIssue]:
    """``HH:MM`` in 24-hour time."""
    text = raw.strip()
    if len(text) != 5 or text[2] != ":" or not (text[:2].isdigit() and text[3:].isdigit()):
        return Failure(FieldIssue(field, "Use HH:MM, 24-hour time (08:00, 20:30)."))
    hour, minute = int(text[:2]), int(text[3:])
    if hour > 23 or minute > 59:
        return Failure(FieldIssue(field, "Use HH:MM, 24-hour time (08:00, 20:30)."))
    return Success(time(hour, minute))


@dataclass(frozen=True, slots=True)
class ReminderSchedule:
    """Local ``times`` on ``weekdays`` (ISO, 1 = Monday; empty: every day) from
    ``starts_on`` to ``ends_on`` included, in ``zone``."""

    times: tuple[time, ...]
    weekdays: frozenset[int]
    starts_on: date
    ends_on: date | None
    zone: TimeZoneName

    def __post_init__(self) -> None:
        if not 1 <= len(self.times) <= MAX_TIMES or list(self.times) != sorted(set(self.times)):
            raise ValueError("1-12 distinct times, in order")
        if any(t.second or t.microsecond or t.tzinfo for t in self.times):
            raise ValueError("times are local wall times to the minute")
        if not self.weekdays <= frozenset(range(1, 8)):
            raise ValueError("weekdays are ISO weekdays 1-7")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("a schedule ends on or after its start")

    def _runs_on(self, day: date) -> bool:
        return (
            self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
            and (not self.weekdays or day.isoweekday() in self.weekdays)
        )

    def _instants_on(self, day: date) -> list[datetime]:
        zone = self.zone.zone
        # Two wall times may meet on one instant across a daylight-saving jump: keep it once.
        return sorted({local_instant(day, wall, zone) for wall in self.times})

    def occurrences(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """Occurrences in ``(after, until]``, in order, as UTC instants."""
        if until <= after:
            return
        zone = self.zone.zone
        # A local day's instants spread over at most 24 h plus a jump: a day either side covers it.
        day = max(after.astimezone(zone).date() - timedelta(days=1), self.starts_on)
        last = until.astimezone(zone).date() + timedelta(days=1)
        if self.ends_on is not None:
            last = min(last, self.ends_on)
        while day <= last:
            if self._runs_on(day):
                for instant in self._instants_on(day):
                    if after < instant <= until:
                        yield instant
            day += timedelta(days=1)

    def next_after(self, instant: datetime) -> datetime | None:
        """The first occurrence strictly after ``instant``; None when the schedule is over."""
        zone = self.zone.zone
        day = max(instant.astimezone(zone).date() - timedelta(days=1), self.starts_on)
        # Any seven consecutive days hold every weekday: eight (and a spare) always reach one.
        for _ in range(9):
            if self.ends_on is not None and day > self.ends_on:
                return None
            if self._runs_on(day):
                for candidate in self._instants_on(day):
                    if candidate > instant:
                        return candidate
            day += timedelta(days=1)
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderInput:
    text: str
    times: Sequence[str]
    weekdays: Sequence[int] = ()
    starts_on: date
    ends_on: date | None = None


def parse_schedule(raw: ReminderInput, zone: TimeZoneName) -> Result[tuple[str, ReminderSchedule], DomainError]:
    """The reminder's text and schedule, or every problem with them."""
    issues: list[FieldIssue] = []
    text = clean_text(" ".join(raw.text.split()))
    if text is None or not 1 <= len(text) <= MAX_TEXT:
        issues.append(FieldIssue("text", f"Use 1-{MAX_TEXT} characters."))
    times: list[time] = []
    if not 1 <= len(raw.times) <= MAX_TIMES:
        issues.append(FieldIssue("times", f"Give 1 to {MAX_TIMES} times of day."))
    for index, item in enumerate(raw.times):
        parsed = parse_time(item, f"times.{index}")
        if isinstance(parsed, Failure):
            issues.append(parsed.failure())
        elif parsed.unwrap() in times:
            issues.append(FieldIssue(f"times.{index}", f"{item.strip()} appears twice."))
        else:
            times.append(parsed.unwrap())
    for index, weekday in enumerate(raw.weekdays):
        if isinstance(weekday, bool) or not 1 <= weekday <= 7:
            issues.append(FieldIssue(f"days.{index}", "Use ISO weekdays: 1 (Monday) to 7 (Sunday)."))
    for name in ("starts_on", "ends_on"):
        day = getattr(raw, name)
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            issues.append(FieldIssue(name, "Use a date between 2000-01-01 and 2199-12-31."))
    if raw.ends_on is not None and raw.ends_on < raw.starts_on:
        issues.append(FieldIssue("ends_on", "The last day cannot be before the first one."))
    if issues:
        return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
    assert text is not None
    return Success(
        (
            text,
            ReminderSchedule(
                times=tuple(sorted(times)),
                weekdays=frozenset(raw.weekdays) if len(set(raw.weekdays)) < 7 else frozenset(),
                starts_on=raw.starts_on,
                ends_on=raw.ends_on,
                zone=zone,
            ),
        )
    )


@dataclass(frozen=True, slots=True)
class DueOccurrences:
    """What one run does with a reminder: ``deliver`` these (oldest first); ``missed``
    fell more than 24 h ago and are dropped; ``latest`` is the newest of all, the new
    watermark."""

    deliver: tuple[datetime, ...]
    missed: int
    latest: datetime | None


@dataclass(slots=True, kw_only=True)
class HealthReminder:
    id: UUID
    organization_id: UUID
    patient_id: UUID
    text: str
    schedule: ReminderSchedule
    channel: Channel | None = None  # None: the patient's preferred channel when it is sent
    status: HealthReminderStatus = HealthReminderStatus.ACTIVE
    next_due_at: datetime | None = None
    last_occurrence_at: datetime | None = None
    created_by_type: ActorType
    created_by: UUID | None
    cancelled_at: datetime | None = None
    cancelled_by: UUID | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        organization_id: UUID,
        patient_id: UUID,
        text: str,
        schedule: ReminderSchedule,
        channel: Channel | None,
        created_by_type: ActorType,
        created_by: UUID | None,
        now: datetime,
    ) -> HealthReminder:
        reminder = cls(
            id=id,
            organization_id=organization_id,
            patient_id=patient_id,
            text=text,
            schedule=schedule,
            channel=channel,
            created_by_type=created_by_type,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        reminder._plan(now)
        return reminder

    def _plan(self, now: datetime) -> None:
        self.next_due_at = self.schedule.next_after(max(now, self.created_at))
        if self.next_due_at is None and self.status is HealthReminderStatus.ACTIVE:
            self.status = HealthReminderStatus.ENDED

    def due(self, now: datetime) -> DueOccurrences:
        """The occurrences not processed yet up to ``now``: those of the last 24 h to
        deliver, the older ones dropped. Nothing before the reminder was created."""
        if self.status is not HealthReminderStatus.ACTIVE:
            return DueOccurrences((), 0, None)
        floor = max(self.created_at, self.last_occurrence_at or self.created_at)
        horizon = now - LOOKBACK
        deliver = tuple(self.schedule.occurrences(max(floor, horizon), now))
        missed = 0
        latest_missed = None
        if floor < horizon:
            for missed, instant in enumerate(self.schedule.occurrences(floor, horizon), start=1):
                latest_missed = instant
                if missed >= _MAX_MISSED_COUNTED:
                    break
        latest = deliver[-1] if deliver else latest_missed
        if missed >= _MAX_MISSED_COUNTED:
            # Too many to count: skip straight to the horizon.
            latest = deliver[-1] if deliver else horizon
        return DueOccurrences(deliver, missed, latest)

    def processed(self, latest: datetime | None, now: datetime) -> None:
        """Occurrences up to ``latest`` were handled: move the watermark and plan the next."""
        if latest is not None and (self.last_occurrence_at is None or latest > self.last_occurrence_at):
            self.last_occurrence_at = latest
        self._plan(now)
        self.updated_at = now

    def end(self, now: datetime) -> None:
        """Nothing more to send (the patient record is gone)."""
        self.status = HealthReminderStatus.ENDED
        self.next_due_at = None
        self.updated_at = now

    def cancel(self, by: UUID | None, now: datetime) -> Result[None, DomainError]:
        if self.status is HealthReminderStatus.CANCELLED:
            return Failure(REMINDER_CANCELLED)
        self.status = HealthReminderStatus.CANCELLED
        self.next_due_at = None
        self.cancelled_at = now
        self.cancelled_by = by
        self.updated_at = now
        return Success(None)

    def occurrence_id(self, occurrence_at: datetime) -> UUID:
        return occurrence_id(self.id, occurrence_at)


class DeliveryStatus(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthReminderDelivery:
    """One occurrence handled: sent (the notification has the delivery's id) or skipped."""

    id: UUID  # the notification id: occurrence_id(reminder_id, occurrence_at)
    organization_id: UUID
    reminder_id: UUID
    occurrence_at: datetime
    status: DeliveryStatus
    channel: Channel | None
    skip_reason: str | None
    created_at: datetime
