"""Body measurements: the kinds medcore records, their units, and what values are plausible.

Each kind has a canonical unit (weight in kg, height in cm ...) into which the other units
convert, so that rules (a dose per kilogram, an eGFR threshold) read one unit only.
Pregnancy is not a measurement: it is a condition (ICD-10 Z33-Z35, O00-O48).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, field_invalid


class MeasurementKind(enum.StrEnum):
    WEIGHT = "weight"
    HEIGHT = "height"
    BLOOD_PRESSURE_SYSTOLIC = "blood_pressure_systolic"
    BLOOD_PRESSURE_DIASTOLIC = "blood_pressure_diastolic"
    HEART_RATE = "heart_rate"
    RESPIRATORY_RATE = "respiratory_rate"
    TEMPERATURE = "temperature"
    GLUCOSE = "glucose"
    SPO2 = "spo2"
    EGFR = "egfr"


@dataclass(frozen=True, slots=True)
class _Unit:
    factor: float  # canonical = (value + offset) * factor
    offset: float = 0.0


@dataclass(frozen=True, slots=True)
class MeasurementScale:
    canonical_unit: str
    units: Mapping[str, _Unit]
    minimum: float  # plausible range, in the canonical unit, both ends included
    maximum: float
    patient_recordable: bool  # a patient may record it from home (scales, cuffs, meters)

    def to_canonical(self, value: float, unit: str) -> float:
        conversion = self.units[unit]
        return (value + conversion.offset) * conversion.factor


_ONE = _Unit(1.0)

SCALES: Mapping[MeasurementKind, MeasurementScale] = {
    MeasurementKind.WEIGHT: MeasurementScale(
        "kg", {"kg": _ONE, "g": _Unit(0.001), "lb": _Unit(0.45359237)}, 0.2, 700.0, True
    ),
    MeasurementKind.HEIGHT: MeasurementScale(
        "cm", {"cm": _ONE, "m": _Unit(100.0), "in": _Unit(2.54)}, 20.0, 280.0, True
    ),
    MeasurementKind.BLOOD_PRESSURE_SYSTOLIC: MeasurementScale("mmHg", {"mmHg": _ONE}, 40.0, 300.0, True),
    MeasurementKind.BLOOD_PRESSURE_DIASTOLIC: MeasurementScale("mmHg", {"mmHg": _ONE}, 10.0, 200.0, True),
    MeasurementKind.HEART_RATE: MeasurementScale("/min", {"/min": _ONE, "bpm": _ONE}, 10.0, 350.0, True),
    MeasurementKind.RESPIRATORY_RATE: MeasurementScale("/min", {"/min": _ONE}, 1.0, 150.0, False),
    MeasurementKind.TEMPERATURE: MeasurementScale(
        "degC", {"degC": _ONE, "degF": _Unit(5.0 / 9.0, -32.0)}, 25.0, 46.0, True
    ),
    MeasurementKind.GLUCOSE: MeasurementScale(
        "mmol/L", {"mmol/L": _ONE, "mg/dL": _Unit(1.0 / 18.016)}, 0.5, 100.0, True
    ),
    MeasurementKind.SPO2: MeasurementScale("%", {"%": _ONE}, 30.0, 100.0, True),
    MeasurementKind.EGFR: MeasurementScale("mL/min/1.73m2", {"mL/min/1.73m2": _ONE}, 1.0, 250.0, False),
}

PATIENT_RECORDABLE = frozenset(kind for kind, scale in SCALES.items() if scale.patient_recordable)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A plausible value of a kind, in one of the kind's units."""

    kind: MeasurementKind
    value: float
    unit: str

    def __post_init__(self) -> None:
        scale = SCALES[self.kind]
        if self.unit not in scale.units:
            raise ValueError("unit not allowed for this kind")
        if (
            not math.isfinite(self.value)
            or not scale.minimum <= scale.to_canonical(self.value, self.unit) <= scale.maximum
        ):
            raise ValueError("implausible value")

    @classmethod
    def parse(cls, kind: MeasurementKind, value: float, unit: str) -> Result[Quantity, DomainError]:
        scale = SCALES[kind]
        if unit not in scale.units:
            return Failure(field_invalid("unit", f"For {kind.value} use one of: {', '.join(scale.units)}."))
        if not math.isfinite(value):
            return Failure(field_invalid("value", "Use a number."))
        canonical = scale.to_canonical(value, unit)
        if not scale.minimum <= canonical <= scale.maximum:
            return Failure(
                field_invalid(
                    "value",
                    f"This {kind.value} is not plausible: expected {scale.minimum:g} to "
                    f"{scale.maximum:g} {scale.canonical_unit} (or the same in another unit).",
                )
            )
        return Success(cls(kind, value, unit))

    @property
    def canonical_value(self) -> float:
        return SCALES[self.kind].to_canonical(self.value, self.unit)

    @property
    def canonical_unit(self) -> str:
        return SCALES[self.kind].canonical_unit
