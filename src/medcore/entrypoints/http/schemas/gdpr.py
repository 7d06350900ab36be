"""GDPR exports and erasures, as the API shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

import msgspec

from medcore.application.gdpr.report import ErasureLine, ErasureReport
from medcore.domain.gdpr.erasure import ErasureOutcome, LegalBasis
from medcore.domain.gdpr.export import GdprExport


class ExportOut(msgspec.Struct, frozen=True):
    id: str
    patient_id: str
    status: Literal["ready", "failed"]
    created_at: datetime
    expires_at: datetime
    size_bytes: int | None
    sha256: str | None
    members: int
    download_url: str


def export_out(export: GdprExport) -> ExportOut:
    return ExportOut(
        id=str(export.id),
        patient_id=str(export.patient_id),
        status=export.status.value,
        created_at=export.created_at.astimezone(UTC),
        expires_at=export.expires_at.astimezone(UTC),
        size_bytes=export.size_bytes,
        sha256=export.sha256,
        members=export.members,
        download_url=f"/api/v1/patients/{export.patient_id}/exports/{export.id}/download",
    )


class ErasureRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    dry_run: bool = False


class LegalBasisOut(msgspec.Struct, frozen=True):
    kind: Literal["retention", "legal_hold", "audit_integrity", "owner_role_needed"]
    preset: str | None = None
    record_class: str | None = None
    years: int | None = None
    months: int | None = None
    anchor: str | None = None
    until: date | None = None
    hold_ids: list[str] = msgspec.field(default_factory=list)
    hold_reasons: list[str] = msgspec.field(default_factory=list)


class ErasureLineOut(msgspec.Struct, frozen=True):
    subject: str
    outcome: Literal["erased", "anonymised", "kept"]
    count: int
    record_ids: list[str]
    basis: LegalBasisOut | None


class ErasureOut(msgspec.Struct, frozen=True):
    patient_id: str
    dry_run: bool
    performed_at: datetime
    erased: int
    anonymised: int
    kept: int
    lines: list[ErasureLineOut]


def _basis_out(basis: LegalBasis | None) -> LegalBasisOut | None:
    if basis is None:
        return None
    return LegalBasisOut(
        kind=basis.kind.value,
        preset=basis.preset,
        record_class=basis.record_class,
        years=basis.years,
        months=basis.months,
        anchor=basis.anchor,
        until=basis.until,
        hold_ids=[str(h) for h in basis.hold_ids],
        hold_reasons=list(basis.hold_reasons),
    )


def _line_out(line: ErasureLine) -> ErasureLineOut:
    return ErasureLineOut(
        subject=line.subject,
        outcome=line.outcome.value,
        count=line.total,
        record_ids=[str(i) for i in line.record_ids],
        basis=_basis_out(line.basis),
    )


def erasure_out(report: ErasureReport) -> ErasureOut:
    return ErasureOut(
        patient_id=str(report.patient_id),
        dry_run=report.dry_run,
        performed_at=report.performed_at.astimezone(UTC),
        erased=report.count(ErasureOutcome.ERASED),
        anonymised=report.count(ErasureOutcome.ANONYMISED),
        kept=report.count(ErasureOutcome.KEPT),
        lines=[_line_out(line) for line in report.lines],
    )
