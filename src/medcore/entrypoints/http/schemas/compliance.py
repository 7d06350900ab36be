"""Legal holds and the retention policy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from medcore.application.compliance.planning import RetentionPlan
from medcore.domain.compliance.holds import HoldScope, LegalHold
from medcore.domain.compliance.retention import (
    PRESETS,
    Anchor,
    ClassPolicy,
    Disposal,
    Preset,
    RecordClass,
    RetentionSettings,
)
from medcore.entrypoints.http.listing import PageInfo

_NO_NUL = r"^[^\x00]*$"
Reason = Annotated[str, msgspec.Meta(max_length=2000, pattern=_NO_NUL)]
Years = Annotated[int, msgspec.Meta(ge=0, le=100)]
Months = Annotated[int, msgspec.Meta(ge=0, le=11)]


class CreateLegalHoldRequest(msgspec.Struct, forbid_unknown_fields=True):
    scope: HoldScope
    reason: Reason
    subject_id: UUID | None = None  # the patient or practitioner; absent for the organization


class ReleaseLegalHoldRequest(msgspec.Struct, forbid_unknown_fields=True):
    note: Reason | None = None


class LegalHoldOut(msgspec.Struct):
    id: UUID
    scope: HoldScope
    subject_id: UUID | None
    reason: str
    active: bool
    placed_by: UUID | None
    placed_at: datetime
    released_by: UUID | None
    released_at: datetime | None
    release_note: str | None
    version: int


class LegalHoldList(msgspec.Struct):
    items: list[LegalHoldOut]
    page: PageInfo


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def hold_out(hold: LegalHold) -> LegalHoldOut:
    return LegalHoldOut(
        id=hold.id,
        scope=hold.scope,
        subject_id=hold.subject_id,
        reason=hold.reason,
        active=hold.active,
        placed_by=hold.placed_by,
        placed_at=hold.placed_at.astimezone(UTC),
        released_by=hold.released_by,
        released_at=_utc(hold.released_at),
        release_note=hold.release_note,
        version=hold.version,
    )


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    """A record class's policy; what is left out is the preset's."""

    years: Years | None = None
    months: Months | None = None
    anchor: Anchor | None = None
    action: Disposal | None = None
    min_age_years: Annotated[int, msgspec.Meta(ge=0, le=120)] | None = None


class RetentionPolicyRequest(msgspec.Struct, forbid_unknown_fields=True):
    preset: Preset
    overrides: dict[RecordClass, PolicyIn] = {}


class PolicyOut(msgspec.Struct):
    years: int
    months: int
    anchor: Anchor
    action: Disposal
    min_age_years: int | None
    overridden: bool
    preset_minimum_years: int  # the legal floor of the preset


class RetentionPolicyOut(msgspec.Struct):
    preset: Preset
    classes: dict[RecordClass, PolicyOut]


def _policy_out(policy: ClassPolicy, minimum: ClassPolicy, overridden: bool) -> PolicyOut:
    return PolicyOut(
        years=policy.years,
        months=policy.months,
        anchor=policy.anchor,
        action=policy.action,
        min_age_years=policy.min_age_years,
        overridden=overridden,
        preset_minimum_years=minimum.years,
    )


def retention_policy_out(settings: RetentionSettings) -> RetentionPolicyOut:
    overridden = {c for c, _ in settings.overrides}
    return RetentionPolicyOut(
        preset=settings.preset,
        classes={c: _policy_out(settings.policy(c), PRESETS[settings.preset][c], c in overridden) for c in RecordClass},
    )


class DueRecordOut(msgspec.Struct):
    record_class: RecordClass
    source: str
    record_id: UUID
    patient_id: UUID | None
    action: Disposal
    due_on: date | None


class ClassSummaryOut(msgspec.Struct):
    record_class: RecordClass
    examined: int
    due: int
    held: int
    to_dispose: dict[Disposal, int]


class RetentionDueOut(msgspec.Struct):
    as_of: date
    resumes_run: UUID | None
    summary: list[ClassSummaryOut]
    records: list[DueRecordOut]
    records_truncated: bool


def due_out(plan: RetentionPlan, limit: int) -> RetentionDueOut:
    disposals = plan.disposals
    return RetentionDueOut(
        as_of=plan.as_of,
        resumes_run=plan.resumes,
        summary=[
            ClassSummaryOut(
                record_class=t.record_class, examined=t.examined, due=t.due, held=t.held, to_dispose=dict(t.disposed)
            )
            for t in plan.tallies()
        ],
        records=[
            DueRecordOut(
                record_class=p.record_class,
                source=p.source,
                record_id=p.record_id,
                patient_id=p.patient_id,
                action=p.action,
                due_on=p.decision.due_on,
            )
            for p in disposals[:limit]
        ],
        records_truncated=len(disposals) > limit,
    )
