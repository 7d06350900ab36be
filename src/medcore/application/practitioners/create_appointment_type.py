"""CreateAppointmentType: a kind of appointment the organization offers."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.resources import DEFAULT_COLOUR, AppointmentType
from medcore.domain.scheduling.rules import DEFAULT_MAX_MINUTES, DEFAULT_MIN_MINUTES
from medcore.domain.shared.errors import DomainError, conflict
from medcore.domain.shared.ports import Clock, IdGenerator

TYPE_NAME_TAKEN = conflict("appointment_type.name_taken", "An appointment type with this name exists.")


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateAppointmentTypeCommand:
    name: str
    default_minutes: int
    min_minutes: int = DEFAULT_MIN_MINUTES
    max_minutes: int = DEFAULT_MAX_MINUTES
    colour: str = DEFAULT_COLOUR


class CreateAppointmentType:
    """Durations are multiples of 5 minutes with ``min <= default <= max`` (5 to 480;
    bounds default to 5-240). A booking of this type lasts ``default_minutes`` unless it
    says otherwise, and always within the bounds. Names are unique regardless of case; the
    colour is ``#RRGGBB``. Needs ``resources:write``."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(
        self, actor: Actor, command: CreateAppointmentTypeCommand
    ) -> Result[AppointmentType, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.RESOURCES_WRITE,
                action="appointment_type.create",
                resource_type="appointment_type",
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            created = AppointmentType.create(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                name=command.name,
                default_minutes=command.default_minutes,
                min_minutes=command.min_minutes,
                max_minutes=command.max_minutes,
                colour=command.colour,
                now=self._clock.now(),
            )
            if isinstance(created, Failure):
                return Failure(created.failure())
            appointment_type = created.unwrap()
            if await uow.appointment_types.by_name(actor.organization_id, appointment_type.name) is not None:
                return Failure(TYPE_NAME_TAKEN)
            await uow.appointment_types.add(appointment_type)
            await uow.audit.record(
                actor.audit(
                    "appointment_type.create", resource_type="appointment_type", resource_id=appointment_type.id
                )
            )
            await uow.commit()
            return Success(appointment_type)
