"""SearchAvailability: the free starts of one or several practitioners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.scheduling.access import appointment_scope
from medcore.application.scheduling.booking_context import (
    load_context,
    load_duration_rule,
    load_policy,
    load_practitioner,
    plausible_instant,
)
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.rules import Booker
from medcore.domain.shared.errors import DomainError, field_invalid
from medcore.domain.shared.ports import Clock

MAX_WINDOW = timedelta(days=62)
MAX_PRACTITIONERS = 20


@dataclass(frozen=True, slots=True)
class SearchAvailabilityCommand:
    practitioner_ids: tuple[UUID, ...]
    window_start: datetime
    window_end: datetime
    duration_minutes: int | None = None
    appointment_type_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class PractitionerSlots:
    practitioner_id: UUID
    slots: list[Interval]


class SearchAvailability:
    """Every start on the organization's grid, between ``from`` and ``to``, where a booking
    of that duration by the caller would be accepted: inside working hours, outside time
    off and holidays, clear of other appointments and their buffers, within the daily
    capacity, the notice (for patients) and the horizon. Correct across daylight-saving
    changes. Staff booking outside availability with an override are not limited to these."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, actor: Actor, command: SearchAvailabilityCommand
    ) -> Result[list[PractitionerSlots], DomainError]:
        if not command.practitioner_ids:
            return Failure(field_invalid("practitioner_id", "Give at least one practitioner."))
        if len(set(command.practitioner_ids)) > MAX_PRACTITIONERS:
            return Failure(field_invalid("practitioner_id", f"At most {MAX_PRACTITIONERS} practitioners at once."))
        bounds: list[datetime] = []
        for name, instant in (("from", command.window_start), ("to", command.window_end)):
            if isinstance(plausible := plausible_instant(name, instant), Failure):
                return Failure(plausible.failure())
            bounds.append(plausible.unwrap())  # in UTC
        if not command.window_start < command.window_end:
            return Failure(field_invalid("to", "'to' must come after 'from'."))
        if command.window_end - command.window_start > MAX_WINDOW:
            return Failure(field_invalid("to", "Search at most 62 days at once."))
        async with self._uow() as uow:
            scope = await appointment_scope(uow, actor, Permission.APPOINTMENTS_READ, action="availability.search")
            if isinstance(scope, Failure):
                return Failure(scope.failure())
            rule_result = await load_duration_rule(uow, actor.organization_id, command.appointment_type_id)
            if isinstance(rule_result, Failure):
                return Failure(rule_result.failure())
            duration_rule, default_minutes = rule_result.unwrap()
            minutes = command.duration_minutes or default_minutes
            if minutes is None:
                return Failure(field_invalid("duration_minutes", "Give duration_minutes or an appointment type."))
            if not duration_rule.min_minutes <= minutes <= duration_rule.max_minutes:
                return Failure(
                    field_invalid(
                        "duration_minutes",
                        f"The duration must be between {duration_rule.min_minutes} and {duration_rule.max_minutes} minutes.",
                        code="appointment.invalid_duration",
                    )
                )
            policy = await load_policy(uow, actor.organization_id)
            if minutes % policy.slot_granularity_minutes:
                return Failure(
                    field_invalid(
                        "duration_minutes",
                        f"Durations follow the {policy.slot_granularity_minutes}-minute grid.",
                        code="appointment.granularity",
                    )
                )
            window = Interval(*bounds)
            booker = Booker(is_patient=scope.unwrap().is_patient)
            now = self._clock.now()
            results: list[PractitionerSlots] = []
            for practitioner_id in dict.fromkeys(command.practitioner_ids):
                practitioner = await load_practitioner(uow, actor.organization_id, practitioner_id)
                if isinstance(practitioner, Failure):
                    return Failure(practitioner.failure())
                context = await load_context(uow, actor.organization_id, practitioner.unwrap(), [window], policy=policy)
                slots = context.checker.free_slots(
                    window, timedelta(minutes=minutes), duration_rule=duration_rule, booker=booker, now=now
                )
                results.append(PractitionerSlots(practitioner_id=practitioner_id, slots=slots))
            return Success(results)
