"""Postgres repositories of the scheduling context."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from returns.result import Result
from sqlalchemy import RowMapping, Text, and_, bindparam, cast, func, literal_column, or_, select, update
from sqlalchemy.sql.elements import ColumnClause

from medcore.adapters.postgres import scheduling_tables as t
from medcore.adapters.postgres.base import Repository, refuse_on
from medcore.adapters.postgres.listing import keyset_page
from medcore.domain.notifications.ports import Channel
from medcore.domain.scheduling.appointment import (
    OCCUPYING,
    Appointment,
    AppointmentStatus,
    Cancellation,
    CancellationReason,
)
from medcore.domain.scheduling.calendar_feed import CalendarFeed
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.ports import StatsRow
from medcore.domain.scheduling.reminder import Reminder, ReminderStatus
from medcore.domain.scheduling.waitlist import WaitlistEntry, WaitlistStatus
from medcore.domain.shared.errors import DomainError, ErrorKind
from medcore.domain.shared.listing import ListQuery, Page, SortKey

_RACE = DomainError(
    code="appointment.conflict",
    message="Another booking took this time a moment ago.",
    kind=ErrorKind.CONFLICT,
    extra={"conflicts": []},
)
for _constraint in ("ex_appointments_practitioner", "ex_appointments_room", "ex_appointments_patient"):
    refuse_on(_constraint, _RACE)

A = t.appointments
# The exclusion constraints' own expressions and predicate, as literals rather than bound
# parameters: the planner can then prove that their partial GiST indexes apply even in the
# generic plan of a prepared statement, and SQLAlchemy has no list to expand per execution.
_BOUNDS: ColumnClause[str] = literal_column("'[)'")
_OCCUPYING: list[ColumnClause[str]] = [literal_column(f"'{s.value}'") for s in sorted(OCCUPYING)]


def _appointment(row: RowMapping) -> Appointment:
    cancellation = None
    if row["cancellation_reason"] is not None:
        cancellation = Cancellation(
            reason=CancellationReason(row["cancellation_reason"]),
            at=row["cancelled_at"],
            late=bool(row["cancelled_late"]),
            by=row["cancelled_by"],
            note=row["cancellation_note"],
        )
    return Appointment(
        id=row["id"],
        organization_id=row["organization_id"],
        practitioner_id=row["practitioner_id"],
        patient_id=row["patient_id"],
        appointment_type_id=row["appointment_type_id"],
        room_id=row["room_id"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        buffer_minutes=row["buffer_minutes"],
        status=AppointmentStatus(row["status"]),
        reason=row["reason"],
        series_id=row["series_id"],
        rescheduled_from_id=row["rescheduled_from_id"],
        override_reason=row["override_reason"],
        booked_by=row["booked_by"],
        booked_by_patient=row["booked_by_patient"],
        patient_exclusive=row["patient_exclusive"],
        cancellation=cancellation,
        status_changed_at=row["status_changed_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _appointment_values(appointment: Appointment) -> dict[str, Any]:
    cancellation = appointment.cancellation
    return {
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "blocked_until": appointment.blocked_until,
        "buffer_minutes": appointment.buffer_minutes,
        "status": appointment.status.value,
        "reason": appointment.reason,
        "room_id": appointment.room_id,
        "override_reason": appointment.override_reason,
        "cancellation_reason": cancellation.reason.value if cancellation else None,
        "cancellation_note": cancellation.note if cancellation else None,
        "cancelled_late": cancellation.late if cancellation else None,
        "cancelled_at": cancellation.at if cancellation else None,
        "cancelled_by": cancellation.by if cancellation else None,
        "status_changed_at": appointment.status_changed_at,
        "updated_at": appointment.updated_at,
    }


def _overlapping(start_column: Any, end_column: Any, window: Interval) -> Any:
    return func.tstzrange(start_column, end_column, _BOUNDS).op("&&")(func.tstzrange(window.start, window.end, _BOUNDS))


def _meets(start: datetime, end: datetime, window: Interval) -> bool:
    """``tstzrange(start, end, '[)') && window``, for non-empty ranges."""
    return start < window.end and window.start < end


# What a booking reads of the calendar, in one statement built once: the practitioner's,
# the patient's and the room's occupying appointments around the candidates (an arm whose id
# is NULL finds nothing). Each arm is served by its own index (a BitmapOr).
_WINDOW = func.tstzrange(
    bindparam("window_start", type_=A.c.starts_at.type), bindparam("window_end", type_=A.c.starts_at.type), _BOUNDS
)
_AROUND = (
    select(A)
    .where(
        A.c.organization_id == bindparam("organization_id"),
        A.c.status.in_(_OCCUPYING),
        or_(
            and_(
                A.c.practitioner_id == bindparam("practitioner_id"),
                func.tstzrange(A.c.starts_at, A.c.blocked_until, _BOUNDS).op("&&")(_WINDOW),
            ),
            and_(
                A.c.patient_id == bindparam("patient_id"),
                func.tstzrange(A.c.starts_at, A.c.ends_at, _BOUNDS).op("&&")(_WINDOW),
            ),
            and_(
                A.c.room_id == bindparam("room_id"),
                func.tstzrange(A.c.starts_at, A.c.ends_at, _BOUNDS).op("&&")(_WINDOW),
            ),
        ),
    )
    .order_by(A.c.starts_at, A.c.id)
)
_FOR_PRACTITIONER = (
    select(A)
    .where(
        A.c.organization_id == bindparam("organization_id"),
        A.c.practitioner_id == bindparam("practitioner_id"),
        func.tstzrange(A.c.starts_at, A.c.blocked_until, _BOUNDS).op("&&")(_WINDOW),
        A.c.status.in_(_OCCUPYING),
    )
    .order_by(A.c.starts_at, A.c.id)
)
_LOCK_PRACTITIONER = select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("key", type_=Text), 0)))
_INSERT_APPOINTMENT = A.insert()


class PgAppointments(Repository):
    async def add(self, appointment: Appointment) -> None:
        await self._execute(
            _INSERT_APPOINTMENT,
            {
                "id": appointment.id,
                "organization_id": appointment.organization_id,
                "practitioner_id": appointment.practitioner_id,
                "patient_id": appointment.patient_id,
                "appointment_type_id": appointment.appointment_type_id,
                "series_id": appointment.series_id,
                "rescheduled_from_id": appointment.rescheduled_from_id,
                "booked_by": appointment.booked_by,
                "booked_by_patient": appointment.booked_by_patient,
                "patient_exclusive": appointment.patient_exclusive,
                "created_at": appointment.created_at,
                "version": appointment.version,
                **_appointment_values(appointment),
            },
        )

    async def get(self, organization_id: UUID, appointment_id: UUID, *, lock: bool = False) -> Appointment | None:
        statement = select(A).where(A.c.organization_id == organization_id, A.c.id == appointment_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _appointment(row) if row else None

    async def _occupying(self, condition: Any) -> list[Appointment]:
        statement = select(A).where(condition, A.c.status.in_(_OCCUPYING)).order_by(A.c.starts_at, A.c.id)
        return [_appointment(r) for r in (await self._execute(statement)).mappings().all()]

    async def for_practitioner(
        self, organization_id: UUID, practitioner_id: UUID, window: Interval
    ) -> list[Appointment]:
        rows = await self._execute(
            _FOR_PRACTITIONER,
            {
                "organization_id": organization_id,
                "practitioner_id": practitioner_id,
                "window_start": window.start,
                "window_end": window.end,
            },
        )
        return [_appointment(r) for r in rows.mappings().all()]

    async def for_patient(self, organization_id: UUID, patient_id: UUID, window: Interval) -> list[Appointment]:
        return await self._occupying(
            and_(
                A.c.organization_id == organization_id,
                A.c.patient_id == patient_id,
                _overlapping(A.c.starts_at, A.c.ends_at, window),
            )
        )

    async def for_room(self, organization_id: UUID, room_id: UUID, window: Interval) -> list[Appointment]:
        return await self._occupying(
            and_(
                A.c.organization_id == organization_id,
                A.c.room_id == room_id,
                _overlapping(A.c.starts_at, A.c.ends_at, window),
            )
        )

    async def around(
        self,
        organization_id: UUID,
        window: Interval,
        practitioner_id: UUID,
        patient_id: UUID | None,
        room_id: UUID | None,
    ) -> tuple[list[Appointment], list[Appointment], list[Appointment]]:
        rows = await self._execute(
            _AROUND,
            {
                "organization_id": organization_id,
                "practitioner_id": practitioner_id,
                "patient_id": patient_id,
                "room_id": room_id,
                "window_start": window.start,
                "window_end": window.end,
            },
        )
        found = [_appointment(r) for r in rows.mappings().all()]
        return (
            [a for a in found if a.practitioner_id == practitioner_id and _meets(a.starts_at, a.blocked_until, window)],
            [
                a
                for a in found
                if patient_id is not None and a.patient_id == patient_id and _meets(a.starts_at, a.ends_at, window)
            ],
            [
                a
                for a in found
                if room_id is not None and a.room_id == room_id and _meets(a.starts_at, a.ends_at, window)
            ],
        )

    async def in_series(self, organization_id: UUID, series_id: UUID, *, lock: bool = False) -> list[Appointment]:
        statement = (
            select(A).where(A.c.organization_id == organization_id, A.c.series_id == series_id).order_by(A.c.starts_at)
        )
        if lock:
            statement = statement.with_for_update()
        return [_appointment(r) for r in (await self._execute(statement)).mappings().all()]

    async def save(self, appointment: Appointment) -> bool:
        saved = await self._update_versioned(
            A, appointment.id, appointment.organization_id, appointment.version, _appointment_values(appointment)
        )
        if saved:
            appointment.version += 1
        return saved

    async def lock_practitioner(self, organization_id: UUID, practitioner_id: UUID) -> None:
        await self._execute(_LOCK_PRACTITIONER, {"key": f"practitioner:{practitioner_id}"})

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Appointment], DomainError]:
        base = select(A).where(A.c.organization_id == organization_id)
        filters = query.filters
        for name in ("practitioner_id", "patient_id", "room_id", "series_id"):
            if name in filters:
                base = base.where(getattr(A.c, name) == filters[name])
        if "status" in filters:
            base = base.where(A.c.status == filters["status"])
        if "from" in filters:
            base = base.where(A.c.starts_at >= filters["from"])
        if "to" in filters:
            base = base.where(A.c.starts_at < filters["to"])
        sortable = {"starts_at": A.c.starts_at, "created_at": A.c.created_at}
        return await keyset_page(
            self._connection,
            base,
            query,
            sortable,
            A.c.id,
            _appointment,
            default_sort=SortKey("starts_at"),
            count=False,
        )

    async def stats(
        self, organization_id: UUID, window: Interval, group_by: str, practitioner_ids: Sequence[UUID] | None = None
    ) -> Sequence[StatsRow]:
        key = {
            "practitioner": cast(A.c.practitioner_id, Text),
            "status": A.c.status,
            "day": func.to_char(func.timezone("UTC", A.c.starts_at), "YYYY-MM-DD"),
        }[group_by]
        minutes = func.extract("epoch", A.c.ends_at - A.c.starts_at) / 60
        statement = (
            select(
                key.label("key"),
                A.c.status,
                func.count().label("n"),
                func.count().filter(A.c.cancelled_late.is_(True)).label("late"),
                func.coalesce(func.sum(minutes).filter(A.c.status.in_(_OCCUPYING)), 0).label("minutes"),
            )
            .where(A.c.organization_id == organization_id, A.c.starts_at >= window.start, A.c.starts_at < window.end)
            .group_by(key, A.c.status)
        )
        if practitioner_ids:
            statement = statement.where(A.c.practitioner_id.in_(list(practitioner_ids)))
        grouped: dict[str, dict[str, Any]] = defaultdict(lambda: {"by_status": {}, "late": 0, "minutes": 0.0})
        for row in (await self._execute(statement)).mappings():
            group = grouped[str(row["key"])]
            group["by_status"][row["status"]] = int(row["n"])
            group["late"] += int(row["late"])
            group["minutes"] += float(row["minutes"])
        return [
            StatsRow(
                key=key_value,
                total=sum(group["by_status"].values()),
                by_status=group["by_status"],
                late_cancellations=group["late"],
                booked_minutes=round(group["minutes"]),
            )
            for key_value, group in sorted(grouped.items())
        ]


R = t.appointment_reminders


def _reminder(row: RowMapping) -> Reminder:
    return Reminder(
        id=row["id"],
        organization_id=row["organization_id"],
        appointment_id=row["appointment_id"],
        due_at=row["due_at"],
        channel=Channel(row["channel"]),
        status=ReminderStatus(row["status"]),
        sent_at=row["sent_at"],
        skip_reason=row["skip_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


class PgReminders(Repository):
    async def add_many(self, reminders: Sequence[Reminder]) -> None:
        await self._execute(
            R.insert(),
            [
                {
                    "id": r.id,
                    "organization_id": r.organization_id,
                    "appointment_id": r.appointment_id,
                    "due_at": r.due_at,
                    "channel": r.channel.value,
                    "status": r.status.value,
                    "sent_at": r.sent_at,
                    "skip_reason": r.skip_reason,
                    "created_at": r.created_at,
                    "updated_at": r.updated_at,
                    "version": r.version,
                }
                for r in reminders
            ],
        )

    async def cancel_for(self, organization_id: UUID, appointment_id: UUID, now: datetime) -> int:
        result = await self._execute(
            update(R)
            .where(
                R.c.organization_id == organization_id,
                R.c.appointment_id == appointment_id,
                R.c.status == ReminderStatus.PENDING.value,
            )
            .values(status=ReminderStatus.CANCELLED.value, updated_at=now, version=R.c.version + 1)
        )
        return int(result.rowcount)

    async def claim_due(self, now: datetime, limit: int) -> list[Reminder]:
        statement = (
            select(R)
            .where(R.c.status == ReminderStatus.PENDING.value, R.c.due_at <= now)
            .order_by(R.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_reminder(r) for r in (await self._execute(statement)).mappings().all()]

    async def count_due(self, now: datetime) -> int:
        statement = select(func.count()).where(R.c.status == ReminderStatus.PENDING.value, R.c.due_at <= now)
        return int((await self._execute(statement)).scalar_one())

    async def save(self, reminder: Reminder) -> bool:
        saved = await self._update_versioned(
            R,
            reminder.id,
            reminder.organization_id,
            reminder.version,
            {
                "status": reminder.status.value,
                "sent_at": reminder.sent_at,
                "skip_reason": reminder.skip_reason,
                "updated_at": reminder.updated_at,
            },
        )
        if saved:
            reminder.version += 1
        return saved


W = t.waitlist_entries


def _entry(row: RowMapping) -> WaitlistEntry:
    offered = None
    if row["offered_start"] is not None:
        offered = Interval(row["offered_start"], row["offered_end"])
    return WaitlistEntry(
        id=row["id"],
        organization_id=row["organization_id"],
        patient_id=row["patient_id"],
        practitioner_id=row["practitioner_id"],
        specialty=row["specialty"],
        window_start=row["window_start"],
        window_end=row["window_end"],
        status=WaitlistStatus(row["status"]),
        offered_appointment_slot=offered,
        offered_practitioner_id=row["offered_practitioner_id"],
        offered_at=row["offered_at"],
        note=row["note"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _entry_values(entry: WaitlistEntry) -> dict[str, Any]:
    slot = entry.offered_appointment_slot
    return {
        "status": entry.status.value,
        "offered_start": slot.start if slot else None,
        "offered_end": slot.end if slot else None,
        "offered_practitioner_id": entry.offered_practitioner_id,
        "offered_at": entry.offered_at,
        "note": entry.note,
        "updated_at": entry.updated_at,
    }


class PgWaitlist(Repository):
    async def add(self, entry: WaitlistEntry) -> None:
        await self._execute(
            W.insert().values(
                id=entry.id,
                organization_id=entry.organization_id,
                patient_id=entry.patient_id,
                practitioner_id=entry.practitioner_id,
                specialty=entry.specialty,
                window_start=entry.window_start,
                window_end=entry.window_end,
                created_at=entry.created_at,
                version=entry.version,
                **_entry_values(entry),
            )
        )

    async def get(self, organization_id: UUID, entry_id: UUID, *, lock: bool = False) -> WaitlistEntry | None:
        statement = select(W).where(W.c.organization_id == organization_id, W.c.id == entry_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _entry(row) if row else None

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[WaitlistEntry], DomainError]:
        base = select(W).where(W.c.organization_id == organization_id)
        for name in ("practitioner_id", "patient_id", "status"):
            if name in query.filters:
                base = base.where(getattr(W.c, name) == query.filters[name])
        return await keyset_page(
            self._connection,
            base,
            query,
            {"created_at": W.c.created_at},
            W.c.id,
            _entry,
            default_sort=SortKey("created_at"),
        )

    async def waiting_for(
        self, organization_id: UUID, practitioner_id: UUID, specialties: Sequence[str], slot: Interval
    ) -> Sequence[WaitlistEntry]:
        target = W.c.practitioner_id == practitioner_id
        if specialties:
            target = or_(target, W.c.specialty.in_(list(specialties)))
        statement = (
            select(W)
            .where(
                W.c.organization_id == organization_id,
                W.c.status == WaitlistStatus.WAITING.value,
                target,
                W.c.window_start <= slot.start,
                W.c.window_end >= slot.end,
            )
            .order_by(W.c.created_at, W.c.id)
            .limit(20)
            .with_for_update(skip_locked=True)
        )
        return [_entry(r) for r in (await self._execute(statement)).mappings().all()]

    async def save(self, entry: WaitlistEntry) -> bool:
        saved = await self._update_versioned(W, entry.id, entry.organization_id, entry.version, _entry_values(entry))
        if saved:
            entry.version += 1
        return saved


F = t.calendar_feeds


def _feed(row: RowMapping) -> CalendarFeed:
    return CalendarFeed(
        id=row["id"],
        organization_id=row["organization_id"],
        practitioner_id=row["practitioner_id"],
        token_hash=row["token_hash"],
        created_by=row["created_by"],
        revoked_at=row["revoked_at"],
        last_fetched_at=row["last_fetched_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


class PgCalendarFeeds(Repository):
    async def add(self, feed: CalendarFeed) -> None:
        await self._execute(
            F.insert().values(
                id=feed.id,
                organization_id=feed.organization_id,
                practitioner_id=feed.practitioner_id,
                token_hash=feed.token_hash,
                created_by=feed.created_by,
                revoked_at=feed.revoked_at,
                last_fetched_at=feed.last_fetched_at,
                created_at=feed.created_at,
                updated_at=feed.updated_at,
                version=feed.version,
            )
        )

    async def active_for(self, organization_id: UUID, practitioner_id: UUID) -> CalendarFeed | None:
        statement = select(F).where(
            F.c.organization_id == organization_id, F.c.practitioner_id == practitioner_id, F.c.revoked_at.is_(None)
        )
        row = (await self._execute(statement.with_for_update())).mappings().first()
        return _feed(row) if row else None

    async def by_token(self, token_hash: str) -> CalendarFeed | None:
        row = (await self._execute(select(F).where(F.c.token_hash == token_hash))).mappings().first()
        return _feed(row) if row else None

    async def save(self, feed: CalendarFeed) -> bool:
        # Fetches update last_fetched_at concurrently; a lost update of that timestamp is harmless.
        saved = await self._update_versioned(
            F,
            feed.id,
            feed.organization_id,
            feed.version,
            {"revoked_at": feed.revoked_at, "last_fetched_at": feed.last_fetched_at, "updated_at": feed.updated_at},
        )
        if saved:
            feed.version += 1
        return saved
