"""Prescriptions over HTTP against PostgreSQL: the whole path from a draft to a verified
printout, immutability once signed, renewal, cancellation, dispensing by a pharmacy's API
key, who may see and do what, and the audit trail."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.helpers import Client, audit_events, bearer
from tests.integration.prescribing.support import Clinic, amoxicillin, finding_codes, ibuprofen, open_clinic

CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


@pytest.fixture
async def clinic(client: Client, container: Container, db: SavepointDatabase) -> Clinic:
    return await open_clinic(client, container)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


async def test_draft_findings_refusal_acknowledgement_signature_pdf_and_verification(
    clinic: Clinic, db: SavepointDatabase
) -> None:
    await clinic.record("medications", {"code": "B01AA03", "dose": "3 mg daily"})  # warfarin

    response = await clinic.draft(amoxicillin(), ibuprofen(instructions="Take with food."), notes="Otitis; sore ear.")
    assert response.status_code == 201, response.text
    draft = response.json()
    assert response.headers["location"] == f"/api/v1/prescriptions/{draft['id']}"
    assert response.headers["etag"] == '"1"'
    assert draft["status"] == "draft"
    assert finding_codes(draft["findings"]) == [("prescription.interaction", "warning", [1])]
    assert "warfarin" in draft["findings"][0]["message"]
    assert draft["items"][0]["medication_name"] == "amoxicillin"
    assert draft["items"][0]["description"] == (
        "Amoxicillin 500 mg by mouth three times a day for 7 days; quantity 21; no refill"
    )
    assert (draft["items"][1]["frequency_per_day"], draft["items"][1]["interval_hours"]) == (3, None)

    validated = await clinic.post(f"/api/v1/prescriptions/{draft['id']}/validate", token=clinic.nurse)
    assert validated.status_code == 200, validated.text
    assert validated.json() == {"findings": draft["findings"]}

    refused = await clinic.sign(draft["id"])
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "prescription.validation_failed"
    assert finding_codes(problem["findings"]) == [("prescription.interaction", "warning", [1])]

    signed = await clinic.sign(draft["id"], ("prescription.interaction", 1))
    assert signed.status_code == 200, signed.text
    prescription = signed.json()
    assert prescription["status"] == "signed"
    assert prescription["signed_at"].endswith("Z")
    assert prescription["valid_until"] is not None
    assert [(a["code"], a["item_index"], a["reason"]) for a in prescription["acknowledgements"]] == [
        ("prescription.interaction", 1, "Discussed and monitored.")
    ]
    assert "verification_hash" not in prescription

    pdf = await clinic.get(f"/api/v1/prescriptions/{draft['id']}/pdf")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    text = pdf_text(pdf.content)
    for expected in (
        "Claire Martin",
        "RPPS 10001234567",
        "Jean Dupont",
        "Born 12 April 1968",
        "Amoxicillin 500 mg by mouth three times a day for 7 days; quantity 21; no refill",
        "Ibuprofen 400 mg by mouth three times a day for 5 days; quantity 15; no refill. Take with food.",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    [code] = set(CODE.findall(text))
    assert f"http://localhost:8000/api/v1/prescriptions/verify/{code}" in text

    verified = await clinic.client.get(f"/api/v1/prescriptions/verify/{code.lower().replace('-', '')}")
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["prescription_id"] == draft["id"]
    assert (body["status"], body["valid"]) == ("signed", True)
    assert body["valid_until"] == prescription["valid_until"]
    assert body["prescriber"] == {"name": "Claire Martin", "licence_number": "RPPS 10001234567"}
    assert body["patient"] == {"initials": "J. D.", "birth_year": 1968}
    assert body["items"] == [item["description"] for item in prescription["items"]]
    assert "Dupont" not in verified.text and "Otitis" not in verified.text, "no more than needed"

    events = await audit_events(db, clinic.organization_id)
    trail = [(e["action"], e["outcome"]) for e in events if e["action"].startswith("prescription.")]
    assert trail == [
        ("prescription.create", "success"),
        ("prescription.validate", "success"),
        ("prescription.sign", "failure"),
        ("prescription.sign", "success"),
        ("prescription.print", "success"),
        ("prescription.verify", "success"),
    ]
    prescription_events = [e for e in events if e["action"].startswith("prescription.")]
    assert all(str(e["patient_id"]) == clinic.patient["id"] for e in prescription_events)
    assert all(str(e["resource_id"]) == draft["id"] for e in prescription_events)
    signature = prescription_events[3]
    assert signature["details"]["acknowledged"] == "prescription.interaction@1"
    verify_event = prescription_events[-1]
    assert (verify_event["actor_type"], verify_event["actor_id"]) == ("anonymous", None)
    assert not any("warfarin" in str(e["details"]).lower() or "Otitis" in str(e["details"]) for e in events)


async def test_unknown_codes_answer_404_without_signing_in(clinic: Clinic) -> None:
    await clinic.signed()
    for code in ("AAAA-BBBB-CCCC-DDDD", "nope", "x" * 100):
        response = await clinic.client.get(f"/api/v1/prescriptions/verify/{code}")
        assert response.status_code == 404, code
        assert response.json()["code"] == "prescription.unknown_code"


async def test_a_signed_prescription_cannot_change(clinic: Clinic) -> None:
    draft = await clinic.drafted()
    stale = await clinic.patch(f"/api/v1/prescriptions/{draft['id']}", {"notes": "x"}, **{"If-Match": '"9"'})
    assert stale.status_code == 412, stale.text
    changed = await clinic.patch(
        f"/api/v1/prescriptions/{draft['id']}",
        {"items": [amoxicillin(dose_amount=250)], "notes": "Half dose."},
        **{"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["findings"] == []
    assert changed.json()["items"][0]["dose_amount"] == 250
    cleared = await clinic.patch(f"/api/v1/prescriptions/{draft['id']}", {"notes": None})
    assert cleared.json()["notes"] is None

    signed = await clinic.sign(draft["id"])
    assert signed.status_code == 200, signed.text
    for body in ({"notes": "after the fact"}, {"items": [ibuprofen()]}):
        refused = await clinic.patch(f"/api/v1/prescriptions/{draft['id']}", body)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "prescription.not_draft"
    again = await clinic.sign(draft["id"])
    assert (again.status_code, again.json()["code"]) == (409, "prescription.not_draft")
    current = (await clinic.get(f"/api/v1/prescriptions/{draft['id']}")).json()
    assert current["items"][0]["dose_amount"] == 250
    assert current["findings"] is None


async def test_errors_block_the_signature_whatever_is_acknowledged(clinic: Clinic) -> None:
    await clinic.record("allergies", {"substance": "Penicillin", "code": "J01C"})
    draft = await clinic.drafted()
    assert finding_codes(draft["findings"]) == [
        ("prescription.allergy", "error", [0]),
        ("prescription.allergy", "warning", [0]),
    ]
    refused = await clinic.sign(draft["id"], ("prescription.allergy", 0))
    assert refused.status_code == 409
    assert [f["severity"] for f in refused.json()["findings"]] == ["error"]


async def test_invalid_drafts_are_refused_field_by_field(clinic: Clinic) -> None:
    response = await clinic.draft(
        amoxicillin(interval_hours=8), amoxicillin(route="by the ear", dose_unit="spoon"), notes="ok"
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [
        "items.0.frequency_per_day",
        "items.1.dose_unit",
        "items.1.route",
    ]
    schema_refusal = await clinic.draft(amoxicillin(quantity=0, unknown=True))
    assert schema_refusal.status_code == 422
    unknown = await clinic.post(
        "/api/v1/prescriptions",
        {"patient_id": clinic.practitioner["id"], "prescriber_id": clinic.practitioner["id"], "items": [amoxicillin()]},
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "patient.not_found")


async def test_renewal_and_cancellation(clinic: Clinic, db: SavepointDatabase) -> None:
    original = await clinic.signed()
    renewed = await clinic.post(f"/api/v1/prescriptions/{original['id']}/renew", token=clinic.nurse)
    assert renewed.status_code == 201, renewed.text
    renewal = renewed.json()
    assert (renewal["status"], renewal["renewed_from_id"]) == ("draft", original["id"])
    assert renewal["items"] == original["items"]
    assert renewal["findings"] == []

    signed = await clinic.sign(renewal["id"])
    assert signed.status_code == 200, signed.text
    replaced = (await clinic.get(f"/api/v1/prescriptions/{original['id']}")).json()
    assert replaced["status"] == "cancelled"
    assert renewal["id"] in replaced["cancellation_reason"]

    draft = await clinic.drafted()
    not_renewable = await clinic.post(f"/api/v1/prescriptions/{draft['id']}/renew")
    assert (not_renewable.status_code, not_renewable.json()["code"]) == (409, "prescription.not_renewable")
    by_nurse = await clinic.post(f"/api/v1/prescriptions/{draft['id']}/cancel", {"reason": "Duplicate."}, clinic.nurse)
    assert by_nurse.status_code == 200, by_nurse.text
    assert by_nurse.json()["status"] == "cancelled"
    nurse_on_signed = await clinic.post(
        f"/api/v1/prescriptions/{renewal['id']}/cancel", {"reason": "No."}, clinic.nurse
    )
    assert nurse_on_signed.status_code == 403
    cancelled = await clinic.post(f"/api/v1/prescriptions/{renewal['id']}/cancel", {"reason": "Wrong patient."})
    assert cancelled.status_code == 200
    twice = await clinic.post(f"/api/v1/prescriptions/{renewal['id']}/cancel", {"reason": "Again."})
    assert (twice.status_code, twice.json()["code"]) == (409, "prescription.invalid_transition")
    no_pdf = await clinic.get(f"/api/v1/prescriptions/{renewal['id']}/pdf")
    assert (no_pdf.status_code, no_pdf.json()["code"]) == (409, "prescription.cancelled")

    events = await audit_events(db, clinic.organization_id)
    cancels = [e for e in events if e["action"] == "prescription.cancel" and e["outcome"] == "success"]
    assert [e["details"].get("reason") for e in cancels] == ["replaced", None, None]


async def test_a_pharmacy_dispenses_with_its_api_key(clinic: Clinic, db: SavepointDatabase) -> None:
    prescription = await clinic.signed()
    pharmacy = await clinic.api_key("prescriptions:dispense")
    path = f"/api/v1/prescriptions/{prescription['id']}/dispense"

    no_scope = await clinic.client.post(path, json={}, headers=await clinic.api_key("prescriptions:read"))
    assert no_scope.status_code == 403
    by_doctor = await clinic.post(path, {})
    assert by_doctor.status_code == 403

    partly = await clinic.client.post(path, json={"partial": True}, headers=pharmacy)
    assert partly.status_code == 200, partly.text
    assert partly.json()["status"] == "partially_dispensed"
    done = await clinic.client.post(path, json={}, headers=pharmacy)
    assert done.json()["status"] == "dispensed"
    again = await clinic.client.post(path, json={}, headers=pharmacy)
    assert again.status_code == 409

    printed = await clinic.get(f"/api/v1/prescriptions/{prescription['id']}/pdf")
    [code] = set(CODE.findall(pdf_text(printed.content)))
    verified = (await clinic.client.get(f"/api/v1/prescriptions/verify/{code}")).json()
    assert (verified["status"], verified["valid"]) == ("dispensed", False)
    events = [e for e in await audit_events(db, clinic.organization_id) if e["action"] == "prescription.dispense"]
    assert [(e["outcome"], e["actor_type"]) for e in events] == [
        ("denied", "api_key"),
        ("denied", "user"),
        ("success", "api_key"),
        ("success", "api_key"),
    ]


async def test_a_patient_sees_only_their_own_signed_prescriptions(clinic: Clinic, db: SavepointDatabase) -> None:
    draft = await clinic.drafted()
    signed = await clinic.signed()
    other = await clinic.new_patient()
    theirs = await clinic.signed(patient=other)
    me = clinic.patient_token

    own = await clinic.get(f"/api/v1/patients/{clinic.patient['id']}/prescriptions", me)
    assert own.status_code == 200, own.text
    assert [p["id"] for p in own.json()["items"]] == [signed["id"]]
    assert all(p["findings"] is None for p in own.json()["items"])
    assert (await clinic.get(f"/api/v1/prescriptions/{signed['id']}", me)).status_code == 200
    assert (await clinic.get(f"/api/v1/prescriptions/{signed['id']}/pdf", me)).status_code == 200
    for hidden in (draft["id"], theirs["id"]):
        for suffix in ("", "/pdf"):
            response = await clinic.get(f"/api/v1/prescriptions/{hidden}{suffix}", me)
            assert response.status_code == 404, (hidden, suffix)
    assert (await clinic.get(f"/api/v1/patients/{other['id']}/prescriptions", me)).status_code == 404
    assert (await clinic.sign(draft["id"], token=me)).status_code == 403
    assert (await clinic.draft(token=me)).status_code == 403

    staff = await clinic.get(f"/api/v1/patients/{clinic.patient['id']}/prescriptions", clinic.nurse, status="draft")
    assert [p["id"] for p in staff.json()["items"]] == [draft["id"]]
    everything = await clinic.get(f"/api/v1/patients/{clinic.patient['id']}/prescriptions", clinic.nurse, limit=1)
    assert everything.json()["page"]["total"] == 2
    assert everything.json()["items"][0]["id"] == signed["id"], "newest first"
    second = await clinic.get(
        f"/api/v1/patients/{clinic.patient['id']}/prescriptions",
        clinic.nurse,
        limit=1,
        cursor=everything.json()["page"]["next_cursor"],
    )
    assert [p["id"] for p in second.json()["items"]] == [draft["id"]]
    unknown_filter = await clinic.get(f"/api/v1/patients/{clinic.patient['id']}/prescriptions", clinic.nurse, drug="x")
    assert unknown_filter.status_code == 422

    events = await audit_events(db, clinic.organization_id)
    reads = [e for e in events if e["action"] in ("prescription.read", "prescription.list", "prescription.print")]
    assert any(e["details"].get("self") for e in reads)
    denied = [e for e in reads if e["outcome"] == "denied"]
    assert [str(e["resource_id"]) for e in denied] == [other["id"]]


async def test_a_receptionist_neither_reads_nor_signs(clinic: Clinic) -> None:
    prescription = await clinic.drafted()
    desk = clinic.reception
    pid = prescription["id"]
    for response in (
        await clinic.get(f"/api/v1/prescriptions/{pid}", desk),
        await clinic.get(f"/api/v1/prescriptions/{pid}/pdf", desk),
        await clinic.get(f"/api/v1/patients/{clinic.patient['id']}/prescriptions", desk),
        await clinic.post(f"/api/v1/prescriptions/{pid}/validate", token=desk),
        await clinic.sign(pid, token=desk),
        await clinic.draft(token=desk),
        await clinic.get("/api/v1/formulary", desk),
    ):
        assert response.status_code == 403, response.text
    assert (await clinic.get(f"/api/v1/prescriptions/{pid}")).json()["status"] == "draft"


async def test_only_the_prescriber_signs(clinic: Clinic) -> None:
    draft = await clinic.drafted(token=clinic.nurse)
    for token in (clinic.nurse, clinic.owner):
        refused = await clinic.sign(draft["id"], token=token)
        assert refused.status_code == 403, refused.text
    assert (await clinic.sign(draft["id"], token=clinic.owner)).json()["code"] == "prescription.not_prescriber"
    assert (await clinic.sign(draft["id"])).status_code == 200


async def test_another_organization_gets_404_for_everything(
    client: Client, container: Container, clinic: Clinic
) -> None:
    signed = await clinic.signed()
    draft = await clinic.drafted()
    other = await open_clinic(client, container)
    pharmacy = await other.api_key("prescriptions:dispense")
    sid, did = signed["id"], draft["id"]
    for response in (
        await other.get(f"/api/v1/prescriptions/{sid}"),
        await other.get(f"/api/v1/prescriptions/{sid}/pdf"),
        await other.patch(f"/api/v1/prescriptions/{did}", {"notes": "x"}),
        await other.post(f"/api/v1/prescriptions/{did}/validate"),
        await other.sign(did),
        await other.post(f"/api/v1/prescriptions/{sid}/renew"),
        await other.post(f"/api/v1/prescriptions/{sid}/cancel", {"reason": "x"}),
        await other.client.post(f"/api/v1/prescriptions/{sid}/dispense", json={}, headers=pharmacy),
        await other.get(f"/api/v1/patients/{clinic.patient['id']}/prescriptions"),
        await other.draft(patient=clinic.patient),
    ):
        assert response.status_code == 404, response.text
    foreign_prescriber = await other.post(
        "/api/v1/prescriptions",
        {"patient_id": other.patient["id"], "prescriber_id": clinic.practitioner["id"], "items": [amoxicillin()]},
        other.nurse,
    )
    assert foreign_prescriber.status_code == 404
    assert (await clinic.get(f"/api/v1/prescriptions/{did}")).json()["notes"] is None


async def test_prescription_templates(clinic: Clinic, db: SavepointDatabase) -> None:
    created = await clinic.post(
        "/api/v1/prescription-templates", {"name": "Acute otitis", "items": [amoxicillin()], "notes": "First line."}
    )
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["practitioner_id"] == clinic.practitioner["id"]
    assert created.headers["location"] == f"/api/v1/prescription-templates/{template['id']}"
    duplicate = await clinic.post("/api/v1/prescription-templates", {"name": "ACUTE OTITIS", "items": [amoxicillin()]})
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "prescription_template.name_taken")
    listed = await clinic.get("/api/v1/prescription-templates", clinic.nurse, practitioner_id=clinic.practitioner["id"])
    assert [t["id"] for t in listed.json()["items"]] == [template["id"]]

    prescribed = await clinic.post(
        f"/api/v1/prescription-templates/{template['id']}/prescribe", {"patient_id": clinic.patient["id"]}, clinic.nurse
    )
    assert prescribed.status_code == 201, prescribed.text
    draft = prescribed.json()
    assert (draft["status"], draft["notes"], draft["prescriber_id"]) == (
        "draft",
        "First line.",
        clinic.practitioner["id"],
    )
    assert draft["findings"] == []
    assert (await clinic.sign(draft["id"])).status_code == 200

    removed = await clinic.client.delete(
        f"/api/v1/prescription-templates/{template['id']}", headers=bearer(clinic.doctor)
    )
    assert removed.status_code == 204
    assert (await clinic.get(f"/api/v1/prescription-templates/{template['id']}")).status_code == 404
    assert (await clinic.get(f"/api/v1/prescriptions/{draft['id']}")).status_code == 200


async def test_the_formulary_is_searched_by_name_or_atc_code(clinic: Clinic) -> None:
    penicillins = await clinic.get("/api/v1/formulary", clinic.nurse, q="J01C")
    assert penicillins.status_code == 200, penicillins.text
    codes = [m["code"] for m in penicillins.json()["items"]]
    assert codes and all(code.startswith("J01C") for code in codes)
    by_name = (await clinic.get("/api/v1/formulary", q="amoxi")).json()["items"]
    assert [m["name"] for m in by_name][:2] == ["amoxicillin", "co-amoxiclav"]
    everything = (await clinic.get("/api/v1/formulary", limit=200)).json()
    assert everything["page"]["total"] == len(everything["items"]) >= 60
    controlled = (await clinic.get("/api/v1/formulary", controlled="true", sort="code")).json()["items"]
    assert {m["name"] for m in controlled} >= {"morphine", "oxycodone", "codeine"}
    one = await clinic.get("/api/v1/formulary/J01CA04")
    medication: dict[str, Any] = one.json()
    assert (medication["name"], medication["therapeutic_class"], medication["adult_max_daily_dose"]) == (
        "amoxicillin",
        "J01CA",
        3000,
    )
    assert (await clinic.get("/api/v1/formulary/J01CA99")).status_code == 404
    assert (await clinic.get("/api/v1/formulary", sort="price")).status_code == 422
