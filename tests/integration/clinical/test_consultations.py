"""Consultations through the HTTP API: drafts with notes, vitals and diagnoses; signature
by the author only, with required sections; immutability once signed; addenda; the
measurements signing adds to the history; lists; the audit of every read and change."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from medcore.adapters.postgres.clinical_tables import consultation_addenda, consultations
from medcore.adapters.postgres.database import SavepointDatabase
from tests.integration.clinical.support import SOAP, VITALS, Ward
from tests.integration.helpers import audit_events
from tests.integration.scheduling.support import NOW, utc

NOTES = {
    "subjective": "Headaches for two weeks, worse in the morning.",
    "objective": "BP high, fundi normal.",
    "assessment": "Uncontrolled hypertension.",
    "plan": "Increase ramipril; review in two weeks.",
}


async def events(ward: Ward, db: SavepointDatabase, action: str) -> list[dict[str, Any]]:
    return [e for e in await audit_events(db, ward.clinic.organization_id) if e["action"] == action]


async def test_a_draft_with_notes_vitals_and_diagnoses(ward: Ward, db: SavepointDatabase) -> None:
    response = await ward.post(
        "/api/v1/consultations",
        {
            "patient_id": ward.patient["id"],
            "reason": "Headaches",
            "notes": {"subjective": NOTES["subjective"]},
            "vitals": {**VITALS, "temperature_c": None},
            "diagnoses": [{"code": "i10", "text": "Essential hypertension"}, {"code": "R51"}],
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/consultations/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert (body["status"], body["practitioner_id"], body["patient_id"]) == (
        "draft",
        ward.doctor["id"],  # the author defaults to the practitioner linked to the account
        ward.patient["id"],
    )
    assert [s["key"] for s in body["sections"]] == SOAP
    assert body["sections"][0]["text"] == NOTES["subjective"]
    assert not any(s["required"] for s in body["sections"])
    assert body["vitals"]["systolic_mmhg"] == 142
    assert body["vitals"]["temperature_c"] is None
    assert body["vitals"]["bmi"] == 27.1
    assert utc(body["vitals"]["measured_at"]) == utc(body["started_at"])
    assert body["diagnoses"] == [{"code": "I10", "text": "Essential hypertension"}, {"code": "R51", "text": None}]
    assert body["signed_at"] is None and body["addenda"] == []
    assert body["created_by"]["type"] == "user"

    fetched = await ward.get(f"/api/v1/consultations/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == body
    [created] = await events(ward, db, "consultation.create")
    [read] = await events(ward, db, "consultation.read")
    for event in (created, read):
        assert (str(event["resource_id"]), str(event["patient_id"])) == (body["id"], ward.patient["id"])
    assert "Headaches" not in repr(created["details"]) and "142" not in repr(created["details"])


async def test_validation_names_each_field(ward: Ward) -> None:
    response = await ward.post(
        "/api/v1/consultations",
        {
            "patient_id": ward.patient["id"],
            "notes": {"history": "?"},
            "vitals": {"systolic_mmhg": 80, "diastolic_mmhg": 95, "spo2_percent": 140, "temperature_f": 212},
            "diagnoses": [{"code": "not-a-code"}, {"code": "I10"}, {"code": "i10"}],
        },
    )

    assert response.status_code == 422, response.text
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {
        "notes.history",
        "vitals.systolic_mmhg",
        "vitals.spo2_percent",
        "vitals.temperature_f",
        "diagnoses.0.code",
        "diagnoses.2.code",
    }
    half = await ward.post(
        "/api/v1/consultations", {"patient_id": ward.patient["id"], "vitals": {"systolic_mmhg": 120}}
    )
    assert [e["field"] for e in half.json()["errors"]] == ["vitals.diastolic_mmhg"]
    nobody = await ward.post("/api/v1/consultations", {})
    assert [e["field"] for e in nobody.json()["errors"]] == ["patient_id"]
    unlinked = await ward.post("/api/v1/consultations", {"patient_id": ward.patient["id"]}, ward.nurse_token)
    assert [e["field"] for e in unlinked.json()["errors"]] == ["practitioner_id"]  # a nurse names the author
    future = await ward.post(
        "/api/v1/consultations",
        {"patient_id": ward.patient["id"], "started_at": (NOW + timedelta(hours=2)).isoformat()},
    )
    assert [e["field"] for e in future.json()["errors"]] == ["started_at"]
    ancient = await ward.post(
        "/api/v1/consultations",
        {
            "patient_id": ward.patient["id"],
            "started_at": "0001-01-01T00:00:00+14:00",
            "vitals": {"weight_kg": 80, "measured_at": "0001-01-01T00:00:00+14:00"},
        },
    )
    assert [e["field"] for e in ancient.json()["errors"]] == ["started_at", "vitals.measured_at"]
    missing = await ward.post("/api/v1/consultations", {"patient_id": str(uuid.uuid4())})
    assert (missing.status_code, missing.json()["code"]) == (404, "patient.not_found")


async def test_fahrenheit_is_converted_and_a_nurse_drafts_for_a_practitioner(ward: Ward) -> None:
    draft = await ward.consult(
        ward.nurse_token, practitioner_id=ward.doctor["id"], vitals={"temperature_f": 101.3, "pulse_per_min": 96}
    )

    assert draft["practitioner_id"] == ward.doctor["id"]
    assert draft["vitals"]["temperature_c"] == 38.5
    assert draft["created_by"]["type"] == "user"


async def test_a_template_prefills_and_required_sections_stop_the_signature(ward: Ward, db: SavepointDatabase) -> None:
    template = await ward.template()
    draft = await ward.consult(template_id=template["id"], notes={"subjective": NOTES["subjective"]})
    assert [s["key"] for s in draft["sections"]] == [*SOAP, "family_history"]
    assert [s["text"] for s in draft["sections"]][1] == "Examination:"
    assert [s["required"] for s in draft["sections"]] == [True, False, True, True, False]
    assert draft["template_id"] == template["id"]

    refused = await ward.post(f"/api/v1/consultations/{draft['id']}/sign")

    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "consultation.required_sections_missing"
    assert [e["field"] for e in problem["errors"]] == ["sections.assessment", "sections.plan"]
    blank = await ward.patch(f"/api/v1/consultations/{draft['id']}", {"notes": {"assessment": "  \n "}})
    assert blank.status_code == 200
    still = await ward.post(f"/api/v1/consultations/{draft['id']}/sign")
    assert [e["field"] for e in still.json()["errors"]] == ["sections.assessment", "sections.plan"]
    filled = await ward.patch(
        f"/api/v1/consultations/{draft['id']}", {"notes": {"assessment": NOTES["assessment"], "plan": NOTES["plan"]}}
    )
    assert filled.status_code == 200, filled.text

    signed = await ward.post(f"/api/v1/consultations/{draft['id']}/sign")

    assert signed.status_code == 200, signed.text
    body = signed.json()
    assert body["status"] == "signed"
    assert body["signed_by"] is not None
    assert utc(body["signed_at"]) >= utc(body["created_at"])
    assert body["sections"][0]["text"] == NOTES["subjective"]  # the first PATCH merged, kept the rest
    # Changing the template later changes no consultation already opened from it.
    await ward.patch(
        f"/api/v1/consultation-templates/{template['id']}", {"sections": [{"key": "plan", "required": True}]}
    )
    again = await ward.get(f"/api/v1/consultations/{draft['id']}")
    assert [s["key"] for s in again.json()["sections"]] == [*SOAP, "family_history"]
    [event] = await events(ward, db, "consultation.sign")
    assert (str(event["resource_id"]), str(event["patient_id"])) == (draft["id"], ward.patient["id"])


async def test_a_signed_consultation_never_changes(ward: Ward, db: SavepointDatabase) -> None:
    signed = await ward.signed(notes=NOTES, vitals=VITALS, diagnoses=[{"code": "I10"}])
    path = f"/api/v1/consultations/{signed['id']}"

    changes = [
        {"reason": "Other"},
        {"notes": {"plan": "Something else"}},
        {"vitals": None},
        {"diagnoses": []},
        {"started_at": NOW.isoformat()},
        {},
    ]
    answers = [await ward.patch(path, change) for change in changes]
    again = await ward.post(f"{path}/sign")
    by_owner = await ward.patch(path, {"reason": "Other"}, ward.owner)

    assert {(a.status_code, a.json()["code"]) for a in answers} == {(409, "consultation.signed")}
    assert (again.status_code, again.json()["code"]) == (409, "consultation.signed")
    assert by_owner.status_code == 409
    after = (await ward.get(path)).json()
    assert after == signed


async def test_the_database_refuses_to_change_a_signed_consultation(ward: Ward, db: SavepointDatabase) -> None:
    signed = await ward.signed(notes=NOTES)
    draft = await ward.consult()
    await db.connection.execute(text("SAVEPOINT before_tampering"))

    with pytest.raises(IntegrityError) as refused:
        await db.connection.execute(
            update(consultations).where(consultations.c.id == uuid.UUID(signed["id"])).values(reason="tampered")
        )
    assert refused.value.orig.diag.constraint_name == "consultation_signed_frozen"  # type: ignore[union-attr]
    await db.connection.execute(text("ROLLBACK TO SAVEPOINT before_tampering"))
    # A draft changes freely; a signed one's version may move (an addendum) but nothing else.
    await db.connection.execute(
        update(consultations).where(consultations.c.id == uuid.UUID(draft["id"])).values(reason="fine")
    )
    await db.connection.execute(
        update(consultations)
        .where(consultations.c.id == uuid.UUID(signed["id"]))
        .values(version=consultations.c.version + 1)
    )
    added = await ward.post(f"/api/v1/consultations/{signed['id']}/addenda", {"text": "Later finding"})
    assert added.status_code == 201
    await db.connection.execute(text("SAVEPOINT before_rewriting"))
    with pytest.raises(IntegrityError):  # addenda are append-only
        await db.connection.execute(update(consultation_addenda).values(text="rewritten"))
    await db.connection.execute(text("ROLLBACK TO SAVEPOINT before_rewriting"))
    # The retention job, which anonymises records at the end of their period, says who it is.
    await db.connection.execute(text("SET LOCAL medcore.retention = 'on'"))
    await db.connection.execute(
        update(consultations).where(consultations.c.id == uuid.UUID(signed["id"])).values(reason=None)
    )
    await db.connection.execute(update(consultation_addenda).values(text="[removed]"))


async def test_only_the_author_or_an_owner_signs(ward: Ward, db: SavepointDatabase) -> None:
    draft = await ward.consult(notes=NOTES)
    path = f"/api/v1/consultations/{draft['id']}/sign"

    by_nurse = await ward.post(path, token=ward.nurse_token)
    by_colleague = await ward.post(path, token=ward.other_doctor_token)
    by_reception = await ward.post(path, token=ward.clinic.reception)
    by_owner = await ward.post(path, token=ward.owner)

    assert (by_nurse.status_code, by_nurse.json()["code"]) == (403, "permission_denied")
    assert (by_colleague.status_code, by_colleague.json()["code"]) == (403, "consultation.not_author")
    assert by_reception.status_code == 403
    assert by_owner.status_code == 200, by_owner.text
    denials = [e for e in await events(ward, db, "consultation.sign") if e["outcome"] == "denied"]
    assert len(denials) == 3
    assert any(
        e["details"].get("reason") == "not_author" and str(e["patient_id"]) == ward.patient["id"] for e in denials
    )


async def test_if_match_makes_changes_and_signatures_conditional(ward: Ward) -> None:
    draft = await ward.consult()
    path = f"/api/v1/consultations/{draft['id']}"

    changed = await ward.patch(path, {"reason": "Cough"}, **{"If-Match": '"1"'})
    stale = await ward.patch(path, {"reason": "Fever"}, **{"If-Match": '"1"'})
    stale_signature = await ward.post(f"{path}/sign", **{"If-Match": '"1"'})
    signed = await ward.post(f"{path}/sign", **{"If-Match": changed.headers["etag"]})

    assert (changed.status_code, changed.headers["etag"]) == (200, '"2"')
    assert stale.status_code == 412 and stale_signature.status_code == 412
    assert signed.status_code == 200 and signed.headers["etag"] == '"3"'
    assert signed.json()["reason"] == "Cough"


async def test_patch_merges_vitals_and_replaces_diagnoses(ward: Ward) -> None:
    draft = await ward.consult(vitals=VITALS, diagnoses=[{"code": "I10"}, {"code": "E11.9"}])
    path = f"/api/v1/consultations/{draft['id']}"

    merged = (await ward.patch(path, {"vitals": {"weight_kg": 82.5, "temperature_c": None}})).json()
    replaced = (await ward.patch(path, {"diagnoses": [{"code": "J20.9", "text": "Acute bronchitis"}]})).json()
    cleared = (await ward.patch(path, {"vitals": None, "reason": None})).json()

    assert merged["vitals"]["weight_kg"] == 82.5
    assert merged["vitals"]["temperature_c"] is None
    assert merged["vitals"]["systolic_mmhg"] == 142  # untouched
    assert replaced["diagnoses"] == [{"code": "J20.9", "text": "Acute bronchitis"}]
    assert cleared["vitals"] is None and cleared["reason"] is None


async def test_signing_records_the_vitals_in_the_medical_history(ward: Ward, db: SavepointDatabase) -> None:
    seen_at = NOW - timedelta(hours=1)
    signed = await ward.signed(notes=NOTES, vitals={**VITALS, "measured_at": seen_at.isoformat()})

    listed = await ward.get(f"/api/v1/patients/{ward.patient['id']}/measurements", limit=50)

    assert listed.status_code == 200
    by_kind = {m["kind"]: m for m in listed.json()["items"]}
    assert {k: (m["value"], m["unit"]) for k, m in by_kind.items()} == {
        "blood_pressure_systolic": (142, "mmHg"),
        "blood_pressure_diastolic": (88, "mmHg"),
        "heart_rate": (72, "/min"),
        "temperature": (36.8, "degC"),
        "weight": (84, "kg"),
        "height": (176, "cm"),
        "spo2": (98, "%"),
    }
    assert {utc(m["measured_at"]) for m in by_kind.values()} == {seen_at}
    assert not any(m["recorded_by_patient"] for m in by_kind.values())
    created = await events(ward, db, "measurement.create")
    assert len(created) == 7
    assert {e["details"]["consultation_id"] for e in created} == {signed["id"]}
    versions = await ward.get(f"/api/v1/patients/{ward.patient['id']}/history", limit=50)
    assert sum(1 for v in versions.json()["items"] if v["resource_type"] == "measurement") == 7
    # A draft's vitals are not in the history until signed.
    await ward.consult(vitals={"weight_kg": 90})
    again = await ward.get(f"/api/v1/patients/{ward.patient['id']}/measurements", kind="weight")
    assert [m["value"] for m in again.json()["items"]] == [84]


async def test_addenda_follow_a_signature_and_keep_the_original(ward: Ward, db: SavepointDatabase) -> None:
    draft = await ward.consult(notes=NOTES)
    too_early = await ward.post(f"/api/v1/consultations/{draft['id']}/addenda", {"text": "Correction"})
    signed = (await ward.post(f"/api/v1/consultations/{draft['id']}/sign")).json()

    first = await ward.post(
        f"/api/v1/consultations/{draft['id']}/addenda", {"text": "Potassium came back at 5.6 mmol/L."}
    )
    second = await ward.post(
        f"/api/v1/consultations/{draft['id']}/addenda", {"text": "Patient called: headache resolved."}, ward.nurse_token
    )
    empty = await ward.post(f"/api/v1/consultations/{draft['id']}/addenda", {"text": "   "})

    assert (too_early.status_code, too_early.json()["code"]) == (409, "consultation.draft")
    assert first.status_code == 201, first.text
    assert first.headers["location"] == f"/api/v1/consultations/{draft['id']}"
    assert first.json()["text"] == "Potassium came back at 5.6 mmol/L."
    assert second.status_code == 201 and empty.status_code == 422
    after = await ward.get(f"/api/v1/consultations/{draft['id']}")
    body = after.json()
    assert [a["text"] for a in body["addenda"]] == [
        "Potassium came back at 5.6 mmol/L.",
        "Patient called: headache resolved.",
    ]
    assert body["addenda"][1]["author"]["type"] == "user"
    original = {k: v for k, v in signed.items() if k not in ("addenda", "version", "updated_at")}
    assert {k: v for k, v in body.items() if k not in ("addenda", "version", "updated_at")} == original
    assert after.headers["etag"] == '"4"'  # each addendum moves the version on
    assert len(await events(ward, db, "consultation.addendum")) == 2
    rows = (await db.connection.execute(select(consultation_addenda.c.text))).all()
    assert len(rows) == 2


async def test_a_patient_sees_only_their_own_signed_consultations(ward: Ward, db: SavepointDatabase) -> None:
    clinic = ward.clinic
    own = clinic.own_record["id"]
    mine_signed = await ward.signed(patient_id=own, notes=NOTES)
    mine_draft = await ward.consult(patient_id=own)
    other_signed = await ward.signed(notes=NOTES)
    token = clinic.patient_token

    listed = await ward.get("/api/v1/consultations", token)
    drafts = await ward.get("/api/v1/consultations", token, status="draft")
    others = await ward.get("/api/v1/consultations", token, patient_id=ward.patient["id"])
    read = await ward.get(f"/api/v1/consultations/{mine_signed['id']}", token)
    draft = await ward.get(f"/api/v1/consultations/{mine_draft['id']}", token)
    other = await ward.get(f"/api/v1/consultations/{other_signed['id']}", token)
    change = await ward.patch(f"/api/v1/consultations/{mine_draft['id']}", {"reason": "x"}, token)
    create = await ward.post("/api/v1/consultations", {"patient_id": own}, token)

    assert [c["id"] for c in listed.json()["items"]] == [mine_signed["id"]]
    assert drafts.json()["items"] == [] and others.json()["items"] == []
    assert read.status_code == 200 and read.json()["sections"][0]["text"] == NOTES["subjective"]
    assert (draft.status_code, other.status_code) == (404, 404)
    same = ("status", "code", "title", "detail")
    assert [draft.json()[k] for k in same] == [other.json()[k] for k in same]  # a draft is as absent as a stranger's
    assert change.status_code == 403 and create.status_code == 403
    [event] = [e for e in await events(ward, db, "consultation.read") if e["outcome"] == "success"]
    assert event["details"] == {"status": "signed", "self": True}
    assert str(event["patient_id"]) == own


async def test_receptionists_do_not_read_consultations(ward: Ward, db: SavepointDatabase) -> None:
    draft = await ward.consult()

    listed = await ward.get("/api/v1/consultations", ward.clinic.reception)
    read = await ward.get(f"/api/v1/consultations/{draft['id']}", ward.clinic.reception)

    assert (listed.status_code, read.status_code) == (403, 403)
    denied = [e for e in await events(ward, db, "consultation.read") if e["outcome"] == "denied"]
    assert [str(e["resource_id"]) for e in denied] == [draft["id"]]


async def test_lists_filter_sort_and_page(ward: Ward, db: SavepointDatabase) -> None:
    second_patient = await ward.clinic.add_patient(given_name="Marie", email="marie@example.test")
    older = await ward.signed(notes=NOTES, started_at=(NOW - timedelta(days=3)).isoformat())
    middle = await ward.consult(patient_id=second_patient["id"], started_at=(NOW - timedelta(days=2)).isoformat())
    newest = await ward.consult(ward.other_doctor_token, started_at=(NOW - timedelta(days=1)).isoformat())

    everything = await ward.get("/api/v1/consultations")
    first_page = await ward.get("/api/v1/consultations", limit=2)
    second_page = await ward.get("/api/v1/consultations", limit=2, cursor=first_page.json()["page"]["next_cursor"])
    by_patient = await ward.get("/api/v1/consultations", patient_id=ward.patient["id"])
    by_practitioner = await ward.get("/api/v1/consultations", practitioner_id=ward.other_doctor["id"])
    signed = await ward.get("/api/v1/consultations", status="signed")
    window = await ward.get(
        "/api/v1/consultations",
        **{"from": (NOW - timedelta(days=2, hours=1)).isoformat(), "to": (NOW - timedelta(days=1)).isoformat()},
    )
    oldest_first = await ward.get("/api/v1/consultations", sort="started_at")
    unknown = await ward.get("/api/v1/consultations", colour="red")

    def ids(response: Any) -> list[str]:
        return [c["id"] for c in response.json()["items"]]

    assert ids(everything) == [newest["id"], middle["id"], older["id"]]
    assert everything.json()["page"]["total"] == 3
    assert ids(first_page) + ids(second_page) == ids(everything)
    assert second_page.json()["page"]["next_cursor"] is None
    assert ids(by_patient) == [newest["id"], older["id"]]
    assert ids(by_practitioner) == [newest["id"]]
    assert ids(signed) == [older["id"]]
    assert ids(window) == [middle["id"]]
    assert ids(oldest_first) == [older["id"], middle["id"], newest["id"]]
    assert unknown.status_code == 422
    # One audit event per patient on the page.
    first_list = (await events(ward, db, "consultation.list"))[:2]
    assert {(str(e["patient_id"]), e["details"]["count"]) for e in first_list} == {
        (ward.patient["id"], 2),
        (second_patient["id"], 1),
    }
