"""In-memory repositories of the practitioners context (wired into ``FakeUnitOfWork``)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.practitioners.ports import (
    AppointmentTypeRepository,
    HolidayRepository,
    PractitionerRepository,
    RoomRepository,
    TimeOffRepository,
)
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.practitioners.resources import AppointmentType, Room
from medcore.domain.practitioners.schedule import Holiday, TimeOff
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.shared.errors import DomainError, DomainRefusal, conflict, field_invalid
from medcore.domain.shared.listing import ListQuery, Page


def page(items: Sequence[Any], query: ListQuery, sorts: dict[str, Callable[[Any], Any]], default: str) -> Any:
    """Sort by the query's keys (then id), filter nothing, cut one page; the cursor is an offset."""
    ordered = list(items)
    for key in reversed(query.sort or ()):
        ordered.sort(key=sorts[key.field], reverse=key.descending)
    if not query.sort:
        ordered.sort(key=sorts[default])
    start = 0
    if query.cursor is not None:
        if not query.cursor.isdigit():
            return Failure(field_invalid("cursor", "bad cursor", code="pagination.invalid_cursor"))
        start = int(query.cursor)
    chunk = [copy.deepcopy(i) for i in ordered[start : start + query.limit]]
    more = start + query.limit < len(ordered)
    return Success(
        Page(items=chunk, limit=query.limit, next_cursor=str(start + query.limit) if more else None, total=len(ordered))
    )


def _matches(search: str, *names: str) -> bool:
    words = [w for n in names for w in re.findall(r"[^\W_]+", n.lower())]
    return all(any(w.startswith(term) for w in words) for term in re.findall(r"[^\W_]+", search.lower()))


class FakePractitioners:
    def __init__(self, table: dict[UUID, Practitioner]) -> None:
        self._table = table

    async def add(self, practitioner: Practitioner) -> None:
        if practitioner.user_id is not None and await self.by_user(practitioner.organization_id, practitioner.user_id):
            raise DomainRefusal(conflict("practitioner.user_taken", "taken"))
        self._table[practitioner.id] = copy.deepcopy(practitioner)

    async def get(self, organization_id: UUID, practitioner_id: UUID, *, lock: bool = False) -> Practitioner | None:
        found = self._table.get(practitioner_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def by_user(self, organization_id: UUID, user_id: UUID) -> Practitioner | None:
        return next(
            (
                copy.deepcopy(p)
                for p in self._table.values()
                if p.organization_id == organization_id and p.user_id == user_id
            ),
            None,
        )

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Practitioner], DomainError]:
        f = query.filters
        found = [
            p
            for p in self._table.values()
            if p.organization_id == organization_id
            and ("specialty" not in f or f["specialty"] in p.specialties)
            and ("active" not in f or p.active == f["active"])
            and ("has_user" not in f or (p.user_id is not None) == f["has_user"])
            and (not query.search or _matches(query.search, p.given_name, p.family_name))
        ]
        sorts: dict[str, Callable[[Any], Any]] = {
            "created_at": lambda p: (p.created_at, p.id),
            "family_name": lambda p: (p.family_name, p.id),
            "given_name": lambda p: (p.given_name, p.id),
        }
        result: Result[Page[Practitioner], DomainError] = page(found, query, sorts, "family_name")
        return result

    async def save(self, practitioner: Practitioner) -> bool:
        current = self._table.get(practitioner.id)
        if current is None or current.version != practitioner.version:
            return False
        others = [p for p in self._table.values() if p.id != practitioner.id]
        if practitioner.user_id is not None and any(
            p.organization_id == practitioner.organization_id and p.user_id == practitioner.user_id for p in others
        ):
            raise DomainRefusal(conflict("practitioner.user_taken", "taken"))
        practitioner.version += 1
        self._table[practitioner.id] = copy.deepcopy(practitioner)
        return True


class FakeTimeOff:
    def __init__(self, table: dict[UUID, tuple[UUID, TimeOff]]) -> None:
        self._table = table

    async def add(self, organization_id: UUID, time_off: TimeOff) -> None:
        self._table[time_off.id] = (organization_id, time_off)

    async def get(self, organization_id: UUID, time_off_id: UUID) -> TimeOff | None:
        found = self._table.get(time_off_id)
        return found[1] if found is not None and found[0] == organization_id else None

    def _of(self, organization_id: UUID, practitioner_id: UUID) -> list[TimeOff]:
        return [t for org, t in self._table.values() if org == organization_id and t.practitioner_id == practitioner_id]

    async def between(self, organization_id: UUID, practitioner_id: UUID, window: Interval) -> list[TimeOff]:
        found = [t for t in self._of(organization_id, practitioner_id) if t.interval.overlaps(window)]
        return sorted(found, key=lambda t: (t.interval.start, t.id))

    async def list_for(
        self, organization_id: UUID, practitioner_id: UUID, query: ListQuery
    ) -> Result[Page[TimeOff], DomainError]:
        start, end = query.filters.get("from"), query.filters.get("to")
        found = [
            t
            for t in self._of(organization_id, practitioner_id)
            if (not isinstance(start, datetime) or t.interval.end > start)
            and (not isinstance(end, datetime) or t.interval.start < end)
        ]
        result: Result[Page[TimeOff], DomainError] = page(
            found, query, {"starts_at": lambda t: (t.interval.start, t.id)}, "starts_at"
        )
        return result

    async def delete(self, organization_id: UUID, time_off_id: UUID) -> bool:
        if await self.get(organization_id, time_off_id) is None:
            return False
        del self._table[time_off_id]
        return True


