"""Successful answers of every clinical endpoint match the OpenAPI schema (the fuzzer of
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


def test_successful_clinical_answers_match_the_schema(api: schemathesis.BaseSchema, owner: Owner) -> None:  # noqa: F811
    call = Script(api, owner.access_token)
    record = call(
        "POST",
        "/api/v1/patients",
        201,
        body={
            "given_name": "Jean",
            "family_name": "Dupont",
            "birth_date": "1968-04-12",
            "email": "jean@example.test",
            "time_zone": "Europe/Paris",
        },
    )
    patient = {"patient_id": record["id"]}
    doctor = call(
        "POST",
        "/api/v1/practitioners",
        201,
        body={"given_name": "Claire", "family_name": "Martin", "time_zone": "Europe/Paris"},
    )
    template = call(
        "POST",
        "/api/v1/consultation-templates",
        201,
        body={
            "name": "General consultation",
            "description": "SOAP",
            "sections": [{"key": "subjective", "required": True}, {"key": "plan", "default_text": "Rest"}],
        },
    )
    one_template = {"template_id": template["id"]}
    call("GET", "/api/v1/consultation-templates", 200, query={"active": "true", "sort": "-created_at"})
    call("GET", "/api/v1/consultation-templates/{template_id}", 200, path_parameters=one_template)
    call(
        "PATCH",
        "/api/v1/consultation-templates/{template_id}",
        200,
        path_parameters=one_template,
        body={"description": None},
    )

    taken = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()
    draft = call(
        "POST",
        "/api/v1/consultations",
        201,
        body={
            "patient_id": record["id"],
            "practitioner_id": doctor["id"],
            "template_id": template["id"],
            "reason": "Cough",
            "notes": {"subjective": "Cough for three days"},
            "vitals": {"systolic_mmhg": 128, "diastolic_mmhg": 82, "temperature_f": 99.1, "measured_at": taken},
            "diagnoses": [{"code": "J20.9", "text": "Acute bronchitis"}],
        },
    )
    consultation = {"consultation_id": draft["id"]}
    call(
        "PATCH",
        "/api/v1/consultations/{consultation_id}",
        200,
        path_parameters=consultation,
        body={"vitals": {"weight_kg": 80.5}, "reason": None},
    )
    call("GET", "/api/v1/consultations", 200, query={"patient_id": record["id"], "status": "draft", "limit": 5})
    signed = call("POST", "/api/v1/consultations/{consultation_id}/sign", 200, path_parameters=consultation)
    assert signed["status"] == "signed"
    call(
        "POST",
        "/api/v1/consultations/{consultation_id}/addenda",
        201,
        path_parameters=consultation,
        body={"text": "Chest X-ray normal."},
    )
    read = call("GET", "/api/v1/consultations/{consultation_id}", 200, path_parameters=consultation)
    assert len(read["addenda"]) == 1

    starts = (datetime.now(UTC) + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    appointment = call(
        "POST",
        "/api/v1/appointments",
        201,
        body={
            "practitioner_id": doctor["id"],
            "patient_id": record["id"],
            "starts_at": starts.isoformat(),
            "duration_minutes": 20,
            "override_reason": "Outside the practitioner's hours for the test",
        },
    )
    call(
        "POST",
        "/api/v1/appointments/{appointment_id}/consultation",
        201,
        path_parameters={"appointment_id": appointment["id"]},
        body={"reason": "Follow-up"},
    )

    metrics = call(
        "GET", "/api/v1/patients/{patient_id}/metrics", 200, path_parameters=patient, query={"kind": "temperature"}
    )
    assert metrics["summary"]["count"] == 1
    call(
        "GET",
        "/api/v1/patients/{patient_id}/metrics",
        200,
        path_parameters=patient,
        query={"kind": "weight", "bucket": "month", "from": "2026-01-01T00:00:00Z"},
    )
    reminder = call(
        "POST",
        "/api/v1/patients/{patient_id}/health-reminders",
        201,
        path_parameters=patient,
        body={"text": "Inhaler", "times": ["08:00", "20:00"], "days": [1, 2], "starts_on": "2026-01-01"},
    )
    one_reminder = {**patient, "reminder_id": reminder["id"]}
    call("GET", "/api/v1/patients/{patient_id}/health-reminders", 200, path_parameters=patient)
    call("GET", "/api/v1/patients/{patient_id}/health-reminders/{reminder_id}", 200, path_parameters=one_reminder)
    call("DELETE", "/api/v1/patients/{patient_id}/health-reminders/{reminder_id}", 204, path_parameters=one_reminder)
