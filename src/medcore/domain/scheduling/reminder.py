"""Appointment reminders: one per offset (24 h and 2 h before, by default), each sent once."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from medcore.domain.notifications.ports import Channel


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"  # the appointment was cancelled or moved before the reminder was due
    SKIPPED = "skipped"  # nothing to send it to, or already past the appointment


@dataclass(slots=True, kw_only=True)
class Reminder:
    id: UUID
    organization_id: UUID
    appointment_id: UUID
    due_at: datetime
    channel: Channel
    status: ReminderStatus = ReminderStatus.PENDING
    sent_at: datetime | None = None
    skip_reason: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def mark_sent(self, now: datetime) -> None:
        self.status = ReminderStatus.SENT
        self.sent_at = now
        self.updated_at = now

    def skip(self, reason: str, now: datetime) -> None:
        self.status = ReminderStatus.SKIPPED
        self.skip_reason = reason
        self.updated_at = now


def reminder_times(starts_at: datetime, offsets_minutes: tuple[int, ...], now: datetime) -> list[datetime]:
    """When to remind, for the offsets still in the future (booked 3 h ahead: no 24 h reminder)."""
    due = sorted({starts_at - timedelta(minutes=m) for m in offsets_minutes})
    return [d for d in due if d > now]
