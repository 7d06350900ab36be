"""ExportAuditEvents: the whole matching trail, oldest first, as a stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.application.audit.queries import filter_details
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import RecordedEvent
from medcore.domain.audit.ports import AuditFilter
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError

_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ExportAuditEventsCommand:
    criteria: AuditFilter
    format: str  # ndjson | csv: recorded in the export's own audit event


class ExportAuditEvents:
    """Needs ``audit:read``. The export is audited (``audit.export``) before the first event
    leaves; the events then stream in batches, each read in a short transaction of its own
    (the trail only grows, so paging by sequence misses nothing and repeats nothing)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(
        self, actor: Actor, command: ExportAuditEventsCommand
    ) -> Result[AsyncIterator[RecordedEvent], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.AUDIT_READ, action="audit.export", resource_type="audit_event"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            head = await uow.audit_log.head(actor.organization_id)
            await uow.audit.record(
                actor.audit(
                    "audit.export",
                    resource_type="audit_event",
                    patient_id=command.criteria.patient_id,
                    details={**filter_details(command.criteria), "format": command.format},
                )
            )
            await uow.commit()
        # Up to the head as it was when the export was asked for (its own event excluded).
        through = head.sequence if head is not None else 0
        return Success(self._stream(actor, command.criteria, through))

    async def _stream(self, actor: Actor, criteria: AuditFilter, through: int) -> AsyncIterator[RecordedEvent]:
        after = 0
        while after < through:
            async with self._uow() as uow:
                batch = await uow.audit_log.batch_after(actor.organization_id, criteria, after, _BATCH)
            for event in batch:
                if event.sequence > through:
                    return
                yield event
            if len(batch) < _BATCH:
                return
            after = batch[-1].sequence
