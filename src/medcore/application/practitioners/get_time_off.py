"""GetTimeOff: one stretch of a practitioner's time off."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.practitioners.access import practitioner_for, sees_staff_details
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.schedule import TimeOff
from medcore.domain.shared.errors import DomainError, not_found


class GetTimeOff:
    """Visible to the practice's staff and to the person linked to the practitioner (see
    ListTimeOff)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, practitioner_id: UUID, time_off_id: UUID) -> Result[TimeOff, DomainError]:
        async with self._uow() as uow:
            found = await practitioner_for(
                uow,
                actor,
                practitioner_id,
                staff=actor.can(Permission.PRACTITIONERS_READ) and sees_staff_details(actor),
                action="time_off.read",
            )
            if isinstance(found, Failure):
                return Failure(found.failure())
            time_off = await uow.time_off.get(actor.organization_id, time_off_id)
            if time_off is None or time_off.practitioner_id != practitioner_id:
                return Failure(not_found("time_off"))
            return Success(time_off)
