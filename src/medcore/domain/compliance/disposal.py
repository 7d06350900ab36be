"""What the retention engine decides for one record: pure, so that a dry run and a real run
cannot disagree."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from medcore.domain.compliance.holds import LegalHold
from medcore.domain.compliance.retention import Anchor, ClassPolicy, Disposal, RecordClass


@dataclass(frozen=True, slots=True)
class RetentionCandidate:
    """A record as the engine sees it: no content, only what decides its fate."""

    record_class: RecordClass
    record_id: UUID
    patient_id: UUID | None
    practitioner_ids: frozenset[UUID]
    created_on: date
    last_activity_on: date | None = None
    end_of_care_on: date | None = None
    patient_birth_date: date | None = None

    def anchor_date(self, anchor: Anchor) -> date | None:
        if anchor is Anchor.LAST_ACTIVITY:
            return self.last_activity_on or self.created_on
        if anchor is Anchor.END_OF_CARE:
            return self.end_of_care_on  # still in care: not due
        return self.created_on


class Verdict(enum.StrEnum):
    KEEP = "keep"  # the period has not ended
    HELD = "held"  # due, but under a legal hold
    DISPOSE = "dispose"


@dataclass(frozen=True, slots=True)
class Decision:
    candidate: RetentionCandidate
    verdict: Verdict
    action: Disposal
    due_on: date | None
    hold_ids: tuple[UUID, ...] = ()


def decide(candidate: RetentionCandidate, policy: ClassPolicy, holds: Iterable[LegalHold], today: date) -> Decision:
    anchor = candidate.anchor_date(policy.anchor)
    if anchor is None:
        return Decision(candidate, Verdict.KEEP, policy.action, None)
    due = policy.due_on(anchor, candidate.patient_birth_date)
    if today < due:
        return Decision(candidate, Verdict.KEEP, policy.action, due)
    holding = tuple(
        h.id for h in holds if h.covers(patient_id=candidate.patient_id, practitioner_ids=candidate.practitioner_ids)
    )
    if holding:
        return Decision(candidate, Verdict.HELD, policy.action, due, holding)
    return Decision(candidate, Verdict.DISPOSE, policy.action, due)
