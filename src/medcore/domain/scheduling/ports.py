"""Ports of the scheduling context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from returns.result import Result

from medcore.domain.scheduling.appointment import Appointment
from medcore.domain.scheduling.calendar_feed import CalendarFeed
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.reminder import Reminder
from medcore.domain.scheduling.waitlist import WaitlistEntry
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


@dataclass(frozen=True, slots=True)
class StatsRow:
    key: str  # practitioner id, status or ISO date, per grouping
    total: int
    by_status: dict[str, int]
    late_cancellations: int
    booked_minutes: int


class AppointmentRepository(Protocol):
    async def add(self, appointment: Appointment) -> None:
        """Raises ``DomainRefusal(appointment.conflict)`` when the database's exclusion
        constraints refuse an overlap that a concurrent booking won."""

    async def get(self, organization_id: UUID, appointment_id: UUID, *, lock: bool = False) -> Appointment | None: ...

    async def for_practitioner(
        self, organization_id: UUID, practitioner_id: UUID, window: Interval
    ) -> list[Appointment]:
        """Occupying appointments whose blocked time (with buffer) meets ``window``."""

    async def for_patient(self, organization_id: UUID, patient_id: UUID, window: Interval) -> list[Appointment]: ...

    async def for_room(self, organization_id: UUID, room_id: UUID, window: Interval) -> list[Appointment]: ...

    async def around(
        self,
        organization_id: UUID,
        window: Interval,
        practitioner_id: UUID,
        patient_id: UUID | None,
        room_id: UUID | None,
    ) -> tuple[list[Appointment], list[Appointment], list[Appointment]]:
        """``for_practitioner``, ``for_patient`` and ``for_room`` at once (empty lists for a
        missing patient or room), in one round trip: what a booking checks."""

    async def in_series(self, organization_id: UUID, series_id: UUID, *, lock: bool = False) -> list[Appointment]: ...

    async def save(self, appointment: Appointment) -> bool: ...

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Appointment], DomainError]: ...

    async def lock_practitioner(self, organization_id: UUID, practitioner_id: UUID) -> None:
        """Serialise bookings of one practitioner until the transaction ends, so that the
        domain's checks (capacity, buffers) see every concurrent booking."""

    async def stats(
        self, organization_id: UUID, window: Interval, group_by: str, practitioner_ids: Sequence[UUID] | None = None
    ) -> Sequence[StatsRow]:
        """Appointments starting in ``window``, grouped by practitioner id, status or UTC day."""


class ReminderRepository(Protocol):
    async def add_many(self, reminders: Sequence[Reminder]) -> None: ...

    async def cancel_for(self, organization_id: UUID, appointment_id: UUID, now: datetime) -> int: ...

    async def claim_due(self, now: datetime, limit: int) -> list[Reminder]:
        """Due, pending reminders, each locked until the transaction ends; rows another
        run holds are skipped (``FOR UPDATE SKIP LOCKED``): concurrent runs share the work."""

    async def save(self, reminder: Reminder) -> bool: ...

    async def count_due(self, now: datetime) -> int: ...


class WaitlistRepository(Protocol):
    async def add(self, entry: WaitlistEntry) -> None: ...

    async def get(self, organization_id: UUID, entry_id: UUID, *, lock: bool = False) -> WaitlistEntry | None: ...

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[WaitlistEntry], DomainError]: ...

    async def waiting_for(
        self, organization_id: UUID, practitioner_id: UUID, specialties: Sequence[str], slot: Interval
    ) -> Sequence[WaitlistEntry]:
        """Waiting entries this slot could serve, oldest first, locked (skipping locked ones)."""

    async def save(self, entry: WaitlistEntry) -> bool: ...


class CalendarFeedRepository(Protocol):
    async def add(self, feed: CalendarFeed) -> None: ...

    async def active_for(self, organization_id: UUID, practitioner_id: UUID) -> CalendarFeed | None: ...

    async def by_token(self, token_hash: str) -> CalendarFeed | None:
        """Not scoped by organization: the secret token names its feed."""

    async def save(self, feed: CalendarFeed) -> bool: ...


class RecurrenceExpander(Protocol):
    def expand(self, rule: str, first_start: datetime, limit: int) -> Result[list[datetime], DomainError]:
        """The starts of an RRULE series (``FREQ=DAILY|WEEKLY|MONTHLY``, ``INTERVAL``, ``COUNT``
        or ``UNTIL``, ``BYDAY``, ``BYMONTHDAY``) from ``first_start``, an aware datetime in the
        practitioner's zone: local wall time is kept across daylight-saving changes. Refuses
        other parts, unbounded rules and more than ``limit`` occurrences (422 naming
        ``recurrence.rrule``)."""
