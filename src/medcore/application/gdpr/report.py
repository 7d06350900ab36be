"""The answer of an erasure: per record class (or category of personal data), what was
erased, anonymised or kept, and the legal basis of what was kept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from medcore.domain.gdpr.erasure import ErasureOutcome, LegalBasis
from medcore.domain.gdpr.ports import JsonValue


@dataclass(frozen=True, slots=True)
class ErasureLine:
    subject: str  # a record class (``consultation``) or a category of personal data (``contact_details``)
    outcome: ErasureOutcome
    record_ids: tuple[UUID, ...]
    basis: LegalBasis | None = None
    count: int | None = None  # when it is not the number of ids (fields, audit events)

    @property
    def total(self) -> int:
        return self.count if self.count is not None else len(self.record_ids)


@dataclass(frozen=True, slots=True)
class ErasureReport:
    patient_id: UUID
    dry_run: bool
    performed_at: datetime
    lines: tuple[ErasureLine, ...]

    def count(self, outcome: ErasureOutcome) -> int:
        return sum(line.total for line in self.lines if line.outcome is outcome)

    def summary(self) -> dict[str, JsonValue]:
        """What the erasure log keeps: counts and bases, no ids."""
        return {
            "dry_run": self.dry_run,
            "lines": [
                {
                    "subject": line.subject,
                    "outcome": line.outcome.value,
                    "count": line.total,
                    "basis": basis_json(line.basis),
                }
                for line in self.lines
            ],
        }


def basis_json(basis: LegalBasis | None) -> JsonValue:
    if basis is None:
        return None
    return {
        "kind": basis.kind.value,
        "preset": basis.preset,
        "record_class": basis.record_class,
        "years": basis.years,
        "months": basis.months,
        "anchor": basis.anchor,
        "until": basis.until.isoformat() if basis.until else None,
        "hold_ids": [str(h) for h in basis.hold_ids],
    }


def grouped(subject: str, decisions: Iterable[tuple[UUID, ErasureOutcome, LegalBasis | None]]) -> list[ErasureLine]:
    """One line per outcome and basis, ids in their order of appearance."""
    groups: dict[tuple[ErasureOutcome, LegalBasis | None], list[UUID]] = {}
    for record_id, outcome, basis in decisions:
        groups.setdefault((outcome, basis), []).append(record_id)
    return [
        ErasureLine(subject=subject, outcome=outcome, record_ids=tuple(ids), basis=basis)
        for (outcome, basis), ids in groups.items()
    ]
