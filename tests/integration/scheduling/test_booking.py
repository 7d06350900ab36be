"""POST /api/v1/appointments: what is booked, every conflict named (409), every rule break
with its own code (422), overrides, and what a patient account may book."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from tests.integration.helpers import audit_events
from tests.integration.scheduling.support import Clinic, iso, paris, utc

TUESDAY = (2027, 3, 16)  # the day after the pinned Monday


def tuesday(hour: int, minute: int = 0) -> Any:
    return paris(*TUESDAY, hour, minute)


def conflicts_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "appointment.conflict"
    conflicts: list[dict[str, Any]] = body["conflicts"]
    return conflicts


async def test_a_booking_answers_201_with_the_appointment_in_utc_its_location_and_etag(clinic: Clinic) -> None:
    response = await clinic.book(tuesday(9, 0), reason="Persistent cough", room_id=clinic.room["id"])

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "confirmed"  # staff bookings are confirmed
    assert body["starts_at"] == "2027-03-16T08:00:00Z"  # 09:00 in Paris (UTC+1)
    assert body["ends_at"] == "2027-03-16T08:30:00Z"
    assert body["duration_minutes"] == 30
    assert body["room_id"] == clinic.room["id"]
    assert response.headers["location"] == f"/api/v1/appointments/{body['id']}"
    assert response.headers["etag"] == '"1"'
    fetched = await clinic.get(response.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert fetched.headers["etag"] == '"1"'


async def test_the_length_comes_from_ends_at_duration_minutes_or_the_appointment_type(clinic: Clinic) -> None:
    by_end = await clinic.booked(tuesday(9, 0), ends_at=iso(tuesday(9, 15)))
    by_minutes = await clinic.booked(tuesday(10, 0), duration_minutes=45)
    by_type = await clinic.booked(tuesday(11, 0), appointment_type_id=clinic.appointment_type["id"])
    typed_and_sized = await clinic.booked(
        tuesday(14, 0), appointment_type_id=clinic.appointment_type["id"], duration_minutes=40
    )

    assert [b["duration_minutes"] for b in (by_end, by_minutes, by_type, typed_and_sized)] == [15, 45, 20, 40]
    assert utc(by_type["ends_at"]) - utc(by_type["starts_at"]) == timedelta(minutes=20)
    assert by_type["appointment_type_id"] == clinic.appointment_type["id"]
    neither = await clinic.post(
        "/api/v1/appointments",
        {
            "practitioner_id": clinic.practitioner["id"],
            "patient_id": clinic.patient["id"],
            "starts_at": iso(tuesday(15)),
        },
    )
    assert neither.status_code == 422
    both = await clinic.book(tuesday(15), ends_at=iso(tuesday(15, 30)), duration_minutes=30)
    assert both.status_code == 422


async def test_a_practitioner_conflict_names_the_appointment_and_counts_the_buffer_after_it(clinic: Clinic) -> None:
    first = await clinic.booked(tuesday(9, 0))  # 09:00-09:30, then the practitioner's 10-minute buffer
    other = await clinic.add_patient(given_name="Anne", email="anne@example.test")

    overlapping = await clinic.book(tuesday(9, 15), patient_id=other["id"])
    in_the_buffer = await clinic.book(tuesday(9, 30), patient_id=other["id"])
    just_before = await clinic.book(tuesday(8, 30), patient_id=other["id"], override_reason="Early start")

    expected = [
        {
            "kind": "practitioner",
            "appointment_id": first["id"],
            "starts_at": first["starts_at"],
            "ends_at": first["ends_at"],
        }
    ]
    assert conflicts_of(overlapping) == expected
    assert conflicts_of(in_the_buffer) == expected
    # 08:30-09:00 plus its own 10-minute buffer runs into 09:00.
    assert conflicts_of(just_before) == expected
    after_the_buffer = await clinic.book(tuesday(9, 40), patient_id=other["id"])
    assert after_the_buffer.status_code == 201, after_the_buffer.text


async def test_back_to_back_appointments_do_not_conflict(clinic: Clinic) -> None:
    no_buffer = await clinic.add_practitioner(given_name="Hugo", family_name="Bernard", buffer_minutes=0)
    other = await clinic.add_patient(given_name="Anne", email="anne@example.test")

    await clinic.booked(tuesday(9, 0), practitioner_id=no_buffer["id"], room_id=clinic.room["id"])
    # Same practitioner, another patient, starting when the first ends.
    await clinic.booked(tuesday(9, 30), practitioner_id=no_buffer["id"], patient_id=other["id"])
    # Same patient and room, another practitioner, ending when the first starts.
    await clinic.booked(tuesday(8, 30), room_id=clinic.room["id"], override_reason="Before opening")
    # Same patient, right after, with the buffered practitioner.
    await clinic.booked(tuesday(9, 30), duration_minutes=30)


async def test_a_patient_conflict_and_a_room_conflict_are_named(clinic: Clinic) -> None:
    bernard = await clinic.add_practitioner(given_name="Hugo", family_name="Bernard", buffer_minutes=0)
    other = await clinic.add_patient(given_name="Anne", email="anne@example.test")
    first = await clinic.booked(tuesday(10, 0), room_id=clinic.room["id"])

    same_patient = await clinic.book(tuesday(10, 15), practitioner_id=bernard["id"])
    same_room = await clinic.book(
        tuesday(10, 15), practitioner_id=bernard["id"], patient_id=other["id"], room_id=clinic.room["id"]
    )
    everything = await clinic.book(tuesday(10, 15), room_id=clinic.room["id"])

    assert [(c["kind"], c["appointment_id"]) for c in conflicts_of(same_patient)] == [("patient", first["id"])]
    assert [(c["kind"], c["appointment_id"]) for c in conflicts_of(same_room)] == [("room", first["id"])]
    assert sorted(c["kind"] for c in conflicts_of(everything)) == ["patient", "practitioner", "room"]
    assert all(c["starts_at"] == first["starts_at"] for c in conflicts_of(everything))


async def test_outside_working_hours_in_time_off_or_on_a_holiday_is_an_availability_conflict(clinic: Clinic) -> None:
    lunch = await clinic.book(tuesday(12, 30))
    overlapping_lunch = await clinic.book(tuesday(12, 15))
    saturday = await clinic.book(paris(2027, 3, 20, 10))
    time_off = await clinic.post(
        f"/api/v1/practitioners/{clinic.practitioner['id']}/time-off",
        {"starts_at": iso(paris(2027, 3, 17, 9)), "ends_at": iso(paris(2027, 3, 17, 12, 30)), "reason": "Training"},
    )
    assert time_off.status_code == 201, time_off.text
    during_time_off = await clinic.book(paris(2027, 3, 17, 10))
    holiday = await clinic.post("/api/v1/holidays", {"day": "2027-03-18", "name": "Clinic closed"})
    assert holiday.status_code == 201, holiday.text
    on_holiday = await clinic.book(paris(2027, 3, 18, 10))

    for response, start in (
        (lunch, tuesday(12, 30)),
        (overlapping_lunch, tuesday(12, 15)),
        (saturday, paris(2027, 3, 20, 10)),
        (during_time_off, paris(2027, 3, 17, 10)),
        (on_holiday, paris(2027, 3, 18, 10)),
    ):
        [conflict] = conflicts_of(response)
        assert conflict["kind"] == "availability"
        assert utc(conflict["starts_at"]) == start
        assert "appointment_id" not in conflict
    # The afternoon of the time-off day is free again.
    assert (await clinic.book(paris(2027, 3, 17, 14))).status_code == 201


async def test_the_daily_capacity_is_a_conflict(clinic: Clinic) -> None:
    limited = await clinic.add_practitioner(given_name="Hugo", family_name="Bernard", daily_capacity=2)
    patients = [await clinic.add_patient(given_name=f"P{i}", email=f"p{i}@example.test") for i in range(3)]
    for hour, patient in zip((9, 10), patients, strict=False):
        await clinic.booked(tuesday(hour), practitioner_id=limited["id"], patient_id=patient["id"])

    third = await clinic.book(tuesday(11), practitioner_id=limited["id"], patient_id=patients[2]["id"])
    next_day = await clinic.book(paris(2027, 3, 17, 11), practitioner_id=limited["id"], patient_id=patients[2]["id"])

    [conflict] = conflicts_of(third)
    assert conflict["kind"] == "capacity"
    assert next_day.status_code == 201


async def test_rule_breaks_that_are_not_conflicts_are_422_with_their_own_codes(clinic: Clinic) -> None:
    typed = {"appointment_type_id": clinic.appointment_type["id"]}  # 10 to 60 minutes
    cases = {
        "appointment.in_past": await clinic.book(paris(2027, 3, 15, 6, 30)),
        "appointment.beyond_horizon": await clinic.book(paris(2027, 9, 13, 10)),  # 182 days ahead
        "appointment.granularity": await clinic.book(tuesday(9, 3)),
        "appointment.invalid_duration": await clinic.book(tuesday(9), duration_minutes=5, **typed),
    }
    too_long = await clinic.book(tuesday(9), duration_minutes=90, **typed)
    odd_length = await clinic.book(tuesday(9), duration_minutes=17)

    for code, response in cases.items():
        assert response.status_code == 422, (code, response.text)
        assert response.json()["code"] == code
        assert response.json()["errors"], code
    assert too_long.json()["code"] == "appointment.invalid_duration"
    assert odd_length.json()["code"] == "appointment.granularity"
    assert (await clinic.get("/api/v1/appointments")).json()["items"] == []


async def test_the_minimum_notice_binds_patients_only(clinic: Clinic) -> None:
    # The clock reads 07:00: 09:00 is less than the 2-hour notice away.
    mine = await clinic.book(paris(2027, 3, 15, 9), token=clinic.patient_token, patient_id=None)
    staff = await clinic.book(paris(2027, 3, 15, 9))
    later = await clinic.book(paris(2027, 3, 15, 10), token=clinic.patient_token, patient_id=None)

    assert mine.status_code == 422
    assert mine.json()["code"] == "appointment.too_short_notice"
    assert staff.status_code == 201, staff.text
    assert later.status_code == 201, later.text


async def test_staff_with_override_book_outside_availability_and_it_is_audited(
    clinic: Clinic, db: SavepointDatabase
) -> None:
    without_reason = await clinic.book(tuesday(19), token=clinic.reception)
    booked = await clinic.booked(tuesday(19), token=clinic.reception, override_reason="Urgent, after hours")
    nurse = await clinic.staff("nurse")
    by_nurse = await clinic.book(paris(2027, 3, 17, 19), token=nurse, override_reason="Urgent")
    by_patient = await clinic.book(
        paris(2027, 3, 17, 19), token=clinic.patient_token, patient_id=None, override_reason="Please"
    )

    assert conflicts_of(without_reason)[0]["kind"] == "availability"
    assert booked["override_reason"] == "Urgent, after hours"
    assert by_nurse.status_code == 403  # nurses lack appointments:override
    assert by_patient.status_code == 403
    assert by_patient.json()["code"] == "appointment.override_not_allowed"
    [created] = [e for e in await audit_events(db, clinic.organization_id) if e["action"] == "appointment.create"]
    assert created["resource_id"] is not None and str(created["resource_id"]) == booked["id"]
    assert created["details"]["override"] is True
    assert str(created["patient_id"]) == clinic.patient["id"]
    # The override does not lift the other rules: a clash is still a conflict.
    clash = await clinic.book(tuesday(19), token=clinic.reception, override_reason="Again")
    assert conflicts_of(clash)[0]["kind"] == "practitioner"


async def test_a_patient_books_only_for_itself_and_its_bookings_are_requested(clinic: Clinic) -> None:
    own = await clinic.booked(tuesday(10), token=clinic.patient_token, patient_id=None)
    explicit = await clinic.booked(tuesday(11), token=clinic.patient_token, patient_id=clinic.own_record["id"])
    for_another = await clinic.book(tuesday(14), token=clinic.patient_token, patient_id=clinic.patient["id"])
    unknown_practitioner = await clinic.book(
        tuesday(14), token=clinic.patient_token, patient_id=None, practitioner_id="01900000-0000-7000-8000-000000000000"
    )

    assert own["patient_id"] == clinic.own_record["id"]
    assert own["status"] == explicit["status"] == "requested"
    assert own["booked_by_patient"] is True
    assert for_another.status_code == 404
    assert unknown_practitioner.status_code == 404
    staff_without_patient = await clinic.book(tuesday(15), patient_id=None)
    assert staff_without_patient.status_code == 422


async def test_unknown_references_are_404(clinic: Clinic) -> None:
    nobody = "01900000-0000-7000-8000-000000000000"
    for fields in (
        {"patient_id": nobody},
        {"practitioner_id": nobody},
        {"room_id": nobody},
        {"appointment_type_id": nobody},
    ):
        response = await clinic.book(tuesday(9), **fields)
        assert response.status_code == 404, (fields, response.text)


async def test_naive_or_malformed_times_are_refused_with_422(clinic: Clinic) -> None:
    naive = await clinic.post(
        "/api/v1/appointments",
        {
            "practitioner_id": clinic.practitioner["id"],
            "patient_id": clinic.patient["id"],
            "starts_at": "2027-03-16T09:00:00",
            "duration_minutes": 30,
        },
    )
    assert naive.status_code == 422, naive.text
