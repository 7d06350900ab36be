"""Postgres repositories of practitioners, their time off and the organization's holidays
(tables in ``practitioner_tables``; rooms and appointment types in ``practitioner_resources``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from returns.result import Result
from sqlalchemy import DateTime, RowMapping, func, select, text, type_coerce
from sqlalchemy.dialects.postgresql import Range

from medcore.adapters.postgres.base import Repository
from medcore.adapters.postgres.listing import keyset_page, prefix_tsquery
from medcore.adapters.postgres.practitioner_tables import (
    PRACTITIONER_SEARCH_DOCUMENT,
    holidays,
    practitioners,
    time_off,
)
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.practitioners.schedule import Holiday, TimeOff, TimeZoneName, WeeklySchedule, format_time
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page, SortKey

# --- practitioners ----------------------------------------------------------------------


def hours_to_json(schedule: WeeklySchedule) -> list[dict[str, Any]]:
    return [{"weekday": h.weekday, "start": format_time(h.start), "end": format_time(h.end)} for h in schedule.hours]


def hours_from_json(data: list[dict[str, Any]]) -> WeeklySchedule:
    return WeeklySchedule.build([(int(r["weekday"]), str(r["start"]), str(r["end"])) for r in data]).unwrap()


def _practitioner(row: RowMapping) -> Practitioner:
    return Practitioner(
        id=row["id"],
        organization_id=row["organization_id"],
        user_id=row["user_id"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        specialties=tuple(row["specialties"]),
        licence_number=row["licence_number"],
        licence_expires_on=row["licence_expires_on"],
        can_prescribe=row["can_prescribe"],
        controlled_substances=row["controlled_substances"],
        time_zone=TimeZoneName(row["time_zone"]),
        buffer_minutes=row["buffer_minutes"],
        daily_capacity=row["daily_capacity"],
        working_hours=hours_from_json(row["working_hours"]),
        active=row["active"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _practitioner_values(practitioner: Practitioner) -> dict[str, Any]:
    return {
        "user_id": practitioner.user_id,
        "given_name": practitioner.given_name,
        "family_name": practitioner.family_name,
        "specialties": list(practitioner.specialties),
        "licence_number": practitioner.licence_number,
        "licence_expires_on": practitioner.licence_expires_on,
        "can_prescribe": practitioner.can_prescribe,
        "controlled_substances": practitioner.controlled_substances,
        "time_zone": practitioner.time_zone.value,
        "buffer_minutes": practitioner.buffer_minutes,
        "daily_capacity": practitioner.daily_capacity,
        "working_hours": hours_to_json(practitioner.working_hours),
        "active": practitioner.active,
        "updated_at": practitioner.updated_at,
    }


class PgPractitioners(Repository):
    async def add(self, practitioner: Practitioner) -> None:
        await self._execute(
            practitioners.insert().values(
                id=practitioner.id,
                organization_id=practitioner.organization_id,
                created_at=practitioner.created_at,
                version=practitioner.version,
                **_practitioner_values(practitioner),
            )
        )

    async def get(self, organization_id: UUID, practitioner_id: UUID, *, lock: bool = False) -> Practitioner | None:
        statement = select(practitioners).where(
            practitioners.c.organization_id == organization_id, practitioners.c.id == practitioner_id
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _practitioner(row) if row else None

    async def by_user(self, organization_id: UUID, user_id: UUID) -> Practitioner | None:
        statement = select(practitioners).where(
            practitioners.c.organization_id == organization_id, practitioners.c.user_id == user_id
        )
        row = (await self._execute(statement)).mappings().first()
        return _practitioner(row) if row else None

    async def save(self, practitioner: Practitioner) -> bool:
        saved = await self._update_versioned(
            practitioners,
            practitioner.id,
            practitioner.organization_id,
            practitioner.version,
            _practitioner_values(practitioner),
        )
        if saved:
            practitioner.version += 1
        return saved

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Practitioner], DomainError]:
        c = practitioners.c
        base = select(practitioners).where(c.organization_id == organization_id)
        if "specialty" in query.filters:
            base = base.where(c.specialties.contains([str(query.filters["specialty"])]))
        if "active" in query.filters:
            base = base.where(c.active.is_(bool(query.filters["active"])))
        if "has_user" in query.filters:
            base = base.where(c.user_id.is_not(None) if query.filters["has_user"] else c.user_id.is_(None))
        if query.search and (tsquery := prefix_tsquery(query.search)):
            base = base.where(PRACTITIONER_SEARCH_DOCUMENT.op("@@")(func.to_tsquery(text("'simple'"), tsquery)))
        sortable = {"created_at": c.created_at, "family_name": c.family_name, "given_name": c.given_name}
        return await keyset_page(
            self._connection, base, query, sortable, c.id, _practitioner, default_sort=SortKey("family_name")
        )


# --- time off ---------------------------------------------------------------------------

_TIME_OFF_STARTS = type_coerce(func.lower(time_off.c.during), DateTime(timezone=True)).label("starts_at")


def _range(interval: Interval) -> Range[datetime]:
    return Range(interval.start, interval.end, bounds="[)")


def _time_off(row: RowMapping) -> TimeOff:
    during: Range[datetime] = row["during"]
    assert during.lower is not None
    assert during.upper is not None
    return TimeOff(row["id"], row["practitioner_id"], Interval(during.lower, during.upper), row["reason"])


class PgTimeOff(Repository):
    async def add(self, organization_id: UUID, time_off_entry: TimeOff) -> None:
        await self._execute(
            time_off.insert().values(
                id=time_off_entry.id,
                organization_id=organization_id,
                practitioner_id=time_off_entry.practitioner_id,
                during=_range(time_off_entry.interval),
                reason=time_off_entry.reason,
                created_at=func.now(),
            )
        )

    async def get(self, organization_id: UUID, time_off_id: UUID) -> TimeOff | None:
        statement = select(time_off).where(time_off.c.organization_id == organization_id, time_off.c.id == time_off_id)
        row = (await self._execute(statement)).mappings().first()
        return _time_off(row) if row else None

    async def between(self, organization_id: UUID, practitioner_id: UUID, window: Interval) -> list[TimeOff]:
        statement = (
            select(time_off)
            .where(
                time_off.c.organization_id == organization_id,
                time_off.c.practitioner_id == practitioner_id,
                time_off.c.during.overlaps(_range(window)),
            )
            .order_by(func.lower(time_off.c.during), time_off.c.id)
        )
        return [_time_off(r) for r in (await self._execute(statement)).mappings().all()]

    async def list_for(
        self, organization_id: UUID, practitioner_id: UUID, query: ListQuery
    ) -> Result[Page[TimeOff], DomainError]:
        base = select(time_off, _TIME_OFF_STARTS).where(
            time_off.c.organization_id == organization_id, time_off.c.practitioner_id == practitioner_id
        )
        start = query.filters.get("from")
        end = query.filters.get("to")
        if isinstance(start, datetime) or isinstance(end, datetime):
            span = Range(
                start if isinstance(start, datetime) else None,
                end if isinstance(end, datetime) else None,
                bounds="[)",
            )
            base = base.where(time_off.c.during.overlaps(span))
        return await keyset_page(
            self._connection,
            base,
            query,
            {"starts_at": _TIME_OFF_STARTS},
            time_off.c.id,
            _time_off,
            default_sort=SortKey("starts_at"),
        )

    async def delete(self, organization_id: UUID, time_off_id: UUID) -> bool:
        result = await self._execute(
            time_off.delete().where(time_off.c.organization_id == organization_id, time_off.c.id == time_off_id)
        )
        return result.rowcount == 1


# --- holidays ---------------------------------------------------------------------------


def _holiday(row: RowMapping) -> Holiday:
    return Holiday(row["id"], row["day"], row["name"])


class PgHolidays(Repository):
    async def add(self, organization_id: UUID, holiday: Holiday) -> None:
        await self._execute(
            holidays.insert().values(
                id=holiday.id,
                organization_id=organization_id,
                day=holiday.day,
                name=holiday.name,
                created_at=func.now(),
            )
        )

    async def get(self, organization_id: UUID, holiday_id: UUID) -> Holiday | None:
        statement = select(holidays).where(holidays.c.organization_id == organization_id, holidays.c.id == holiday_id)
        row = (await self._execute(statement)).mappings().first()
        return _holiday(row) if row else None

    async def on(self, organization_id: UUID, day: date) -> Holiday | None:
        statement = select(holidays).where(holidays.c.organization_id == organization_id, holidays.c.day == day)
        row = (await self._execute(statement)).mappings().first()
        return _holiday(row) if row else None

    async def between(self, organization_id: UUID, first: date, last: date) -> list[Holiday]:
        statement = (
            select(holidays)
            .where(holidays.c.organization_id == organization_id, holidays.c.day.between(first, last))
            .order_by(holidays.c.day)
        )
        return [_holiday(r) for r in (await self._execute(statement)).mappings().all()]

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Holiday], DomainError]:
        base = select(holidays).where(holidays.c.organization_id == organization_id)
        if isinstance(first := query.filters.get("from"), date):
            base = base.where(holidays.c.day >= first)
        if isinstance(last := query.filters.get("to"), date):
            base = base.where(holidays.c.day <= last)
        return await keyset_page(
            self._connection,
            base,
            query,
            {"day": holidays.c.day},
            holidays.c.id,
            _holiday,
            default_sort=SortKey("day"),
        )

    async def delete(self, organization_id: UUID, holiday_id: UUID) -> bool:
        result = await self._execute(
            holidays.delete().where(holidays.c.organization_id == organization_id, holidays.c.id == holiday_id)
        )
        return result.rowcount == 1