class FakeHolidays:
    def __init__(self, table: dict[UUID, tuple[UUID, Holiday]]) -> None:
        self._table = table

    async def add(self, organization_id: UUID, holiday: Holiday) -> None:
        if await self.on(organization_id, holiday.day) is not None:
            raise DomainRefusal(conflict("holiday.day_taken", "taken"))
        self._table[holiday.id] = (organization_id, holiday)

    async def get(self, organization_id: UUID, holiday_id: UUID) -> Holiday | None:
        found = self._table.get(holiday_id)
        return found[1] if found is not None and found[0] == organization_id else None

    async def on(self, organization_id: UUID, day: date) -> Holiday | None:
        return next((h for org, h in self._table.values() if org == organization_id and h.day == day), None)

    async def between(self, organization_id: UUID, first: date, last: date) -> list[Holiday]:
        return sorted(
            (h for org, h in self._table.values() if org == organization_id and first <= h.day <= last),
            key=lambda h: h.day,
        )

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Holiday], DomainError]:
        first, last = query.filters.get("from"), query.filters.get("to")
        found = [
            h
            for org, h in self._table.values()
            if org == organization_id
            and (not isinstance(first, date) or h.day >= first)
            and (not isinstance(last, date) or h.day <= last)
        ]
        result: Result[Page[Holiday], DomainError] = page(found, query, {"day": lambda h: (h.day, h.id)}, "day")
        return result

    async def delete(self, organization_id: UUID, holiday_id: UUID) -> bool:
        if await self.get(organization_id, holiday_id) is None:
            return False
        del self._table[holiday_id]
        return True


class _Named:
    """Rooms and appointment types: versioned, with names unique regardless of case."""

    taken_code = ""

    def __init__(self, table: dict[UUID, Any]) -> None:
        self._table = table

    def _clash(self, entity: Any) -> bool:
        return any(
            e.id != entity.id and e.organization_id == entity.organization_id and e.name.lower() == entity.name.lower()
            for e in self._table.values()
        )

    async def add(self, entity: Any) -> None:
        if self._clash(entity):
            raise DomainRefusal(conflict(self.taken_code, "taken"))
        self._table[entity.id] = copy.deepcopy(entity)

    async def get(self, organization_id: UUID, entity_id: UUID, *, lock: bool = False) -> Any:
        found = self._table.get(entity_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def by_name(self, organization_id: UUID, name: str) -> Any:
        return next(
            (
                copy.deepcopy(e)
                for e in self._table.values()
                if e.organization_id == organization_id and e.name.lower() == name.lower()
            ),
            None,
        )

    async def save(self, entity: Any) -> bool:
        current = self._table.get(entity.id)
        if current is None or current.version != entity.version:
            return False
        if self._clash(entity):
            raise DomainRefusal(conflict(self.taken_code, "taken"))
        entity.version += 1
        self._table[entity.id] = copy.deepcopy(entity)
        return True


class FakeRooms(_Named):
    taken_code = "room.name_taken"

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Room], DomainError]:
        f = query.filters
        found = [
            r
            for r in self._table.values()
            if r.organization_id == organization_id
            and ("kind" not in f or r.kind.value == f["kind"])
            and ("active" not in f or r.active == f["active"])
        ]
        sorts: dict[str, Callable[[Any], Any]] = {
            "name": lambda r: (r.name, r.id),
            "created_at": lambda r: (r.created_at, r.id),
        }
        result: Result[Page[Room], DomainError] = page(found, query, sorts, "name")
        return result


class FakeAppointmentTypes(_Named):
    taken_code = "appointment_type.name_taken"

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[AppointmentType], DomainError]:
        f = query.filters
        found = [
            t
            for t in self._table.values()
            if t.organization_id == organization_id and ("active" not in f or t.active == f["active"])
        ]
        sorts: dict[str, Callable[[Any], Any]] = {
            "name": lambda t: (t.name, t.id),
            "created_at": lambda t: (t.created_at, t.id),
            "default_minutes": lambda t: (t.default_minutes, t.id),
        }
        result: Result[Page[AppointmentType], DomainError] = page(found, query, sorts, "name")
        return result


# mypy checks that each fake fits its port.
_checks: tuple[
    Callable[[], PractitionerRepository],
    Callable[[], TimeOffRepository],
    Callable[[], HolidayRepository],
    Callable[[], RoomRepository],
    Callable[[], AppointmentTypeRepository],
] = (
    lambda: FakePractitioners({}),
    lambda: FakeTimeOff({}),
    lambda: FakeHolidays({}),
    lambda: FakeRooms({}),
    lambda: FakeAppointmentTypes({}),
)
