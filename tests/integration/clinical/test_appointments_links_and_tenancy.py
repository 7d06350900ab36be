"""Consultations opened for an appointment, prescriptions linked to a consultation, and
tenancy: another organization's ids answer exactly as unknown ones."""

from __future__ import annotations

import uuid
from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.clinical.support import Ward, open_ward
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, audit_events
from tests.integration.scheduling.support import paris, utc


async def completed_appointment(ward: Ward, hour: int = 10) -> dict[str, Any]:
    clinic = ward.clinic
    appointment = await clinic.booked(paris(2027, 3, 15, hour), practitioner_id=ward.doctor["id"], reason="Cough")
    await ward.later(hours=hour - 6)  # from 07:00 to an hour after the start
    for step in ("check-in", "start", "complete"):
        response = await clinic.transition(appointment["id"], step)
        assert response.status_code == 200, response.text
    return appointment


async def test_a_completed_appointment_opens_its_consultation(ward: Ward, db: SavepointDatabase) -> None:
    template = await ward.template()
    appointment = await completed_appointment(ward)

    opened = await ward.post(
        f"/api/v1/appointments/{appointment['id']}/consultation", {"template_id": template["id"]}, ward.nurse_token
    )
    twice = await ward.post(f"/api/v1/appointments/{appointment['id']}/consultation")
    through_the_list = await ward.post("/api/v1/consultations", {"appointment_id": appointment["id"]})

    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert (body["patient_id"], body["practitioner_id"], body["appointment_id"]) == (
        ward.patient["id"],
        ward.doctor["id"],
        appointment["id"],
    )
    assert utc(body["started_at"]) == utc(appointment["starts_at"])
    assert body["reason"] == "Cough"  # the appointment's
    assert body["template_id"] == template["id"]
    assert (twice.status_code, twice.json()["code"]) == (409, "consultation.appointment_taken")
    assert twice.json()["consultation_id"] == body["id"]
    assert through_the_list.status_code == 409
    by_appointment = await ward.get("/api/v1/consultations", appointment_id=appointment["id"])
    assert [c["id"] for c in by_appointment.json()["items"]] == [body["id"]]


async def test_an_appointment_not_held_has_no_consultation(ward: Ward) -> None:
    clinic = ward.clinic
    cancelled = await clinic.booked(paris(2027, 3, 15, 11), practitioner_id=ward.doctor["id"])
    await clinic.transition(cancelled["id"], "cancel", reason="patient_request")
    upcoming = await clinic.booked(paris(2027, 3, 16, 11), practitioner_id=ward.doctor["id"])

    refused = await ward.post(f"/api/v1/appointments/{cancelled['id']}/consultation")
    unknown = await ward.post(f"/api/v1/appointments/{uuid.uuid4()}/consultation")
    mismatch = await ward.post(
        "/api/v1/consultations", {"appointment_id": upcoming["id"], "patient_id": clinic.own_record["id"]}
    )
    early = await ward.post(f"/api/v1/appointments/{upcoming['id']}/consultation")

    assert (refused.status_code, refused.json()["code"]) == (409, "consultation.appointment_not_held")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "appointment.not_found")
    assert [e["field"] for e in mismatch.json()["errors"]] == ["patient_id"]
    assert early.status_code == 201  # prepared ahead: it starts now, not in the future
    assert utc(early.json()["started_at"]) == utc(early.json()["created_at"])


