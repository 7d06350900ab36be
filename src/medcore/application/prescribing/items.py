"""Prescription items as a request gives them, and their translation into domain items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.domain.prescribing.prescription import Frequency, FrequencyKind, Prescription, PrescriptionItem
from medcore.domain.shared.errors import DomainError, FieldIssue, invalid


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemInput:
    """One item: exactly one of ``frequency_per_day``, ``interval_hours`` and
    ``as_needed_max_per_day`` says how often."""

    medication_code: str
    dose_amount: float
    dose_unit: str
    route: str
    duration_days: int
    quantity: int
    refills: int = 0
    frequency_per_day: float | None = None
    interval_hours: float | None = None
    as_needed_max_per_day: float | None = None
    instructions: str | None = None


def _frequency(raw: ItemInput) -> Frequency | None:
    given = [
        (kind, value)
        for kind, value in (
            (FrequencyKind.TIMES_PER_DAY, raw.frequency_per_day),
            (FrequencyKind.INTERVAL_HOURS, raw.interval_hours),
            (FrequencyKind.AS_NEEDED, raw.as_needed_max_per_day),
        )
        if value is not None
    ]
    if len(given) != 1:
        return None
    kind, value = given[0]
    return Frequency(kind, float(value))


def item_of(raw: ItemInput, frequency: Frequency) -> PrescriptionItem:
    instructions = raw.instructions.strip() if raw.instructions is not None else None
    return PrescriptionItem(
        medication_code="".join(raw.medication_code.split()).upper(),
        dose_amount=float(raw.dose_amount),
        dose_unit=raw.dose_unit.strip().lower(),
        route=raw.route.strip().lower(),
        frequency=frequency,
        duration_days=raw.duration_days,
        quantity=raw.quantity,
        refills=raw.refills,
        instructions=instructions or None,
    )


def parse_items(raw_items: Sequence[ItemInput]) -> Result[list[PrescriptionItem], DomainError]:
    """Domain items, or one 422 naming every field at fault (``items.2.route``)."""
    issues: list[FieldIssue] = []
    items: list[PrescriptionItem] = []
    for index, raw in enumerate(raw_items):
        frequency = _frequency(raw)
        if frequency is None:
            issues.append(
                FieldIssue(
                    f"items.{index}.frequency_per_day",
                    "Give exactly one of frequency_per_day, interval_hours and as_needed_max_per_day.",
                )
            )
            frequency = Frequency(FrequencyKind.TIMES_PER_DAY, 1)  # to check the other fields
        items.append(item_of(raw, frequency))
    checked = Prescription.check_items(items)
    if isinstance(checked, Failure):
        issues.extend(checked.failure().fields)
    if issues:
        ordered = sorted(issues, key=lambda issue: _order(issue.field))
        return Failure(invalid("validation_failed", "Some items are not valid.", *ordered))
    return Success(items)


def _order(field: str) -> tuple[int, str]:
    parts = field.split(".")
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1, field)
