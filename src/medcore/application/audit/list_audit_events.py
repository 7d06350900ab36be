"""ListAuditEvents: the organization's audit trail, filtered, newest first."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.audit.queries import audit_filter, filter_details
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import RecordedEvent
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListAuditEvents:
    """Needs ``audit:read`` (auditors and owners). Filters: ``patient_id``, ``actor_id``,
    ``action``, ``resource_type``, ``resource_id``, ``outcome``, ``from`` (inclusive) and
    ``to`` (exclusive); newest first, or ``sort=sequence`` for the oldest first. Reading the
    trail is itself audited (``audit.read``, with the criteria)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[RecordedEvent], DomainError]:
        criteria = audit_filter(query.filters)
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.AUDIT_READ, action="audit.read", resource_type="audit_event"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            listed = await uow.audit_log.list(actor.organization_id, criteria, query)
            if isinstance(listed, Failure):
                return listed
            page = listed.unwrap()
            await uow.audit.record(
                actor.audit(
                    "audit.read",
                    resource_type="audit_event",
                    patient_id=criteria.patient_id,
                    details={**filter_details(criteria), "returned": len(page.items)},
                )
            )
            await uow.commit()
            return Success(page)
