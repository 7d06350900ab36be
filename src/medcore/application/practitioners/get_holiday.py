"""GetHoliday: one of the organization's closed days."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.schedule import Holiday
from medcore.domain.shared.errors import DomainError, not_found


class GetHoliday:
    """Needs ``resources:read``."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, holiday_id: UUID) -> Result[Holiday, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.RESOURCES_READ,
                action="holiday.read",
                resource_type="holiday",
                resource_id=holiday_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            holiday = await uow.holidays.get(actor.organization_id, holiday_id)
            if holiday is None:
                return Failure(not_found("holiday"))
            return Success(holiday)
