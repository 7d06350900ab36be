"""GetAppointmentType: one appointment type."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.resources import AppointmentType
from medcore.domain.shared.errors import DomainError, not_found


class GetAppointmentType:
    """Needs ``resources:read`` (patients hold it, to choose what to book)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, appointment_type_id: UUID) -> Result[AppointmentType, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.RESOURCES_READ,
                action="appointment_type.read",
                resource_type="appointment_type",
                resource_id=appointment_type_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            appointment_type = await uow.appointment_types.get(actor.organization_id, appointment_type_id)
            if appointment_type is None:
                return Failure(not_found("appointment_type"))
            return Success(appointment_type)
