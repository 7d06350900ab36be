"""Successful answers of every patient endpoint match the OpenAPI schema (the fuzzer of
``test_schemathesis`` mostly reaches the refusals)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import schemathesis

from tests.integration.test_schemathesis import (  # noqa: F401 - fixtures
    Owner,
    Script,
    _node_id_for_schemathesis,
    api,
    owner,
)


def test_successful_patient_answers_match_the_schema(api: schemathesis.BaseSchema, owner: Owner) -> None:  # noqa: F811
    call = Script(api, owner.access_token)
    record = call(
        "POST",
        "/api/v1/patients",
        201,
        body={
            "given_name": "Jean",
            "family_name": "Dupont",
            "birth_date": "1968-04-12",
            "sex": "male",
            "email": "jean@example.test",
            "phone": "+33 6 12 34 56 78",
            "address": {"line1": "1 rue de la Paix", "city": "Paris", "country": "FR", "postal_code": "75002"},
            "preferred_language": "fr",
            "time_zone": "Europe/Paris",
        },
    )
    patient = {"patient_id": record["id"]}
    call("GET", "/api/v1/patients", 200, query={"q": "dupont", "sort": "-birth_date", "limit": 5})
    call("GET", "/api/v1/patients/{patient_id}", 200, path_parameters=patient)
    call("PATCH", "/api/v1/patients/{patient_id}", 200, path_parameters=patient, body={"address": None})
    call("GET", "/api/v1/patients/me", 404)  # an owner has no patient record

    measured_at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    entries = {
        "allergies": ({"substance": "Penicillin", "code": "J01C", "severity": "severe"}, "resolved"),
        "conditions": ({"code": "I10", "onset": "2015-03-02"}, "inactive"),
        "medications": ({"code": "C09AA05", "dose": "5 mg"}, "stopped"),
        "measurements": (
            {"kind": "weight", "value": 82.5, "unit": "kg", "measured_at": measured_at},
            "entered_in_error",
        ),
    }
    for kind, (body, end) in entries.items():
        entry = call("POST", f"/api/v1/patients/{{patient_id}}/{kind}", 201, path_parameters=patient, body=body)
        one = {**patient, "entry_id": entry["id"]}
        call("GET", f"/api/v1/patients/{{patient_id}}/{kind}", 200, path_parameters=patient)
        call("GET", f"/api/v1/patients/{{patient_id}}/{kind}/{{entry_id}}", 200, path_parameters=one)
        ended = call(
            "POST",
            f"/api/v1/patients/{{patient_id}}/{kind}/{{entry_id}}/end",
            200,
            path_parameters=one,
            body={"status": end, "reason": "Reviewed"},
        )
        assert ended["status"] == end

    history = call("GET", "/api/v1/patients/{patient_id}/history", 200, path_parameters=patient)
    assert len(history["items"]) == 10
    call("DELETE", "/api/v1/patients/{patient_id}", 204, path_parameters=patient)
    call("GET", "/api/v1/patients/{patient_id}", 404, path_parameters=patient)
