"""Consultation templates through the HTTP API."""

from __future__ import annotations

import uuid

from medcore.adapters.postgres.database import SavepointDatabase
from tests.integration.clinical.support import Ward
from tests.integration.helpers import audit_events


async def test_create_read_list_and_change_a_template(ward: Ward, db: SavepointDatabase) -> None:
    created = await ward.post(
        "/api/v1/consultation-templates",
        {
            "name": "Diabetes review",
            "description": "Yearly review",
            "sections": [
                {"key": "subjective", "required": True},
                {"key": "foot_exam", "title": "Foot examination", "default_text": "Pulses present.\r\nSensation: "},
            ],
        },
        ward.nurse_token,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    path = f"/api/v1/consultation-templates/{body['id']}"
    assert created.headers["location"] == path and created.headers["etag"] == '"1"'
    assert body["sections"] == [
        {"key": "subjective", "title": "Subjective", "default_text": "", "required": True},
        {
            "key": "foot_exam",
            "title": "Foot examination",
            "default_text": "Pulses present.\nSensation:",
            "required": False,
        },
    ]
    await ward.template(name="Asthma review")

    fetched = await ward.get(path)
    listed = await ward.get("/api/v1/consultation-templates")
    changed = await ward.patch(path, {"active": False, "name": "Diabetes review (old)"}, **{"If-Match": '"1"'})
    stale = await ward.patch(path, {"description": None}, **{"If-Match": '"1"'})
    active = await ward.get("/api/v1/consultation-templates", active="true")

    assert fetched.json() == body and fetched.headers["etag"] == '"1"'
    assert [t["name"] for t in listed.json()["items"]] == ["Asthma review", "Diabetes review"]
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert changed.headers["etag"] == '"2"'
    assert stale.status_code == 412
    assert [t["name"] for t in active.json()["items"]] == ["Asthma review"]
    retired = await ward.post("/api/v1/consultations", {"patient_id": ward.patient["id"], "template_id": body["id"]})
    assert (retired.status_code, retired.json()["code"]) == (409, "consultation_template.inactive")
    events = [
        e
        for e in await audit_events(db, ward.clinic.organization_id)
        if e["action"].startswith("consultation_template")
    ]
    assert [e["action"] for e in events] == [
        "consultation_template.create",
        "consultation_template.create",
        "consultation_template.update",
    ]
    assert events[2]["details"] == {"fields": "name,active"}


async def test_names_are_unique_and_sections_valid(ward: Ward) -> None:
    await ward.template(name="General consultation")

    taken = await ward.post(
        "/api/v1/consultation-templates", {"name": "general  CONSULTATION", "sections": [{"key": "plan"}]}
    )
    bad = await ward.post(
        "/api/v1/consultation-templates",
        {"name": " ", "sections": [{"key": "plan"}, {"key": "PLAN"}, {"key": "1st"}]},
    )
    empty = await ward.post("/api/v1/consultation-templates", {"name": "Empty", "sections": []})
    unknown_field = await ward.post(
        "/api/v1/consultation-templates", {"name": "X", "sections": [{"key": "plan", "mandatory": True}]}
    )

    assert (taken.status_code, taken.json()["code"]) == (409, "consultation_template.name_taken")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["name", "sections.1.key", "sections.2.key"]
    assert [e["field"] for e in empty.json()["errors"]] == ["sections"]
    assert unknown_field.status_code == 422


async def test_templates_need_consultation_permissions(ward: Ward) -> None:
    template = await ward.template()

    desk_list = await ward.get("/api/v1/consultation-templates", ward.clinic.reception)
    patient_read = await ward.get(f"/api/v1/consultation-templates/{template['id']}", ward.clinic.patient_token)
    desk_create = await ward.post(
        "/api/v1/consultation-templates", {"name": "X", "sections": [{"key": "plan"}]}, ward.clinic.reception
    )
    unknown = await ward.get(f"/api/v1/consultation-templates/{uuid.uuid4()}")

    assert (desk_list.status_code, patient_read.status_code, desk_create.status_code) == (403, 403, 403)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "consultation_template.not_found")
