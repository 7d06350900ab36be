"""Dose units and conversions (mg, g, mcg; units and ml only to themselves)."""

from __future__ import annotations

_MASS_IN_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001, "microgram": 0.001, "ug": 0.001}
UNITS = frozenset({"mg", "g", "mcg", "ml", "unit", "drop", "puff", "tablet", "capsule"})


def convert(amount: float, unit: str, target: str) -> float | None:
    """``amount`` of ``unit`` expressed in ``target``, or None when they do not convert."""
    unit, target = unit.lower(), target.lower()
    if unit == target:
        return amount
    if unit in _MASS_IN_MG and target in _MASS_IN_MG:
        return amount * _MASS_IN_MG[unit] / _MASS_IN_MG[target]
    if {unit, target} <= {"unit", "units"}:
        return amount
    return None
