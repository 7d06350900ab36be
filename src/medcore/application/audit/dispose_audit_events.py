"""DisposeAuditEvents: the retention job's disposal of an organization's oldest events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import ActorType
from medcore.domain.shared.errors import DomainError, conflict, forbidden

NO_CHECKPOINT = conflict(
    "audit.no_checkpoint",
    "Audit events are disposed of only after a signed checkpoint covers them: run `medcore audit checkpoint` first.",
)


@dataclass(frozen=True, slots=True)
class AuditDisposal:
    through_sequence: int  # events up to this one are gone (0: nothing disposed)
    disposed: int
    checkpoint_sequence: int | None


class DisposeAuditEvents:
    """Deletes the events that occurred before ``before``, but never past the newest signed
    checkpoint, so that what is deleted was first sealed by a signature kept outside the
    database. The deletion is the only one the database lets through (a transaction-local
    switch the append-only trigger honours), and it is recorded in the chain itself
    (``audit.dispose``: through which event, its hash, which checkpoint), so that
    verification knows where the chain now starts. System jobs only (retention)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, before: datetime) -> Result[AuditDisposal, DomainError]:
        if actor.actor_type is not ActorType.SYSTEM:
            return Failure(forbidden(message="Only the retention job disposes of audit events."))
        organization_id = actor.organization_id
        async with self._uow() as uow:
            head = await uow.audit_log.head(organization_id)
            candidate = await uow.audit_log.last_sequence_before(organization_id, before)
            done = head.disposed_through if head is not None else 0
            if head is None or candidate is None or candidate <= done:
                return Success(AuditDisposal(done, 0, None))
            checkpoint = await uow.audit_checkpoints.latest(organization_id)
            if checkpoint is None or checkpoint.sequence <= done:
                return Failure(NO_CHECKPOINT)
            through = min(candidate, checkpoint.sequence)
            through_hash = await uow.audit_log.dispose_through(organization_id, through)
            await uow.audit.record(
                actor.audit(
                    "audit.dispose",
                    resource_type="audit_event",
                    details={
                        "through_sequence": through,
                        "through_hash": through_hash,
                        "checkpoint_sequence": checkpoint.sequence,
                        "disposed": through - done,
                        "before": before.isoformat(),
                    },
                )
            )
            await uow.commit()
            return Success(AuditDisposal(through, through - done, checkpoint.sequence))
