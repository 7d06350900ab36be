"""The retention plan of one organization on one day: every source's due, unheld records
not yet in the ledger, and the audit events that may go. The dry run prints it; the real
run executes it (the same function, so they cannot disagree)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.compliance.engine import (
    ClassTally,
    PlannedDisposal,
    SourcePlan,
    class_rank,
    created_before,
    plan_source,
)
from medcore.domain.compliance.retention import ClassPolicy, Disposal, RecordClass, RetentionSettings
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class AuditPlan:
    """Audit events are disposed of as a prefix of the chain, behind a signed checkpoint
    (DisposeAuditEvents); any active legal hold of the organization stops it."""

    before: datetime  # events that occurred before this instant are due
    through_sequence: int  # the chain would start after this event (0: nothing disposed yet)
    disposable: int  # events that would go now
    due: int  # events due, checkpoint or not
    held: bool
    blocked: str | None = None  # why nothing can go although events are due


@dataclass(frozen=True, slots=True)
class RetentionPlan:
    organization_id: UUID
    as_of: date
    resumes: UUID | None  # the unfinished run this plan continues
    sources: tuple[SourcePlan, ...]
    audit: AuditPlan | None

    @property
    def disposals(self) -> tuple[PlannedDisposal, ...]:
        return tuple(p for source in self.sources for p in source.disposals)

    def tallies(self) -> list[ClassTally]:
        merged: dict[RecordClass, ClassTally] = {}
        for source in self.sources:
            tally = merged.setdefault(source.tally.record_class, ClassTally(source.tally.record_class))
            tally.examined += source.tally.examined
            tally.due += source.tally.due
            tally.held += source.tally.held
            for action, count in source.tally.disposed.items():
                tally.disposed[action] = tally.disposed.get(action, 0) + count
        if self.audit is not None:
            tally = merged.setdefault(RecordClass.AUDIT_EVENT, ClassTally(RecordClass.AUDIT_EVENT))
            tally.due += self.audit.due
            tally.held += self.audit.due if self.audit.held else 0
            if self.audit.disposable:
                tally.disposed[Disposal.DELETE] = self.audit.disposable
        return sorted(merged.values(), key=lambda t: class_rank(t.record_class))


def utc_today(clock: Clock) -> date:
    return clock.now().astimezone(UTC).date()


def cutoff_day(policy: ClassPolicy, as_of: date) -> date:
    """The first creation day whose records are not yet due on ``as_of``."""
    day = created_before(policy, as_of)
    while policy.due_on(day) > as_of:
        day -= timedelta(days=1)
    return day + timedelta(days=1)


async def build_plan(uow: UnitOfWork, organization_id: UUID, as_of: date, settings: RetentionSettings) -> RetentionPlan:
    holds = await uow.legal_holds.active(organization_id)
    unfinished = await uow.retention_ledger.unfinished(organization_id)
    # A plan is for a day (a resumed run keeps its day): what had ended when it began.
    ended_by = datetime.combine(as_of, time(0), tzinfo=UTC)
    sources: list[SourcePlan] = []
    for source in sorted(uow.record_sources, key=lambda s: (class_rank(s.record_class), s.name)):
        policy = settings.policy(source.record_class)
        candidates = await source.candidates(
            organization_id, now=ended_by, created_before=created_before(policy, as_of)
        )
        already = await uow.retention_ledger.disposed(organization_id, source.record_class)
        sources.append(plan_source(source.name, source.record_class, candidates, policy, holds, as_of, already))
    audit = await _audit_plan(uow, organization_id, as_of, settings.policy(RecordClass.AUDIT_EVENT), bool(holds))
    return RetentionPlan(
        organization_id, as_of, unfinished.id if unfinished is not None else None, tuple(sources), audit
    )


async def _audit_plan(
    uow: UnitOfWork, organization_id: UUID, as_of: date, policy: ClassPolicy, held: bool
) -> AuditPlan | None:
    head = await uow.audit_log.head(organization_id)
    if head is None:
        return None
    before = datetime.combine(cutoff_day(policy, as_of), time(0), tzinfo=UTC)
    done = head.disposed_through
    candidate = await uow.audit_log.last_sequence_before(organization_id, before)
    due = max(0, (candidate or 0) - done)
    if due == 0:
        return AuditPlan(before, done, 0, 0, held)
    if held:
        return AuditPlan(before, done, 0, due, True, "a legal hold is active")
    checkpoint = await uow.audit_checkpoints.latest(organization_id)
    if checkpoint is None or checkpoint.sequence <= done:
        return AuditPlan(
            before, done, 0, due, False, "no signed checkpoint covers them: run `medcore audit checkpoint`"
        )
    assert candidate is not None
    through = min(candidate, checkpoint.sequence)
    return AuditPlan(before, through, through - done, due, False)
