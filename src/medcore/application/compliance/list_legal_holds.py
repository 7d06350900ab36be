"""ListLegalHolds: the organization's legal holds, newest first."""

from __future__ import annotations

from returns.result import Failure, Result

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.compliance.holds import LegalHold
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListLegalHolds:
    """Filters: ``active`` (true: not released), ``scope``, ``subject_id``. Audited as
    ``legal_hold.list`` with the filters' names."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[LegalHold], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.LEGAL_HOLDS_READ, action="legal_hold.list", resource_type="legal_hold"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            page = await uow.legal_holds.list(actor.organization_id, query)
            if isinstance(page, Failure):
                return page
            await uow.audit.record(
                actor.audit(
                    "legal_hold.list",
                    resource_type="legal_hold",
                    details={"filters": ",".join(sorted(query.filters)) or None},
                )
            )
            await uow.commit()
            return page
