"""The audit trail over HTTP: queries with filters and cursors for auditors and owners only,
NDJSON and CSV exports, a patient record's access log, and every read of the trail
recorded in it."""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.helpers import Client, audit_events, token_for
from tests.integration.patients.support import Clinic, open_clinic


async def _clinic_with_reads(
    client: Client, container: Container
) -> tuple[Clinic, dict[str, Any], str, dict[str, Any]]:
    """A clinic, a patient record read by a nurse three times, and an auditor's token."""
    clinic = await open_clinic(client, container)
    patient = await clinic.patient()
    nurse, nurse_user = await token_for(client, clinic.tenant, "nurse")
    for _ in range(3):
        assert (await clinic.get(f"/api/v1/patients/{patient['id']}", nurse)).status_code == 200
    auditor, _ = await token_for(client, clinic.tenant, "auditor")
    return clinic, patient, auditor, nurse_user


async def test_auditors_list_the_trail_newest_first_with_filters_and_cursors(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    clinic, patient, auditor, nurse = await _clinic_with_reads(client, container)

    everything = await clinic.get("/api/v1/audit-events", auditor)
    assert everything.status_code == 200, everything.text
    items = everything.json()["items"]
    sequences = [e["sequence"] for e in items]
    assert sequences == sorted(sequences, reverse=True)
    assert everything.json()["page"]["total"] is None
    assert all(e["hash"] and e["prev_hash"] for e in items)

    reads = await clinic.get(
        "/api/v1/audit-events", auditor, patient_id=patient["id"], action="patient.read", actor_id=nurse["id"]
    )
    assert reads.status_code == 200
    found = reads.json()["items"]
    assert len(found) == 3
    assert {(e["actor_role"], e["resource_type"], e["outcome"]) for e in found} == {("nurse", "patient", "success")}
    assert found[0]["occurred_at"].endswith("Z")

    first_page = await clinic.get("/api/v1/audit-events", auditor, patient_id=patient["id"], limit=2, sort="sequence")
    page = first_page.json()
    assert [e["action"] for e in page["items"]] == ["patient.create", "patient.read"]
    rest = await clinic.get(
        "/api/v1/audit-events",
        auditor,
        patient_id=patient["id"],
        limit=2,
        sort="sequence",
        cursor=page["page"]["next_cursor"],
    )
    assert [e["action"] for e in rest.json()["items"]] == ["patient.read", "patient.read"]
    assert rest.json()["items"][0]["sequence"] > page["items"][-1]["sequence"]

    now = datetime.now(UTC)
    window = await clinic.get(
        "/api/v1/audit-events",
        auditor,
        resource_type="patient",
        outcome="success",
        **{"from": (now - timedelta(hours=1)).isoformat(), "to": (now + timedelta(hours=1)).isoformat()},
    )
    assert window.status_code == 200 and len(window.json()["items"]) >= 4
    later = await clinic.get("/api/v1/audit-events", auditor, **{"from": (now + timedelta(hours=1)).isoformat()})
    assert later.json()["items"] == []

    for bad in ({"patient_id": "nope"}, {"color": "red"}, {"from": "2026-01-01T10:00:00"}, {"outcome": "maybe"}):
        refused = await clinic.get("/api/v1/audit-events", auditor, **bad)
        assert refused.status_code == 422, (bad, refused.text)
    wrong_cursor = await clinic.get("/api/v1/audit-events", auditor, cursor="bm90LWEtY3Vyc29y")
    assert wrong_cursor.status_code == 422
    forged = base64.urlsafe_b64encode(json.dumps({"s": "audit_events:-sequence", "v": [2**70]}).encode()).decode()
    out_of_range = await clinic.get("/api/v1/audit-events", auditor, cursor=forged)
    assert out_of_range.status_code == 422, out_of_range.text

    trail = await audit_events(db, clinic.tenant.organization_id)
    read_of_trail = [e for e in trail if e["action"] == "audit.read" and e["outcome"] == "success"]
    assert any(
        e["patient_id"] is not None
        and str(e["patient_id"]) == patient["id"]
        and e["details"].get("action") == "patient.read"
        for e in read_of_trail
    )


async def test_only_audit_read_holders_read_the_trail_and_refusals_are_recorded(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    clinic, _, _, _ = await _clinic_with_reads(client, container)
    owner = await clinic.get("/api/v1/audit-events", clinic.owner)
    assert owner.status_code == 200
    for role in ("admin", "practitioner", "nurse", "receptionist", "patient"):
        token, _ = await token_for(client, clinic.tenant, role)
        for path in ("/api/v1/audit-events", "/api/v1/audit-events/export"):
            response = await clinic.get(path, token)
            assert response.status_code == 403, (role, path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
    denied = [
        e
        for e in await audit_events(db, clinic.tenant.organization_id)
        if e["outcome"] == "denied" and e["action"] in ("audit.read", "audit.export")
    ]
    assert len(denied) == 10
    assert {e["details"]["permission"] for e in denied} == {"audit:read"}


async def test_exports_stream_every_matching_event_as_ndjson_or_csv(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    clinic, patient, auditor, _ = await _clinic_with_reads(client, container)

    ndjson = await clinic.get("/api/v1/audit-events/export", auditor, patient_id=patient["id"])
    assert ndjson.status_code == 200, ndjson.text
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in ndjson.headers["content-disposition"]
    lines = [json.loads(line) for line in ndjson.text.splitlines()]
    assert [e["action"] for e in lines] == ["patient.create", "patient.read", "patient.read", "patient.read"]
    assert [e["sequence"] for e in lines] == sorted(e["sequence"] for e in lines)

    as_csv = await clinic.get("/api/v1/audit-events/export", auditor, format="csv", action="patient.read")
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 3
    assert rows[0]["patient_id"] == patient["id"]
    assert json.loads(rows[0]["details"]) == {}
    assert rows[0]["ip"] and rows[0]["hash"]

    whole = await clinic.get("/api/v1/audit-events/export", auditor)
    trail = await audit_events(db, clinic.tenant.organization_id)
    exports = [e for e in trail if e["action"] == "audit.export"]
    assert [e["details"]["format"] for e in exports] == ["ndjson", "csv", "ndjson"]
    # Everything recorded before the export's own event (recorded first, not exported).
    exported = [json.loads(line)["sequence"] for line in whole.text.splitlines()]
    assert exported == [e["sequence"] for e in trail if e["sequence"] < exports[-1]["sequence"]]

    for bad in ({"format": "xml"}, {"limit": "5"}, {"sort": "sequence"}, {"color": "red"}):
        refused = await clinic.get("/api/v1/audit-events/export", auditor, **bad)
        assert refused.status_code in (400, 422), (bad, refused.text)


async def test_a_patient_sees_who_accessed_their_record_and_no_one_elses(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    clinic = await open_clinic(client, container)
    patient_token, record = await clinic.patient_login()
    other = await clinic.patient(email="other@example.test")
    nurse, nurse_user = await token_for(client, clinic.tenant, "nurse")
    await clinic.get(f"/api/v1/patients/{record['id']}", nurse)
    await clinic.get(f"/api/v1/patients/{record['id']}/allergies", nurse)
    await clinic.get("/api/v1/patients/me", patient_token)

    log = await clinic.get(f"/api/v1/patients/{record['id']}/access-log", patient_token)

    assert log.status_code == 200, log.text
    entries = log.json()["items"]
    nurse_reads = [e for e in entries if e["actor"]["id"] == nurse_user["id"]]
    assert {e["action"] for e in nurse_reads} >= {"patient.read"}
    assert all(e["actor"]["role"] == "nurse" and e["actor"]["name"] == "Test Nurse" for e in nurse_reads)
    assert all(not e["actor"]["is_you"] for e in nurse_reads)
    own = [e for e in entries if e["actor"]["is_you"]]
    assert own and all(e["actor"]["role"] == "patient" for e in own)
    assert [e["sequence"] for e in entries] == sorted((e["sequence"] for e in entries), reverse=True)
    assert all("ip" not in e and "user_agent" not in e for e in entries)  # the log names people, not devices

    # Another patient's log answers as if it did not exist, and the attempt is recorded.
    refused = await clinic.get(f"/api/v1/patients/{other['id']}/access-log", patient_token)
    assert refused.status_code == 404
    # Staff without audit:read may not read it; auditors and owners may.
    assert (await clinic.get(f"/api/v1/patients/{record['id']}/access-log", nurse)).status_code == 403
    auditor, _ = await token_for(client, clinic.tenant, "auditor")
    by_auditor = await clinic.get(f"/api/v1/patients/{record['id']}/access-log", auditor, limit=2)
    assert by_auditor.status_code == 200 and len(by_auditor.json()["items"]) == 2
    next_page = await clinic.get(
        f"/api/v1/patients/{record['id']}/access-log", auditor, cursor=by_auditor.json()["page"]["next_cursor"]
    )
    assert next_page.status_code == 200 and next_page.json()["items"]
    unknown = await clinic.get("/api/v1/patients/01900000-0000-7000-8000-000000000000/access-log", auditor)
    assert unknown.status_code == 404

    trail = await audit_events(db, clinic.tenant.organization_id)
    reads_of_log = [e for e in trail if e["action"] == "patient.access_log.read"]
    assert {e["outcome"] for e in reads_of_log} == {"success", "denied"}
    assert any(e["details"].get("self") is True for e in reads_of_log)
    assert any(e["details"].get("reason") == "not_own_record" for e in reads_of_log)
