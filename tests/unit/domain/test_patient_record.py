"""The patient record and its medical history: changes report exactly what changed, entries
end only along their lifecycle and keep what was recorded, measurements are plausible in
their units, and the facts other contexts read (active allergies, latest weight) are right."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.audit.entry import ActorType
from medcore.domain.patients.codes import AtcCode, Icd10Code
from medcore.domain.patients.history import (
    ENTRY_ALREADY_ENDED,
    LIFECYCLES,
    Allergy,
    Condition,
    EntryKind,
    EntryStatus,
    Measurement,
    MedicalHistory,
    Medication,
)
from medcore.domain.patients.measurements import PATIENT_RECORDABLE, SCALES, MeasurementKind, Quantity
from medcore.domain.patients.patient import DEMOGRAPHIC_FIELDS, KEEP, Patient, PatientChanges
from medcore.domain.patients.values import ContactChannel, Sex
from medcore.domain.shared.errors import ErrorKind

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ORG = UUID(int=1)
PATIENT = UUID(int=2)
STAFF = UUID(int=3)
_ids = iter(range(100, 10**9))


def common(status: EntryStatus, **overrides: Any) -> dict[str, Any]:
    return {
        "id": UUID(int=next(_ids)),
        "organization_id": ORG,
        "patient_id": PATIENT,
        "status": status,
        "recorded_by_type": ActorType.USER,
        "recorded_by": STAFF,
        "created_at": NOW,
        "updated_at": NOW,
        **overrides,
    }


def allergy(status: EntryStatus = EntryStatus.ACTIVE, code: str | None = "J01C") -> Allergy:
    return Allergy(**common(status), substance="Penicillin", code=AtcCode(code) if code else None)


def condition(status: EntryStatus = EntryStatus.ACTIVE, code: str = "I10") -> Condition:
    return Condition(**common(status), code=Icd10Code(code))


def medication(status: EntryStatus = EntryStatus.ACTIVE) -> Medication:
    return Medication(**common(status), code=AtcCode("C09AA05"), name="Ramipril")


def measurement(
    kind: MeasurementKind = MeasurementKind.WEIGHT,
    value: float = 80.0,
    unit: str = "kg",
    at: datetime = NOW,
    status: EntryStatus = EntryStatus.RECORDED,
) -> Measurement:
    return Measurement(**common(status), quantity=Quantity(kind, value, unit), measured_at=at)


def entry_of(kind: EntryKind, status: EntryStatus) -> Allergy | Condition | Medication | Measurement:
    return {
        EntryKind.ALLERGY: allergy,
        EntryKind.CONDITION: condition,
        EntryKind.MEDICATION: medication,
        EntryKind.MEASUREMENT: lambda s: measurement(status=s),
    }[kind](status)


def a_patient(**overrides: Any) -> Patient:
    values: dict[str, Any] = {
        "id": PATIENT,
        "organization_id": ORG,
        "mrn": "MRN-000001",
        "given_name": "Jean",
        "family_name": "Dupont",
        "birth_date": date(1968, 4, 12),
        "now": NOW,
        "email": "jean@example.org",
        **overrides,
    }
    registered = Patient.register(**values)
    assert isinstance(registered, Success), registered
    return registered.unwrap()


# --- the record -------------------------------------------------------------------------


def test_a_new_record_is_reached_by_email_if_it_has_one_else_by_sms_else_not_at_all() -> None:
    assert a_patient().preferred_channel is ContactChannel.EMAIL
    assert a_patient(email=None, phone="+33612345678").preferred_channel is ContactChannel.SMS
    assert a_patient(email=None).preferred_channel is ContactChannel.NONE


def test_a_channel_without_its_contact_is_refused() -> None:
    refused = Patient.register(
        id=PATIENT,
        organization_id=ORG,
        mrn="A1",
        given_name="A",
        family_name="B",
        birth_date=date(2000, 1, 1),
        now=NOW,
        preferred_channel=ContactChannel.SMS,
    )

    assert isinstance(refused, Failure)
    assert [i.field for i in refused.failure().fields] == ["preferred_channel"]


changes = st.fixed_dictionaries(
    {},
    optional={
        "given_name": st.sampled_from(["Jean", "Paul"]),
        "family_name": st.sampled_from(["Dupont", "Durand"]),
        "birth_date": st.sampled_from([date(1968, 4, 12), date(1970, 1, 1)]),
        "sex": st.sampled_from(list(Sex)),
        "email": st.sampled_from(["jean@example.org", "other@example.org"]),
        "phone": st.sampled_from([None, "+33612345678"]),
        "preferred_language": st.sampled_from([None, "fr", "en-GB"]),
        "mrn": st.sampled_from(["MRN-000001", "X-9"]),
        "user_id": st.sampled_from([None, UUID(int=9)]),
    },
)


@given(changes)
def test_a_change_reports_exactly_the_fields_whose_value_differs(given_values: dict[str, Any]) -> None:
    patient = a_patient()
    before = {name: getattr(patient, name) for name in DEMOGRAPHIC_FIELDS}

    result = patient.change(PatientChanges(**given_values), NOW + timedelta(hours=1))

    assert isinstance(result, Success)
    changed = result.unwrap()
    assert set(changed) == {name for name, v in given_values.items() if before[name] != v}
    assert all(getattr(patient, name) == given_values.get(name, before[name]) for name in DEMOGRAPHIC_FIELDS)
    assert patient.updated_at == (NOW + timedelta(hours=1) if changed else NOW)


def test_removing_the_email_of_a_patient_reached_by_email_is_refused_and_changes_nothing() -> None:
    patient = a_patient()

    refused = patient.change(PatientChanges(email=None), NOW)
    accepted = patient.change(PatientChanges(email=None, preferred_channel=ContactChannel.NONE), NOW)

    assert isinstance(refused, Failure)
    assert refused.failure().fields[0].field == "preferred_channel"
    assert accepted == Success(("email", "preferred_channel"))
    assert patient.email is None


def test_every_changeable_field_is_named_in_the_changes() -> None:
    assert {f.name for f in fields(PatientChanges)} == set(DEMOGRAPHIC_FIELDS)
    assert PatientChanges().given() == {}
    assert PatientChanges(email=None, sex=KEEP).given() == {"email": None}


def test_a_deleted_record_changes_no_more() -> None:
    patient = a_patient()

    assert patient.delete(NOW) == Success(None)
    assert patient.deleted_at == NOW
    assert isinstance(patient.delete(NOW), Failure)
    assert isinstance(patient.change(PatientChanges(given_name="Paul"), NOW), Failure)
    assert patient.snapshot()["deleted_at"] == NOW.isoformat()


def test_the_snapshot_holds_the_whole_record_as_json_values() -> None:
    snapshot = a_patient(user_id=UUID(int=9)).snapshot()

    assert snapshot["birth_date"] == "1968-04-12"
    assert snapshot["user_id"] == str(UUID(int=9))
    assert snapshot["preferred_channel"] == "email"
    assert set(DEMOGRAPHIC_FIELDS) <= set(snapshot)


# --- entries: lifecycle -----------------------------------------------------------------


@given(st.sampled_from(list(EntryKind)), st.data())
def test_an_entry_ends_only_along_its_lifecycle_and_keeps_what_was_recorded(
    kind: EntryKind, data: st.DataObject
) -> None:
    lifecycle = LIFECYCLES[kind]
    start = data.draw(st.sampled_from(sorted(lifecycle.all)))
    target = data.draw(st.sampled_from(list(EntryStatus)))
    entry = entry_of(kind, start)
    recorded = {k: v for k, v in entry.snapshot().items() if k not in ("status", "ended_at", "ended_by", "end_reason")}

    result = entry.end(target, reason="typo", by=STAFF, now=NOW + timedelta(days=1))

    allowed = target in lifecycle.ends and (
        start is lifecycle.current or (target is EntryStatus.ENTERED_IN_ERROR and start is not target)
    )
    if allowed:
        assert result == Success(("status", "ended_at", "ended_by", "end_reason"))
        assert entry.status is target
        assert entry.ended_at == NOW + timedelta(days=1)
        assert entry.ended_by == STAFF
        assert not entry.in_force
    else:
        assert isinstance(result, Failure)
        assert entry.status is start
        expected = ErrorKind.INVALID if target not in lifecycle.ends else ErrorKind.CONFLICT
        assert result.failure().kind is expected
    assert {k: v for k, v in entry.snapshot().items() if k in recorded} == recorded


def test_ending_an_ended_entry_is_a_conflict_but_it_may_still_be_marked_entered_in_error() -> None:
    stopped = medication()
    assert isinstance(stopped.end(EntryStatus.STOPPED, reason="Cough", by=STAFF, now=NOW), Success)
    later = NOW + timedelta(hours=1)

    assert stopped.end(EntryStatus.STOPPED, reason=None, by=STAFF, now=later) == Failure(ENTRY_ALREADY_ENDED)
    assert stopped.end(EntryStatus.ENTERED_IN_ERROR, reason=None, by=STAFF, now=later) == Success(
        ("status", "ended_at", "end_reason")
    )
    assert stopped.end(EntryStatus.ENTERED_IN_ERROR, reason=None, by=STAFF, now=later) == Failure(ENTRY_ALREADY_ENDED)
    assert (stopped.ended_at, stopped.end_reason) == (later, None)


def test_entries_refuse_a_status_of_another_kind_and_incomplete_content() -> None:
    with pytest.raises(ValueError):
        allergy(EntryStatus.STOPPED)
    with pytest.raises(ValueError):
        measurement(status=EntryStatus.ACTIVE)
    with pytest.raises(ValueError):
        Medication(**common(EntryStatus.ACTIVE))  # neither code nor name
    with pytest.raises(ValueError):
        Medication(**common(EntryStatus.ACTIVE), code=AtcCode("C09A"))  # a class, not a substance
    with pytest.raises(ValueError):
        Measurement(**common(EntryStatus.RECORDED), quantity=Quantity(MeasurementKind.WEIGHT, 80, "kg"),
                    measured_at=datetime(2026, 1, 1))  # fmt: skip


def test_recorded_fields_name_what_an_entry_was_recorded_with() -> None:
    assert allergy().recorded_fields() == ("status", "substance", "code", "severity")
    assert allergy(code=None).recorded_fields() == ("status", "substance", "severity")


# --- measurements -----------------------------------------------------------------------


@given(st.sampled_from(list(MeasurementKind)), st.data())
def test_a_value_is_plausible_in_one_unit_exactly_when_it_is_in_the_canonical_one(
    kind: MeasurementKind, data: st.DataObject
) -> None:
    scale = SCALES[kind]
    unit = data.draw(st.sampled_from(sorted(scale.units)))
    value = data.draw(st.floats(-1000, 5000, allow_nan=False))
    canonical = scale.to_canonical(value, unit)

    parsed = Quantity.parse(kind, value, unit)

    assert isinstance(parsed, Success) == (scale.minimum <= canonical <= scale.maximum)
    if isinstance(parsed, Success):
        assert parsed.unwrap().canonical_value == pytest.approx(canonical)
        assert parsed.unwrap().canonical_unit == scale.canonical_unit


@pytest.mark.parametrize(
    ("kind", "value", "unit", "canonical"),
    [
        (MeasurementKind.WEIGHT, 176.37, "lb", 80.0),
        (MeasurementKind.WEIGHT, 3500, "g", 3.5),
        (MeasurementKind.HEIGHT, 1.78, "m", 178.0),
        (MeasurementKind.HEIGHT, 70, "in", 177.8),
        (MeasurementKind.TEMPERATURE, 98.6, "degF", 37.0),
        (MeasurementKind.GLUCOSE, 90.08, "mg/dL", 5.0),
    ],
)
def test_units_convert_to_the_canonical_unit(kind: MeasurementKind, value: float, unit: str, canonical: float) -> None:
    assert Quantity(kind, value, unit).canonical_value == pytest.approx(canonical, abs=0.01)


def test_a_unit_of_another_kind_and_values_that_are_not_numbers_are_refused() -> None:
    wrong_unit = Quantity.parse(MeasurementKind.WEIGHT, 80, "cm")
    infinite = Quantity.parse(MeasurementKind.WEIGHT, float("inf"), "kg")

    assert isinstance(wrong_unit, Failure)
    assert wrong_unit.failure().fields[0].field == "unit"
    assert "kg" in wrong_unit.failure().fields[0].message
    assert isinstance(infinite, Failure)
    assert infinite.failure().fields[0].field == "value"


def test_patients_record_what_is_measured_at_home_only() -> None:
    assert MeasurementKind.WEIGHT in PATIENT_RECORDABLE
    assert MeasurementKind.BLOOD_PRESSURE_SYSTOLIC in PATIENT_RECORDABLE
    assert MeasurementKind.EGFR not in PATIENT_RECORDABLE
    assert MeasurementKind.RESPIRATORY_RATE not in PATIENT_RECORDABLE


# --- what other contexts read -----------------------------------------------------------


def test_the_history_answers_what_is_active_and_the_latest_standing_measurement() -> None:
    resolved = allergy(EntryStatus.RESOLVED)
    active = allergy()
    stopped = medication(EntryStatus.STOPPED)
    taken = medication()
    old = measurement(value=90, at=NOW - timedelta(days=60))
    recent = measurement(value=82, at=NOW - timedelta(days=7))
    wrong = measurement(value=28, at=NOW - timedelta(days=1), status=EntryStatus.ENTERED_IN_ERROR)
    height = measurement(MeasurementKind.HEIGHT, 178, "cm")

    history = MedicalHistory.of([resolved, active, stopped, taken, old, wrong, recent, height, condition()])

    assert history.active_allergies() == (active,)
    assert history.active_medications() == (taken,)
    assert history.latest(MeasurementKind.WEIGHT) == recent
    assert history.latest(MeasurementKind.HEIGHT) == height
    assert history.latest(MeasurementKind.EGFR) is None
    assert [c.code.value for c in history.active_conditions()] == ["I10"]
    assert not history.pregnant
    assert MedicalHistory.of([condition(code="Z34.0")]).pregnant
    assert not MedicalHistory.of([condition(EntryStatus.RESOLVED, code="Z34.0")]).pregnant
