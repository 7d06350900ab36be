"""DeleteHoliday: the organization opens on that day after all."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found


class DeleteHoliday:
    """Practitioners are bookable that day again, within their working hours. Needs
    ``resources:write``."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, holiday_id: UUID) -> Result[None, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.RESOURCES_WRITE,
                action="holiday.delete",
                resource_type="holiday",
                resource_id=holiday_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            if not await uow.holidays.delete(actor.organization_id, holiday_id):
                return Failure(not_found("holiday"))
            await uow.audit.record(actor.audit("holiday.delete", resource_type="holiday", resource_id=holiday_id))
            await uow.commit()
            return Success(None)
