"""UpdateAppointmentType: rename, change durations or colour, or retire a type."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.practitioners.create_appointment_type import TYPE_NAME_TAKEN
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.changes import UNCHANGED, Change
from medcore.domain.practitioners.resources import AppointmentType
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateAppointmentTypeCommand:
    appointment_type_id: UUID
    name: Change[str] = UNCHANGED
    default_minutes: Change[int] = UNCHANGED
    min_minutes: Change[int] = UNCHANGED
    max_minutes: Change[int] = UNCHANGED
    colour: Change[str] = UNCHANGED
    active: Change[bool] = UNCHANGED
    expected_version: int | None = None


class UpdateAppointmentType:
    """Merge semantics; the durations are checked together after the change. Appointments
    already booked keep their times; an inactive type cannot be booked. ``If-Match`` makes
    the change conditional. Needs ``resources:write``."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, actor: Actor, command: UpdateAppointmentTypeCommand
    ) -> Result[AppointmentType, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.RESOURCES_WRITE,
                action="appointment_type.update",
                resource_type="appointment_type",
                resource_id=command.appointment_type_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            appointment_type = await uow.appointment_types.get(
                actor.organization_id, command.appointment_type_id, lock=True
            )
            if appointment_type is None:
                return Failure(not_found("appointment_type"))
            if command.expected_version is not None and command.expected_version != appointment_type.version:
                return Failure(version_mismatch("appointment_type"))
            changed = appointment_type.update(
                name=command.name,
                default_minutes=command.default_minutes,
                min_minutes=command.min_minutes,
                max_minutes=command.max_minutes,
                colour=command.colour,
                active=command.active,
                now=self._clock.now(),
            )
            if isinstance(changed, Failure):
                return Failure(changed.failure())
            fields = changed.unwrap()
            if not fields:
                return Success(appointment_type)
            if "name" in fields:
                same_name = await uow.appointment_types.by_name(actor.organization_id, appointment_type.name)
                if same_name is not None and same_name.id != appointment_type.id:
                    return Failure(TYPE_NAME_TAKEN)
            if not await uow.appointment_types.save(appointment_type):
                return Failure(version_mismatch("appointment_type"))
            await uow.audit.record(
                actor.audit(
                    "appointment_type.update",
                    resource_type="appointment_type",
                    resource_id=appointment_type.id,
                    details={"fields": ",".join(sorted(fields))},
                )
            )
            await uow.commit()
            return Success(appointment_type)
