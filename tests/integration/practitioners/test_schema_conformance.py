"""Successful answers of the practitioners and resources endpoints match the OpenAPI schema
(the fuzzer of test_schemathesis rarely gets past validation to reach them), for staff and
for a patient's directory view."""

from __future__ import annotations

import schemathesis

from tests.integration.test_schemathesis import PASSWORD, Owner, Script, api, owner

__all__ = ["api", "owner"]  # fixtures


def test_successful_answers_match_the_schema(api: schemathesis.BaseSchema, owner: Owner) -> None:
    call = Script(api, owner.access_token)
    account = call(
        "POST",
        "/api/v1/users",
        201,
        body={
            "email": "dr@fuzzed.test",
            "role": "practitioner",
            "given_name": "C",
            "family_name": "M",
            "password": PASSWORD,
        },
    )
    practitioner = call(
        "POST",
        "/api/v1/practitioners",
        201,
        body={
            "given_name": "Claire",
            "family_name": "Martin",
            "time_zone": "Europe/Paris",
            "user_id": account["id"],
            "specialties": ["general_practice"],
            "licence_number": "RPPS 1",
            "licence_expires_on": "2030-12-31",
            "can_prescribe": True,
            "controlled_substances": True,
            "buffer_minutes": 10,
            "daily_capacity": 20,
            "working_hours": [{"weekday": 1, "start": "09:00", "end": "12:30"}],
        },
    )
    by_id = {"practitioner_id": practitioner["id"]}
    call("GET", "/api/v1/practitioners/{practitioner_id}", 200, path_parameters=by_id)
    call("GET", "/api/v1/practitioners", 200, query={"q": "mar", "specialty": "general_practice", "active": "true"})
    call(
        "PATCH",
        "/api/v1/practitioners/{practitioner_id}",
        200,
        path_parameters=by_id,
        body={"daily_capacity": None, "licence_expires_on": None},
    )
    call(
        "PUT",
        "/api/v1/practitioners/{practitioner_id}/working-hours",
        200,
        path_parameters=by_id,
        body={"rules": [{"weekday": 2, "start": "14:00", "end": "24:00"}]},
    )
    call("GET", "/api/v1/practitioners/{practitioner_id}/working-hours", 200, path_parameters=by_id)
    time_off = call(
        "POST",
        "/api/v1/practitioners/{practitioner_id}/time-off",
        201,
        path_parameters=by_id,
        body={"starts_at": "2026-07-01T00:00:00+02:00", "ends_at": "2026-07-15T00:00:00+02:00", "reason": "Leave"},
    )
    call("GET", "/api/v1/practitioners/{practitioner_id}/time-off", 200, path_parameters=by_id)
    call(
        "GET",
        "/api/v1/practitioners/{practitioner_id}/time-off/{time_off_id}",
        200,
        path_parameters={**by_id, "time_off_id": time_off["id"]},
    )
    call(
        "DELETE",
        "/api/v1/practitioners/{practitioner_id}/time-off/{time_off_id}",
        204,
        path_parameters={**by_id, "time_off_id": time_off["id"]},
    )

    holiday = call("POST", "/api/v1/holidays", 201, body={"day": "2026-12-25", "name": "Christmas"})
    call("GET", "/api/v1/holidays", 200, query={"from": "2026-01-01", "to": "2026-12-31"})
    call("GET", "/api/v1/holidays/{holiday_id}", 200, path_parameters={"holiday_id": holiday["id"]})
    call("DELETE", "/api/v1/holidays/{holiday_id}", 204, path_parameters={"holiday_id": holiday["id"]})

    room = call("POST", "/api/v1/rooms", 201, body={"name": "ECG", "kind": "equipment"})
    call("GET", "/api/v1/rooms", 200, query={"kind": "equipment"})
    call("GET", "/api/v1/rooms/{room_id}", 200, path_parameters={"room_id": room["id"]})
    call("PATCH", "/api/v1/rooms/{room_id}", 200, path_parameters={"room_id": room["id"]}, body={"active": False})

    kind = call("POST", "/api/v1/appointment-types", 201, body={"name": "Consultation", "default_minutes": 20})
    by_type = {"appointment_type_id": kind["id"]}
    call("GET", "/api/v1/appointment-types", 200, query={"sort": "-default_minutes"})
    call("GET", "/api/v1/appointment-types/{appointment_type_id}", 200, path_parameters=by_type)
    call(
        "PATCH",
        "/api/v1/appointment-types/{appointment_type_id}",
        200,
        path_parameters=by_type,
        body={"colour": "#112233"},
    )

    # A patient's directory view leaves the professional details out; it must match too.
    call(
        "POST",
        "/api/v1/users",
        201,
        body={
            "email": "pat@fuzzed.test",
            "role": "patient",
            "given_name": "P",
            "family_name": "P",
            "password": PASSWORD,
        },
    )
    patient = call(
        "POST",
        "/api/v1/auth/login",
        200,
        body={"organization": "fuzzed", "email": "pat@fuzzed.test", "password": PASSWORD},
        public=True,
    )["access_token"]
    entry = call("GET", "/api/v1/practitioners/{practitioner_id}", 200, path_parameters=by_id, token=patient)
    assert "licence_number" not in entry
    call("GET", "/api/v1/practitioners", 200, token=patient)
    call("GET", "/api/v1/practitioners/{practitioner_id}/time-off", 403, path_parameters=by_id, token=patient)
