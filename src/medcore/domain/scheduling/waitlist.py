"""The waitlist: patients waiting for a practitioner (or a specialty) within a window.
When a slot frees, the oldest matching entry is offered it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.scheduling.intervals import Interval
from medcore.domain.shared.errors import DomainError, conflict, field_invalid


class WaitlistStatus(enum.StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    CANCELLED = "cancelled"


@dataclass(slots=True, kw_only=True)
class WaitlistEntry:
    id: UUID
    organization_id: UUID
    patient_id: UUID
    practitioner_id: UUID | None  # one of practitioner or specialty
    specialty: str | None
    window_start: datetime
    window_end: datetime
    status: WaitlistStatus = WaitlistStatus.WAITING
    offered_appointment_slot: Interval | None = None
    offered_practitioner_id: UUID | None = None
    offered_at: datetime | None = None
    note: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @staticmethod
    def check(
        practitioner_id: UUID | None, specialty: str | None, window: tuple[datetime, datetime], now: datetime
    ) -> Result[None, DomainError]:
        if (practitioner_id is None) == (specialty is None):
            return Failure(field_invalid("practitioner_id", "Give a practitioner or a specialty (one of them)."))
        start, end = window
        if not start < end:
            return Failure(field_invalid("window_end", "The window must end after it starts."))
        if end <= now:
            return Failure(field_invalid("window_end", "The window must end in the future."))
        return Success(None)

    @property
    def window(self) -> Interval:
        return Interval(self.window_start, self.window_end)

    def fits(self, slot: Interval) -> bool:
        return self.status is WaitlistStatus.WAITING and self.window.contains(slot)

    def offer(self, slot: Interval, practitioner_id: UUID, now: datetime) -> None:
        self.status = WaitlistStatus.OFFERED
        self.offered_appointment_slot = slot
        self.offered_practitioner_id = practitioner_id
        self.offered_at = now
        self.updated_at = now

    def cancel(self, now: datetime) -> Result[None, DomainError]:
        if self.status is WaitlistStatus.CANCELLED:
            return Failure(conflict("waitlist.already_cancelled", "This waitlist entry is already cancelled."))
        self.status = WaitlistStatus.CANCELLED
        self.updated_at = now
        return Success(None)
