"""Postgres repositories of rooms and appointment types (tables in ``practitioner_tables``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from returns.result import Result
from sqlalchemy import RowMapping, func, select

from medcore.adapters.postgres.base import Repository
from medcore.adapters.postgres.listing import keyset_page
from medcore.adapters.postgres.practitioner_tables import appointment_types, rooms
from medcore.domain.practitioners.resources import AppointmentType, Room, RoomKind
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page, SortKey

# --- rooms ------------------------------------------------------------------------------


def _room(row: RowMapping) -> Room:
    return Room(
        id=row["id"],
        organization_id=row["organization_id"],
        name=row["name"],
        kind=RoomKind(row["kind"]),
        active=row["active"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _room_values(room: Room) -> dict[str, Any]:
    return {"name": room.name, "kind": room.kind.value, "active": room.active, "updated_at": room.updated_at}


class PgRooms(Repository):
    async def add(self, room: Room) -> None:
        await self._execute(
            rooms.insert().values(
                id=room.id,
                organization_id=room.organization_id,
                created_at=room.created_at,
                version=room.version,
                **_room_values(room),
            )
        )

    async def get(self, organization_id: UUID, room_id: UUID, *, lock: bool = False) -> Room | None:
        statement = select(rooms).where(rooms.c.organization_id == organization_id, rooms.c.id == room_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _room(row) if row else None

    async def by_name(self, organization_id: UUID, name: str) -> Room | None:
        statement = select(rooms).where(
            rooms.c.organization_id == organization_id, func.lower(rooms.c.name) == func.lower(name)
        )
        row = (await self._execute(statement)).mappings().first()
        return _room(row) if row else None

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Room], DomainError]:
        base = select(rooms).where(rooms.c.organization_id == organization_id)
        if "kind" in query.filters:
            base = base.where(rooms.c.kind == str(query.filters["kind"]))
        if "active" in query.filters:
            base = base.where(rooms.c.active.is_(bool(query.filters["active"])))
        sortable = {"name": rooms.c.name, "created_at": rooms.c.created_at}
        return await keyset_page(
            self._connection, base, query, sortable, rooms.c.id, _room, default_sort=SortKey("name")
        )

    async def save(self, room: Room) -> bool:
        saved = await self._update_versioned(rooms, room.id, room.organization_id, room.version, _room_values(room))
        if saved:
            room.version += 1
        return saved


# --- appointment types ------------------------------------------------------------------


def _appointment_type(row: RowMapping) -> AppointmentType:
    return AppointmentType(
        id=row["id"],
        organization_id=row["organization_id"],
        name=row["name"],
        default_minutes=row["default_minutes"],
        min_minutes=row["min_minutes"],
        max_minutes=row["max_minutes"],
        colour=row["colour"],
        active=row["active"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _appointment_type_values(appointment_type: AppointmentType) -> dict[str, Any]:
    return {
        "name": appointment_type.name,
        "default_minutes": appointment_type.default_minutes,
        "min_minutes": appointment_type.min_minutes,
        "max_minutes": appointment_type.max_minutes,
        "colour": appointment_type.colour,
        "active": appointment_type.active,
        "updated_at": appointment_type.updated_at,
    }


class PgAppointmentTypes(Repository):
    async def add(self, appointment_type: AppointmentType) -> None:
        await self._execute(
            appointment_types.insert().values(
                id=appointment_type.id,
                organization_id=appointment_type.organization_id,
                created_at=appointment_type.created_at,
                version=appointment_type.version,
                **_appointment_type_values(appointment_type),
            )
        )

    async def get(
        self, organization_id: UUID, appointment_type_id: UUID, *, lock: bool = False
    ) -> AppointmentType | None:
        statement = select(appointment_types).where(
            appointment_types.c.organization_id == organization_id, appointment_types.c.id == appointment_type_id
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _appointment_type(row) if row else None

    async def by_name(self, organization_id: UUID, name: str) -> AppointmentType | None:
        statement = select(appointment_types).where(
            appointment_types.c.organization_id == organization_id,
            func.lower(appointment_types.c.name) == func.lower(name),
        )
        row = (await self._execute(statement)).mappings().first()
        return _appointment_type(row) if row else None

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[AppointmentType], DomainError]:
        c = appointment_types.c
        base = select(appointment_types).where(c.organization_id == organization_id)
        if "active" in query.filters:
            base = base.where(c.active.is_(bool(query.filters["active"])))
        sortable = {"name": c.name, "created_at": c.created_at, "default_minutes": c.default_minutes}
        return await keyset_page(
            self._connection, base, query, sortable, c.id, _appointment_type, default_sort=SortKey("name")
        )

    async def save(self, appointment_type: AppointmentType) -> bool:
        saved = await self._update_versioned(
            appointment_types,
            appointment_type.id,
            appointment_type.organization_id,
            appointment_type.version,
            _appointment_type_values(appointment_type),
        )
        if saved:
            appointment_type.version += 1
        return saved
