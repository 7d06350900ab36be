"""AppointmentStats: counts, no-show and late-cancellation rates, utilisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.scheduling.booking_context import plausible_instant
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.shared.errors import DomainError, field_invalid

GROUPINGS = ("practitioner", "status", "day")
MAX_WINDOW = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class StatsCommand:
    window_start: datetime
    window_end: datetime
    group_by: str = "practitioner"
    practitioner_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class StatsGroup:
    key: str
    total: int
    by_status: dict[str, int]
    no_show_rate: float | None  # no-shows among appointments that were due to happen
    late_cancellation_rate: float | None  # late cancellations among all appointments
    booked_minutes: int
    available_minutes: int | None  # working time (practitioner grouping only)
    utilisation: float | None  # booked / available


class AppointmentStats:
    """Dashboards: grouped by practitioner, status or (UTC) day."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, command: StatsCommand) -> Result[list[StatsGroup], DomainError]:
        if command.group_by not in GROUPINGS:
            return Failure(field_invalid("group_by", f"Use one of: {', '.join(GROUPINGS)}."))
        for name, instant in (("from", command.window_start), ("to", command.window_end)):
            if isinstance(plausible := plausible_instant(name, instant), Failure):
                return Failure(plausible.failure())
        if not command.window_start < command.window_end:
            return Failure(field_invalid("to", "'to' must come after 'from'."))
        if command.window_end - command.window_start > MAX_WINDOW:
            return Failure(field_invalid("to", "At most 366 days at once."))
        window = Interval(command.window_start, command.window_end)
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.APPOINTMENTS_READ, action="appointment.stats", resource_type="appointment"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            rows = await uow.appointments.stats(
                actor.organization_id, window, command.group_by, command.practitioner_ids or None
            )
            groups: list[StatsGroup] = []
            for row in rows:
                available = None
                if command.group_by == "practitioner":
                    practitioner = await uow.practitioners.get(actor.organization_id, UUID(row.key))
                    if practitioner is not None:
                        time_off = await uow.time_off.between(actor.organization_id, practitioner.id, window)
                        zone = practitioner.time_zone.zone
                        holidays = await uow.holidays.between(
                            actor.organization_id,
                            window.start.astimezone(zone).date(),
                            window.end.astimezone(zone).date(),
                        )
                        calendar = practitioner.calendar([t.interval for t in time_off], [h.day for h in holidays])
                        available = int(
                            sum((i.duration for i in calendar.available(window)), timedelta(0)).total_seconds() // 60
                        )
                due = sum(row.by_status.get(s, 0) for s in ("completed", "no_show", "checked_in", "in_progress"))
                groups.append(
                    StatsGroup(
                        key=row.key,
                        total=row.total,
                        by_status=row.by_status,
                        no_show_rate=round(row.by_status.get("no_show", 0) / due, 4) if due else None,
                        late_cancellation_rate=round(row.late_cancellations / row.total, 4) if row.total else None,
                        booked_minutes=row.booked_minutes,
                        available_minutes=available,
                        utilisation=round(row.booked_minutes / available, 4) if available else None,
                    )
                )
            return Success(groups)
