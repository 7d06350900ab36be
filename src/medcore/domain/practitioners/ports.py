"""Ports of the practitioners context: practitioners, their time off, the organization's
holidays, rooms and appointment types. Every method is scoped by organization."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from uuid import UUID

from returns.result import Result

from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.practitioners.resources import AppointmentType, Room
from medcore.domain.practitioners.schedule import Holiday, TimeOff
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class PractitionerRepository(Protocol):
    async def add(self, practitioner: Practitioner) -> None:
        """Raises ``DomainRefusal(practitioner.user_taken)`` when a concurrent request linked
        the same account first."""

    async def get(self, organization_id: UUID, practitioner_id: UUID, *, lock: bool = False) -> Practitioner | None:
        """``lock`` holds the row until the transaction ends (for read-modify-write)."""

    async def by_user(self, organization_id: UUID, user_id: UUID) -> Practitioner | None:
        """The practitioner linked to an account, if any."""

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Practitioner], DomainError]:
        """Filters: ``specialty`` (a code the practitioner has), ``active`` and ``has_user``
        (booleans); ``q`` searches given and family names (word prefixes). Fails only on a
        cursor that does not belong to this query."""

    async def save(self, practitioner: Practitioner) -> bool:
        """Persist changes if nobody changed the row meanwhile; False on a version clash."""


class TimeOffRepository(Protocol):
    async def add(self, organization_id: UUID, time_off: TimeOff) -> None: ...

    async def get(self, organization_id: UUID, time_off_id: UUID) -> TimeOff | None: ...

    async def between(self, organization_id: UUID, practitioner_id: UUID, window: Interval) -> list[TimeOff]:
        """The practitioner's time off that overlaps ``window`` (half-open), by start."""

    async def list_for(
        self, organization_id: UUID, practitioner_id: UUID, query: ListQuery
    ) -> Result[Page[TimeOff], DomainError]:
        """Filters ``from`` and ``to`` (aware instants) keep time off overlapping that span."""

    async def delete(self, organization_id: UUID, time_off_id: UUID) -> bool:
        """False when there was no such time off."""


class HolidayRepository(Protocol):
    async def add(self, organization_id: UUID, holiday: Holiday) -> None:
        """Raises ``DomainRefusal(holiday.day_taken)`` when the day is already a holiday."""

    async def get(self, organization_id: UUID, holiday_id: UUID) -> Holiday | None: ...

    async def on(self, organization_id: UUID, day: date) -> Holiday | None:
        """The holiday on that day, if any."""

    async def between(self, organization_id: UUID, first: date, last: date) -> list[Holiday]:
        """Holidays from ``first`` to ``last``, both included, by day."""

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Holiday], DomainError]:
        """Filters ``from`` and ``to`` (dates, included)."""

    async def delete(self, organization_id: UUID, holiday_id: UUID) -> bool: ...


class RoomRepository(Protocol):
    async def add(self, room: Room) -> None:
        """Raises ``DomainRefusal(room.name_taken)`` on a name already in use."""

    async def get(self, organization_id: UUID, room_id: UUID, *, lock: bool = False) -> Room | None: ...

    async def by_name(self, organization_id: UUID, name: str) -> Room | None:
        """Names compare without regard to case."""

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Room], DomainError]:
        """Filters ``kind`` and ``active``; sorts ``name`` (default) and ``created_at``."""

    async def save(self, room: Room) -> bool: ...


class AppointmentTypeRepository(Protocol):
    async def add(self, appointment_type: AppointmentType) -> None:
        """Raises ``DomainRefusal(appointment_type.name_taken)`` on a name already in use."""

    async def get(
        self, organization_id: UUID, appointment_type_id: UUID, *, lock: bool = False
    ) -> AppointmentType | None: ...

    async def by_name(self, organization_id: UUID, name: str) -> AppointmentType | None:
        """Names compare without regard to case."""

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[AppointmentType], DomainError]:
        """Filter ``active``; sorts ``name`` (default), ``default_minutes`` and ``created_at``."""

    async def save(self, appointment_type: AppointmentType) -> bool: ...
