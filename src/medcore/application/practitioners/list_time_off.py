"""ListTimeOff: a practitioner's time off."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result

from medcore.application.practitioners.access import practitioner_for, sees_staff_details
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.schedule import TimeOff
from medcore.domain.shared.errors import DomainError, field_invalid
from medcore.domain.shared.listing import ListQuery, Page


class ListTimeOff:
    """Filters ``from`` and ``to`` keep the time off overlapping that span. Time off is for
    the practice's staff (``practitioners:read`` with ``practitioners:write`` or
    ``patients:read``) and the person linked to the practitioner; patients see availability
    instead."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(
        self, actor: Actor, practitioner_id: UUID, query: ListQuery
    ) -> Result[Page[TimeOff], DomainError]:
        async with self._uow() as uow:
            found = await practitioner_for(
                uow,
                actor,
                practitioner_id,
                staff=actor.can(Permission.PRACTITIONERS_READ) and sees_staff_details(actor),
                action="time_off.list",
            )
            if isinstance(found, Failure):
                return Failure(found.failure())
            start, end = query.filters.get("from"), query.filters.get("to")
            if isinstance(start, datetime) and isinstance(end, datetime) and not start < end:
                return Failure(field_invalid("to", "'to' must come after 'from'."))
            return await uow.time_off.list_for(actor.organization_id, practitioner_id, query)
