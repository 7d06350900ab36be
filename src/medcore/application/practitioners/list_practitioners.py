"""ListPractitioners: the organization's directory of practitioners."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.practitioners.access import PractitionerView, sees_staff_details
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, field_invalid
from medcore.domain.shared.listing import ListQuery, Page


class ListPractitioners:
    """Filters: ``specialty`` (a code such as ``general_practice``), ``active``,
    ``has_user`` (staff only); ``q`` searches given and family names. Staff see whole profiles,
    others the directory entries (see GetPractitioner)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[PractitionerView], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.PRACTITIONERS_READ, action="practitioner.list", resource_type="practitioner"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            full = sees_staff_details(actor)
            if not full and "has_user" in query.filters:
                # Whether a practitioner has an account is staff information.
                return Failure(field_invalid("has_user", "This filter is for the practice's staff."))
            listed = await uow.practitioners.list(actor.organization_id, query)
            if isinstance(listed, Failure):
                return Failure(listed.failure())
            page = listed.unwrap()
            return Success(
                Page(
                    items=[PractitionerView(p, full) for p in page.items],
                    limit=page.limit,
                    next_cursor=page.next_cursor,
                    total=page.total,
                )
            )
