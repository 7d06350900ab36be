"""ListAppointmentTypes: what the organization offers."""

from __future__ import annotations

from returns.result import Failure, Result

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.resources import AppointmentType
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListAppointmentTypes:
    """Filter ``active``; sorted by name by default."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[AppointmentType], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.RESOURCES_READ, action="appointment_type.list", resource_type="appointment_type"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            return await uow.appointment_types.list(actor.organization_id, query)
