"""Prescription items in plain language, as a patient and a pharmacist read them:
"Amoxicillin 500 mg by mouth three times a day for 7 days; quantity 21; no refill"."""

from __future__ import annotations

from collections.abc import Mapping

from medcore.domain.prescribing.prescription import ROUTES, Frequency, FrequencyKind, PrescriptionItem

# How a sentence says each route a prescription may name.
ROUTE_PHRASES: Mapping[str, str] = {
    "oral": "by mouth",
    "sublingual": "under the tongue",
    "inhaled": "by inhalation",
    "subcutaneous": "by injection under the skin",
    "intramuscular": "by injection into a muscle",
    "intravenous": "by injection into a vein",
    "topical": "on the skin",
    "rectal": "rectally",
    "vaginal": "vaginally",
    "nasal": "in the nose",
    "ophthalmic": "in the eye",
    "transdermal": "as a skin patch",
}
assert frozenset(ROUTE_PHRASES) == ROUTES, "every route has its phrase"

# Units that take a plural ("2 tablets"); mg, g, mcg and ml do not.
_PLURAL_UNITS = {"unit": "units", "drop": "drops", "puff": "puffs", "tablet": "tablets", "capsule": "capsules"}
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def number(value: float) -> str:
    """``3.0`` -> ``3``, ``2.5`` -> ``2.5``."""
    return str(int(value)) if value == int(value) else f"{value:g}"


def _times(value: float) -> str:
    if value == 1:
        return "once"
    if value == 2:
        return "twice"
    if value == int(value) and int(value) in _WORDS:
        return f"{_WORDS[int(value)]} times"
    return f"{number(value)} times"


def frequency_phrase(frequency: Frequency) -> str:
    if frequency.kind is FrequencyKind.TIMES_PER_DAY:
        return f"{_times(frequency.value)} a day"
    if frequency.kind is FrequencyKind.INTERVAL_HOURS:
        return "every hour" if frequency.value == 1 else f"every {number(frequency.value)} hours"
    return f"when needed, at most {_times(frequency.value)} a day"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def describe_item(item: PrescriptionItem, medication_name: str) -> str:
    """One sentence for one item. ``medication_name`` is the formulary's name (or the code
    when the formulary does not know it)."""
    name = medication_name[:1].upper() + medication_name[1:]
    route = ROUTE_PHRASES.get(item.route, f"by the {item.route} route")
    refills = "no refill" if item.refills == 0 else _plural(item.refills, "refill", "refills")
    unit = item.dose_unit if item.dose_amount == 1 else _PLURAL_UNITS.get(item.dose_unit, item.dose_unit)
    sentence = (
        f"{name} {number(item.dose_amount)} {unit} {route} {frequency_phrase(item.frequency)} "
        f"for {_plural(item.duration_days, 'day', 'days')}; quantity {item.quantity}; {refills}"
    )
    if item.instructions:
        sentence += f". {item.instructions.strip()}"
    return sentence