async def prescription(ward: Ward, patient_id: str) -> dict[str, Any]:
    response = await ward.post(
        "/api/v1/prescriptions",
        {
            "patient_id": patient_id,
            "prescriber_id": ward.doctor["id"],
            "items": [
                {
                    "medication_code": "N02BE01",
                    "dose_amount": 500,
                    "dose_unit": "mg",
                    "route": "oral",
                    "frequency_per_day": 3,
                    "duration_days": 5,
                    "quantity": 15,
                }
            ],
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_consultation_links_its_patients_prescriptions_only(ward: Ward) -> None:
    own = await prescription(ward, ward.patient["id"])
    someone_elses = await prescription(ward, ward.clinic.own_record["id"])
    draft = await ward.consult(prescription_ids=[own["id"]])

    refused = await ward.patch(
        f"/api/v1/consultations/{draft['id']}",
        {"prescription_ids": [own["id"], someone_elses["id"], str(uuid.uuid4())]},
    )
    cleared = await ward.patch(f"/api/v1/consultations/{draft['id']}", {"prescription_ids": []})

    assert draft["prescription_ids"] == [own["id"]]
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["prescription_ids.1", "prescription_ids.2"]
    assert cleared.json()["prescription_ids"] == []


async def test_another_organizations_ids_answer_as_unknown_ones(
    ward: Ward, client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase
) -> None:
    theirs = await open_ward(client, container, clock)
    their_template = await theirs.template()
    their_draft = await theirs.consult()
    their_signed = await theirs.signed(notes={"plan": "x"})
    their_reminder = await theirs.post(
        f"/api/v1/patients/{theirs.patient['id']}/health-reminders",
        {"text": "Take your tablets", "times": ["08:00"], "starts_on": "2027-03-15"},
    )
    assert their_reminder.status_code == 201
    before = len(await audit_events(db, theirs.clinic.organization_id))
    patient = theirs.patient["id"]
    reminder_path = f"/api/v1/patients/{patient}/health-reminders/{{}}"
    new_reminder = {"text": "x", "times": ["08:00"], "starts_on": "2027-03-15"}
    # (method, path with {} for the id, body, their id)
    probes: list[tuple[str, str, Any, str]] = [
        ("GET", "/api/v1/consultations/{}", None, their_draft["id"]),
        ("PATCH", "/api/v1/consultations/{}", {"reason": "x"}, their_draft["id"]),
        ("POST", "/api/v1/consultations/{}/sign", {}, their_draft["id"]),
        ("POST", "/api/v1/consultations/{}/addenda", {"text": "x"}, their_signed["id"]),
        ("GET", "/api/v1/consultation-templates/{}", None, their_template["id"]),
        ("PATCH", "/api/v1/consultation-templates/{}", {"name": "Mine now"}, their_template["id"]),
        ("POST", "/api/v1/consultations", {"patient_id": "{}", "practitioner_id": ward.doctor["id"]}, patient),
        (
            "POST",
            "/api/v1/consultations",
            {"patient_id": ward.patient["id"], "practitioner_id": ward.doctor["id"], "template_id": "{}"},
            their_template["id"],
        ),
        ("GET", "/api/v1/patients/{}/metrics?kind=weight", None, patient),
        ("GET", "/api/v1/patients/{}/health-reminders", None, patient),
        ("POST", "/api/v1/patients/{}/health-reminders", new_reminder, patient),
        ("GET", reminder_path, None, their_reminder.json()["id"]),
        ("DELETE", reminder_path, None, their_reminder.json()["id"]),
    ]

    async def answer(method: str, path: str, body: Any, target: str) -> tuple[int, str]:
        filled = {k: (v.format(target) if isinstance(v, str) else v) for k, v in body.items()} if body else body
        response = await client.request(
            method, path.format(target), json=filled, headers={"Authorization": f"Bearer {ward.owner}"}
        )
        return response.status_code, response.json()["code"]

    for method, path, body, their_id in probes:
        theirs_answer = await answer(method, path, body, their_id)
        random_answer = await answer(method, path, body, str(uuid.uuid4()))
        assert theirs_answer == random_answer, (method, path)
        assert theirs_answer[0] == 404, (method, path, theirs_answer)
    listed = await ward.get("/api/v1/consultations", token=ward.owner)
    assert their_draft["id"] not in {c["id"] for c in listed.json()["items"]}
    templates = await ward.get("/api/v1/consultation-templates", token=ward.owner)
    assert their_template["id"] not in {t["id"] for t in templates.json()["items"]}
    assert len(await audit_events(db, theirs.clinic.organization_id)) == before  # nothing of theirs was touched
    unchanged = await theirs.get(f"/api/v1/consultations/{their_draft['id']}")
    assert unchanged.json()["reason"] is None and unchanged.json()["version"] == 1
