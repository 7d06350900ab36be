"""Vital signs: one unit each, plausible ranges (the medical history's), blood pressure as a
pair, degF converted, and merge semantics for updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.clinical.vitals import VITAL_SIGNS, Vitals, fahrenheit_to_celsius
from medcore.domain.patients.measurements import SCALES, Quantity

NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


def fields_of(result: object) -> list[str]:
    assert isinstance(result, Failure), result
    return [issue.field for issue in result.failure().fields]


def parsed(**values: float | None) -> Vitals:
    result = Vitals.parse(values, None, NOW)
    assert isinstance(result, Success), result
    vitals = result.unwrap()
    assert vitals is not None
    return vitals


@pytest.mark.parametrize("sign", [s for s in VITAL_SIGNS if not s.field.endswith("_mmhg")], ids=lambda s: s.field)
def test_each_vital_takes_its_plausible_range_both_ends_included(sign: object) -> None:
    scale = SCALES[sign.kind]  # type: ignore[attr-defined]
    field = sign.field  # type: ignore[attr-defined]

    assert getattr(parsed(**{field: scale.minimum}), field) == scale.minimum
    assert getattr(parsed(**{field: scale.maximum}), field) == scale.maximum
    for outside in (scale.minimum - 0.01, scale.maximum + 0.01, float("nan"), float("inf")):
        assert fields_of(Vitals.parse({field: outside}, None, NOW)) == [f"vitals.{field}"]


def test_blood_pressure_is_a_pair_with_the_systolic_above() -> None:
    assert (parsed(systolic_mmhg=120, diastolic_mmhg=80).systolic_mmhg, 80) == (120, 80)
    assert fields_of(Vitals.parse({"systolic_mmhg": 120}, None, NOW)) == ["vitals.diastolic_mmhg"]
    assert fields_of(Vitals.parse({"diastolic_mmhg": 80}, None, NOW)) == ["vitals.systolic_mmhg"]
    assert fields_of(Vitals.parse({"systolic_mmhg": 80, "diastolic_mmhg": 80}, None, NOW)) == ["vitals.systolic_mmhg"]
    assert fields_of(Vitals.parse({"systolic_mmhg": 400, "diastolic_mmhg": 80}, None, NOW)) == [
        "vitals.systolic_mmhg"  # implausible, and not reported again as missing from the pair
    ]


def test_fahrenheit_is_converted_to_celsius_and_checked_there() -> None:
    assert parsed(temperature_f=98.6).temperature_c == 37.0
    assert parsed(temperature_f=101.3).temperature_c == 38.5
    assert fahrenheit_to_celsius(32) == 0
    assert fields_of(Vitals.parse({"temperature_f": 212}, None, NOW)) == ["vitals.temperature_f"]
    assert fields_of(Vitals.parse({"temperature_f": 98.6, "temperature_c": 37}, None, NOW)) == ["vitals.temperature_f"]


def test_no_value_is_no_vitals_and_unknown_names_are_refused() -> None:
    assert Vitals.parse({}, None, NOW) == Success(None)
    assert Vitals.parse({"weight_kg": None}, None, NOW) == Success(None)
    assert fields_of(Vitals.parse({"glucose": 5.0}, None, NOW)) == ["vitals.glucose"]


def test_vitals_are_taken_now_or_at_a_given_past_instant() -> None:
    assert parsed(weight_kg=80).measured_at == NOW
    earlier = NOW - timedelta(hours=2)
    assert Vitals.parse({"weight_kg": 80}, earlier, NOW).unwrap().measured_at == earlier  # type: ignore[union-attr]
    assert fields_of(Vitals.parse({"weight_kg": 80}, NOW + timedelta(hours=1), NOW)) == ["vitals.measured_at"]
    assert Vitals.parse({"weight_kg": 80}, NOW + timedelta(minutes=4), NOW).unwrap() is not None  # a drifting clock
    assert fields_of(Vitals.parse({"weight_kg": 80}, datetime(2027, 3, 15, 8), NOW)) == ["vitals.measured_at"]
    ancient = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))  # would overflow in UTC
    assert fields_of(Vitals.parse({"weight_kg": 80}, ancient, NOW)) == ["vitals.measured_at"]


def test_merging_sets_clears_and_keeps() -> None:
    vitals = parsed(weight_kg=80, height_cm=180, temperature_c=37.2)

    merged = vitals.merged({"weight_kg": 81.5, "temperature_c": None}, None, NOW + timedelta(hours=1)).unwrap()
    cleared = vitals.merged({"weight_kg": None, "height_cm": None, "temperature_c": None}, None, NOW).unwrap()
    fahrenheit = vitals.merged({"temperature_f": 100.4}, None, NOW).unwrap()

    assert merged is not None and (merged.weight_kg, merged.height_cm, merged.temperature_c) == (81.5, 180, None)
    assert merged.measured_at == NOW  # kept unless a new instant is given
    assert cleared is None
    assert fahrenheit is not None and fahrenheit.temperature_c == 38.0


def test_bmi_needs_weight_and_height() -> None:
    assert parsed(weight_kg=84, height_cm=176).bmi == 27.1
    assert parsed(weight_kg=84).bmi is None


def test_the_constructor_refuses_what_parse_refuses() -> None:
    with pytest.raises(ValueError):
        Vitals(measured_at=NOW)
    with pytest.raises(ValueError):
        Vitals(weight_kg=0.01, measured_at=NOW)
    with pytest.raises(ValueError):
        Vitals(systolic_mmhg=120, measured_at=NOW)
    with pytest.raises(ValueError):
        Vitals(weight_kg=80, measured_at=datetime(2027, 3, 15))


def _in_range(sign: object) -> st.SearchStrategy[float]:
    scale = SCALES[sign.kind]  # type: ignore[attr-defined]
    return st.floats(min_value=scale.minimum, max_value=scale.maximum, allow_nan=False)


@given(
    values=st.fixed_dictionaries(
        {},
        optional={s.field: _in_range(s) for s in VITAL_SIGNS if not s.field.endswith("_mmhg")},
    ),
    pressure=st.none() | st.tuples(st.floats(40, 300), st.floats(10, 200)).filter(lambda p: p[0] > p[1]),
)
def test_plausible_vitals_always_parse_and_become_plausible_measurements(
    values: dict[str, float], pressure: tuple[float, float] | None
) -> None:
    if pressure is not None:
        values = {**values, "systolic_mmhg": pressure[0], "diastolic_mmhg": pressure[1]}

    result = Vitals.parse(values, None, NOW)

    assert isinstance(result, Success)
    vitals = result.unwrap()
    if not values:
        assert vitals is None
        return
    assert vitals is not None
    assert vitals.values() == values
    quantities = vitals.quantities()
    assert len(quantities) == len(values)
    for quantity in quantities:  # what signing records is accepted by the medical history
        assert isinstance(Quantity.parse(quantity.kind, quantity.value, quantity.unit), Success)
