"""The retention plan: what a run disposes of, computed from the candidates of every source
with ``decide()``. Pure, so that the dry run and the real run are the same computation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from medcore.domain.compliance.disposal import Decision, RetentionCandidate, Verdict, decide
from medcore.domain.compliance.holds import LegalHold
from medcore.domain.compliance.retention import ClassPolicy, Disposal, RecordClass

# The order in which classes are disposed of: dependants before what they depend on
# (prescriptions and consultations before the medical record they belong to).
CLASS_ORDER: tuple[RecordClass, ...] = (
    RecordClass.SESSION,
    RecordClass.NOTIFICATION,
    RecordClass.PRESCRIPTION,
    RecordClass.CONTROLLED_PRESCRIPTION,
    RecordClass.CONSULTATION,
    RecordClass.APPOINTMENT,
    RecordClass.FILE,
    RecordClass.REPORT,
    RecordClass.INVOICE,
    RecordClass.MEDICAL_RECORD,
    RecordClass.AUDIT_EVENT,
)


def created_before(policy: ClassPolicy, as_of: date) -> date:
    """No record created on or after this day can be due on ``as_of``: every anchor is on
    or after the creation, and the period is at least ``years`` and ``months`` long. A week
    of margin absorbs month-end arithmetic; the decision itself is ``decide()``'s."""
    months = policy.years * 12 + policy.months
    year, month = divmod(as_of.year * 12 + as_of.month - 1 - months, 12)
    return date(year, month + 1, min(as_of.day, 28)) + timedelta(days=7)


@dataclass(frozen=True, slots=True)
class PlannedDisposal:
    source: str
    decision: Decision

    @property
    def record_class(self) -> RecordClass:
        return self.decision.candidate.record_class

    @property
    def record_id(self) -> UUID:
        return self.decision.candidate.record_id

    @property
    def patient_id(self) -> UUID | None:
        return self.decision.candidate.patient_id

    @property
    def action(self) -> Disposal:
        return self.decision.action

    @property
    def key(self) -> tuple[RecordClass, UUID]:
        return (self.record_class, self.record_id)


@dataclass(slots=True)
class ClassTally:
    """Per class: records looked at, due (period ended), held (due but under a hold), and
    what is (or would be) disposed of, by action."""

    record_class: RecordClass
    examined: int = 0
    due: int = 0
    held: int = 0
    disposed: dict[Disposal, int] = field(default_factory=dict)

    @property
    def disposed_total(self) -> int:
        return sum(self.disposed.values())


@dataclass(frozen=True, slots=True)
class SourcePlan:
    source: str
    disposals: tuple[PlannedDisposal, ...]
    tally: ClassTally


def plan_source(
    source: str,
    record_class: RecordClass,
    candidates: Iterable[RetentionCandidate],
    policy: ClassPolicy,
    holds: Sequence[LegalHold],
    as_of: date,
    already_disposed: frozenset[UUID] = frozenset(),
) -> SourcePlan:
    """The due, unheld records of one source not yet in the ledger, in a stable order (due
    day, then id)."""
    tally = ClassTally(record_class)
    planned: list[PlannedDisposal] = []
    for candidate in candidates:
        if candidate.record_id in already_disposed:
            continue
        tally.examined += 1
        decision = decide(candidate, policy, holds, as_of)
        if decision.verdict is Verdict.KEEP:
            continue
        tally.due += 1
        if decision.verdict is Verdict.HELD:
            tally.held += 1
            continue
        planned.append(PlannedDisposal(source, decision))
    planned.sort(key=lambda p: (p.decision.due_on or as_of, str(p.record_id)))
    for p in planned:
        tally.disposed[p.action] = tally.disposed.get(p.action, 0) + 1
    return SourcePlan(source, tuple(planned), tally)


def class_rank(record_class: RecordClass) -> int:
    return CLASS_ORDER.index(record_class) if record_class in CLASS_ORDER else len(CLASS_ORDER)
