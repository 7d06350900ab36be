"""Vital signs taken during a consultation: each optional, each in one stated unit, each
within the plausible range the medical history uses for the same kind of measurement (so
that signing, which records them in the history, can never be refused for them)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

from returns.result import Failure, Result, Success

from medcore.domain.patients.measurements import SCALES, MeasurementKind, Quantity
from medcore.domain.shared.errors import DomainError, FieldIssue, invalid

# Devices' clocks drift: an instant a few minutes ahead of the server is still "now".
CLOCK_TOLERANCE = timedelta(minutes=5)
# Anything clinical dated before this is a typing mistake (and near datetime's limits,
# converting it between zones would overflow).
EARLIEST_RECORD = datetime(1900, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class VitalSign:
    """One vital: the field that holds it, the measurement kind it becomes, its unit."""

    field: str
    kind: MeasurementKind
    unit: str


VITAL_SIGNS: tuple[VitalSign, ...] = (
    VitalSign("systolic_mmhg", MeasurementKind.BLOOD_PRESSURE_SYSTOLIC, "mmHg"),
    VitalSign("diastolic_mmhg", MeasurementKind.BLOOD_PRESSURE_DIASTOLIC, "mmHg"),
    VitalSign("pulse_per_min", MeasurementKind.HEART_RATE, "/min"),
    VitalSign("respiratory_rate_per_min", MeasurementKind.RESPIRATORY_RATE, "/min"),
    VitalSign("temperature_c", MeasurementKind.TEMPERATURE, "degC"),
    VitalSign("weight_kg", MeasurementKind.WEIGHT, "kg"),
    VitalSign("height_cm", MeasurementKind.HEIGHT, "cm"),
    VitalSign("spo2_percent", MeasurementKind.SPO2, "%"),
)
VITAL_FIELDS = tuple(sign.field for sign in VITAL_SIGNS)


def fahrenheit_to_celsius(value: float) -> float:
    return round((value - 32.0) * 5.0 / 9.0, 2)


def _in_range(sign: VitalSign, value: float) -> bool:
    scale = SCALES[sign.kind]
    return math.isfinite(value) and scale.minimum <= scale.to_canonical(value, sign.unit) <= scale.maximum


def range_message(sign: VitalSign) -> str:
    scale = SCALES[sign.kind]
    return f"Not plausible: use {scale.minimum:g} to {scale.maximum:g} {scale.canonical_unit}."


@dataclass(frozen=True, slots=True, kw_only=True)
class Vitals:
    """At least one value, all taken at ``measured_at`` (an aware instant). Blood pressure
    comes as a pair, the systolic above the diastolic."""

    systolic_mmhg: float | None = None
    diastolic_mmhg: float | None = None
    pulse_per_min: float | None = None
    respiratory_rate_per_min: float | None = None
    temperature_c: float | None = None
    weight_kg: float | None = None
    height_cm: float | None = None
    spo2_percent: float | None = None
    measured_at: datetime

    def __post_init__(self) -> None:
        if self.measured_at.tzinfo is None:
            raise ValueError("measured_at is an aware instant")
        if not self.values():
            raise ValueError("vitals hold at least one value")
        for sign in VITAL_SIGNS:
            value = getattr(self, sign.field)
            if value is not None and (isinstance(value, bool) or not _in_range(sign, float(value))):
                raise ValueError(f"{sign.field} is not plausible")
        if _pressure_issues(self.systolic_mmhg, self.diastolic_mmhg):
            raise ValueError("blood pressure is a pair, systolic above diastolic")

    def values(self) -> dict[str, float]:
        """The vitals taken, by field name."""
        return {sign.field: getattr(self, sign.field) for sign in VITAL_SIGNS if getattr(self, sign.field) is not None}

    def quantities(self) -> tuple[Quantity, ...]:
        """Each vital as a measurement of the medical history."""
        return tuple(
            Quantity(sign.kind, float(getattr(self, sign.field)), sign.unit)
            for sign in VITAL_SIGNS
            if getattr(self, sign.field) is not None
        )

    @property
    def bmi(self) -> float | None:
        """Body mass index (kg/m2, one decimal) when both weight and height were taken."""
        if self.weight_kg is None or self.height_cm is None:
            return None
        return round(self.weight_kg / (self.height_cm / 100.0) ** 2, 1)

    @classmethod
    def parse(
        cls, values: Mapping[str, float | None], measured_at: datetime | None, now: datetime, prefix: str = "vitals"
    ) -> Result[Vitals | None, DomainError]:
        """Vitals from raw values by field name (``temperature_f`` is converted to
        ``temperature_c``); no value at all is no vitals (None). ``measured_at`` defaults
        to ``now`` and cannot be in the future."""
        issues: list[FieldIssue] = []
        raw = dict(values)
        fahrenheit = raw.pop("temperature_f", None)
        if fahrenheit is not None:
            if raw.get("temperature_c") is not None:
                issues.append(
                    FieldIssue(f"{prefix}.temperature_f", "Give the temperature in degC or in degF, not both.")
                )
            elif not math.isfinite(fahrenheit):
                issues.append(FieldIssue(f"{prefix}.temperature_f", "Use a number."))
            else:
                raw["temperature_c"] = fahrenheit_to_celsius(fahrenheit)
        unknown = sorted(set(raw) - set(VITAL_FIELDS))
        issues.extend(FieldIssue(f"{prefix}.{name}", "Not a vital sign.") for name in unknown)
        kept: dict[str, float] = {}
        for sign in VITAL_SIGNS:
            value = raw.get(sign.field)
            if value is None:
                continue
            if not _in_range(sign, float(value)):
                source = "temperature_f" if sign.field == "temperature_c" and fahrenheit is not None else sign.field
                issues.append(FieldIssue(f"{prefix}.{source}", range_message(sign)))
            else:
                kept[sign.field] = float(value)
        flagged = {issue.field for issue in issues}
        if not flagged & {f"{prefix}.systolic_mmhg", f"{prefix}.diastolic_mmhg"}:  # one problem at a time
            issues.extend(
                FieldIssue(f"{prefix}.{name}", message)
                for name, message in _pressure_issues(kept.get("systolic_mmhg"), kept.get("diastolic_mmhg"))
            )
        instant = measured_at or now
        if instant.tzinfo is None:
            issues.append(FieldIssue(f"{prefix}.measured_at", "Give the instant with its offset (Z or +01:00)."))
        elif instant > now + CLOCK_TOLERANCE:
            issues.append(FieldIssue(f"{prefix}.measured_at", "Vitals cannot be taken in the future."))
        elif instant < EARLIEST_RECORD:
            issues.append(FieldIssue(f"{prefix}.measured_at", "Use an instant after 1900-01-01."))
        if issues:
            return Failure(invalid("validation_failed", "Some vital signs are not valid.", *issues))
        if not kept:
            return Success(None)
        return Success(cls(**kept, measured_at=instant))

    def merged(
        self, changes: Mapping[str, float | None], measured_at: datetime | None, now: datetime
    ) -> Result[Vitals | None, DomainError]:
        """These vitals with ``changes`` applied (None clears a value); the instant stays
        unless a new one is given."""
        current: dict[str, float | None] = dict(self.values())
        if "temperature_f" in changes and changes["temperature_f"] is not None:
            current.pop("temperature_c", None)
        current.update(changes)
        return Vitals.parse(current, measured_at or self.measured_at, now)

    def snapshot(self) -> dict[str, float | str | None]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "measured_at"} | {
            "measured_at": self.measured_at.isoformat()
        }


def _pressure_issues(systolic: float | None, diastolic: float | None) -> list[tuple[str, str]]:
    if (systolic is None) != (diastolic is None):
        missing = "diastolic_mmhg" if diastolic is None else "systolic_mmhg"
        return [(missing, "Blood pressure needs both the systolic and the diastolic value.")]
    if systolic is not None and diastolic is not None and systolic <= diastolic:
        return [("systolic_mmhg", "The systolic pressure must be above the diastolic one.")]
    return []
