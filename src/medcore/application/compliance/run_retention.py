"""RunRetention: dispose of what is due, record by record, resumably."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from returns.result import Failure, Result, Success

from medcore.application.audit.dispose_audit_events import AuditDisposal, DisposeAuditEvents
from medcore.application.compliance.planning import RetentionPlan, build_plan, utc_today
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import ActorType
from medcore.domain.compliance.engine import PlannedDisposal
from medcore.domain.compliance.ports import ArchiveStore, DisposalRecord, RetentionRun, RunStatus
from medcore.domain.compliance.retention import Disposal
from medcore.domain.shared.errors import DomainError, DomainRefusal, forbidden, not_found
from medcore.domain.shared.ports import Clock, IdGenerator


class Outcome(StrEnum):
    DISPOSED = "disposed"
    HELD = "held"  # a hold was placed after the plan was made
    GONE = "gone"  # deleted (or disposed of) meanwhile by someone else


@dataclass(slots=True)
class RunReport:
    run: RetentionRun
    resumed: bool
    plan: RetentionPlan
    outcomes: list[tuple[PlannedDisposal, Outcome]] = field(default_factory=list)
    audit: AuditDisposal | None = None
    audit_error: DomainError | None = None

    @property
    def disposed(self) -> list[PlannedDisposal]:
        return [p for p, o in self.outcomes if o is Outcome.DISPOSED]

    @property
    def complete(self) -> bool:
        return self.run.status is RunStatus.COMPLETED


Progress = Callable[[PlannedDisposal, Outcome], None]


class RunRetention:
    """The retention job (system actors only: ``medcore retention run``).

    A run belongs to one organization and one day (``as_of``). It computes the plan (the
    dry run's), then disposes of each record in a transaction of its own: the source's
    delete or anonymise (archive: a JSON copy to the blob store, then delete), a ledger line
    and a ``retention.dispose`` audit event commit together. A crash leaves the run
    ``running``; the next run resumes it with the same day, and the ledger makes it skip
    what was done. A run stopped by ``limit`` stays open the same way. When every record is
    done, audit events past their period go too (behind a signed checkpoint), and the run
    is completed."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        archive: ArchiveStore,
        dispose_audit_events: DisposeAuditEvents,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._archive = archive
        self._dispose_audit_events = dispose_audit_events

    async def execute(
        self, actor: Actor, *, limit: int | None = None, progress: Progress | None = None
    ) -> Result[RunReport, DomainError]:
        if actor.actor_type is not ActorType.SYSTEM:
            return Failure(forbidden(message="Only the retention job disposes of records."))
        organization_id = actor.organization_id
        async with self._uow() as uow:
            organization = await uow.organizations.get(organization_id)
            if organization is None:
                return Failure(not_found("organization"))
            run = await uow.retention_ledger.unfinished(organization_id)
            resumed = run is not None
            if run is None:
                run = RetentionRun(
                    id=self._ids.new_id(),
                    organization_id=organization_id,
                    as_of=utc_today(self._clock),
                    started_at=self._clock.now(),
                    started_by=actor.id,
                )
                try:
                    await uow.retention_ledger.start(run)
                except DomainRefusal as refusal:  # another run started meanwhile
                    return Failure(refusal.error)
                await uow.audit.record(
                    actor.audit(
                        "retention.run.start",
                        resource_type="retention_run",
                        resource_id=run.id,
                        details={"as_of": run.as_of.isoformat()},
                    )
                )
                await uow.commit()
            plan = await build_plan(uow, organization_id, run.as_of, organization.settings.retention)
        report = RunReport(run, resumed, plan)
        todo = plan.disposals if limit is None else plan.disposals[:limit]
        for planned in todo:
            outcome = await self._dispose(actor, run, planned)
            report.outcomes.append((planned, outcome))
            if progress is not None:
                progress(planned, outcome)
        run.disposed += len(report.disposed)
        if len(todo) < len(plan.disposals):
            await self._save(run)
            return Success(report)
        if plan.audit is not None and plan.audit.disposable > 0:
            disposed = await self._dispose_audit_events.execute(actor, plan.audit.before)
            if isinstance(disposed, Failure):
                report.audit_error = disposed.failure()
            else:
                report.audit = disposed.unwrap()
        run.status = RunStatus.COMPLETED
        run.finished_at = self._clock.now()
        async with self._uow() as uow:
            await uow.retention_ledger.finish(run)
            await uow.audit.record(
                actor.audit(
                    "retention.run.complete",
                    resource_type="retention_run",
                    resource_id=run.id,
                    details={
                        "as_of": run.as_of.isoformat(),
                        "disposed": run.disposed,
                        "audit_events_disposed": report.audit.disposed if report.audit else 0,
                    },
                )
            )
            await uow.commit()
        return Success(report)

    async def _save(self, run: RetentionRun) -> None:
        async with self._uow() as uow:
            await uow.retention_ledger.finish(run)
            await uow.commit()

    async def _dispose(self, actor: Actor, run: RetentionRun, planned: PlannedDisposal) -> Outcome:
        organization_id = run.organization_id
        candidate = planned.decision.candidate
        async with self._uow() as uow:
            source = next((s for s in uow.record_sources if s.name == planned.source), None)
            if source is None:
                return Outcome.GONE
            holds = await uow.legal_holds.active(organization_id)
            if any(
                h.covers(patient_id=candidate.patient_id, practitioner_ids=candidate.practitioner_ids) for h in holds
            ):
                return Outcome.HELD
            archive_key: str | None = None
            if planned.action is Disposal.ARCHIVE:
                snapshot = await source.snapshot(organization_id, planned.record_id)
                if snapshot is None:
                    return Outcome.GONE
                document = json.dumps(
                    {"record_class": planned.record_class.value, "source": source.name, "record": snapshot},
                    sort_keys=True,
                    default=str,
                ).encode()
                archive_key = await self._archive.put(
                    organization_id, planned.record_class, planned.record_id, document
                )
            try:
                await uow.retention_ledger.record(
                    DisposalRecord(
                        id=self._ids.new_id(),
                        organization_id=organization_id,
                        run_id=run.id,
                        record_class=planned.record_class,
                        source=source.name,
                        record_id=planned.record_id,
                        patient_id=planned.patient_id,
                        action=planned.action,
                        disposed_at=self._clock.now(),
                        archive_key=archive_key,
                    )
                )
            except DomainRefusal:
                return Outcome.GONE  # disposed of by a concurrent run
            action = Disposal.DELETE if planned.action is Disposal.ARCHIVE else planned.action
            if not await source.dispose(organization_id, planned.record_id, action):
                return Outcome.GONE
            await uow.audit.record(
                actor.audit(
                    "retention.dispose",
                    resource_type=planned.record_class.value,
                    resource_id=planned.record_id,
                    patient_id=planned.patient_id,
                    details={
                        "record_class": planned.record_class.value,
                        "source": source.name,
                        "action": planned.action.value,
                        "run_id": str(run.id),
                        "due_on": planned.decision.due_on.isoformat() if planned.decision.due_on else None,
                        "archive_key": archive_key,
                    },
                )
            )
            await uow.commit()
            return Outcome.DISPOSED
