"""LeaveWaitlist: cancel a waitlist entry."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.scheduling.access import appointment_scope
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.scheduling.waitlist import WaitlistEntry
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.ports import Clock


class LeaveWaitlist:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, entry_id: UUID) -> Result[WaitlistEntry, DomainError]:
        async with self._uow() as uow:
            scope_result = await appointment_scope(
                uow, actor, Permission.APPOINTMENTS_WRITE, action="waitlist.cancel", resource_id=entry_id
            )
            if isinstance(scope_result, Failure):
                return Failure(scope_result.failure())
            entry = await uow.waitlist.get(actor.organization_id, entry_id, lock=True)
            if entry is None or not scope_result.unwrap().allows(entry.patient_id):
                return Failure(not_found("waitlist_entry"))
            cancelled = entry.cancel(self._clock.now())
            if isinstance(cancelled, Failure):
                return Failure(cancelled.failure())
            await uow.waitlist.save(entry)
            await uow.audit.record(
                actor.audit(
                    "waitlist.cancel", resource_type="waitlist_entry", resource_id=entry.id, patient_id=entry.patient_id
                )
            )
            await uow.commit()
            return Success(entry)
