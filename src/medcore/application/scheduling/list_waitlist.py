"""ListWaitlist: entries of the organization (a patient account sees its own)."""

from __future__ import annotations

from dataclasses import replace

from returns.result import Failure, Result

from medcore.application.scheduling.access import appointment_scope
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.scheduling.waitlist import WaitlistEntry
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListWaitlist:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[WaitlistEntry], DomainError]:
        async with self._uow() as uow:
            scope_result = await appointment_scope(uow, actor, Permission.APPOINTMENTS_READ, action="waitlist.list")
            if isinstance(scope_result, Failure):
                return Failure(scope_result.failure())
            scope = scope_result.unwrap()
            if scope.patient_id is not None:
                query = replace(query, filters={**query.filters, "patient_id": scope.patient_id})
            page = await uow.waitlist.list(actor.organization_id, query)
            if isinstance(page, Failure):
                return page
            for patient_id in sorted({e.patient_id for e in page.unwrap().items}):
                await uow.audit.record(
                    actor.audit("waitlist.list", resource_type="waitlist_entry", patient_id=patient_id)
                )
            await uow.commit()
            return page
