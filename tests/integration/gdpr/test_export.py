"""A patient's data export: the archive's members, their content and digests, the FHIR
Bundle, who may fetch it, and the audit of every request and download."""

from __future__ import annotations

from uuid import UUID

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.gdpr.support import document, members, seeded_demo, sha256
from tests.integration.helpers import Client, audit_events, bearer, make_tenant, owner_token, token_for


async def test_the_patient_exports_every_record_with_a_fhir_bundle_and_a_manifest(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    demo = await seeded_demo(client, container)
    base = f"/api/v1/patients/{demo.patient_id}"

    created = await client.post(f"{base}/export", headers=bearer(demo.patient_token))
    assert created.status_code == 201, created.text
    export = created.json()
    assert created.headers["location"] == f"{base}/exports/{export['id']}"
    assert export["status"] == "ready" and export["download_url"] == f"{base}/exports/{export['id']}/download"
    status = await client.get(created.headers["location"], headers=bearer(demo.patient_token))
    assert status.status_code == 200 and status.json()["sha256"] == export["sha256"]

    download = await client.get(export["download_url"], headers=bearer(demo.patient_token))
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/zip"
    disposition = download.headers["content-disposition"]
    assert disposition == f'attachment; filename="medcore-export-{export["id"]}.zip"'
    assert "Dupont" not in disposition and "Dupont" not in export["download_url"]
    assert sha256(download.content) == export["sha256"] and len(download.content) == export["size_bytes"]

    archive = members(download.content)
    assert {
        "README.md",
        "manifest.json",
        "data/patient.json",
        "data/medical_history_versions.json",
        "data/allergies.json",
        "data/conditions.json",
        "data/medications.json",
        "data/measurements.json",
        "data/appointments.json",
        "data/consultations.json",
        "data/prescriptions.json",
        "data/waitlist_entries.json",
        "data/health_reminders.json",
        "data/portal_account.json",
        "files/index.json",
        "fhir/bundle.json",
        "audit/access_log.json",
        "audit/account_activity.json",
    } <= set(archive)
    manifest = document(archive, "manifest.json")
    assert {m["name"] for m in manifest["members"]} == set(archive) - {"manifest.json"}
    for member in manifest["members"]:
        assert sha256(archive[member["name"]]) == member["sha256"], member["name"]
    assert manifest["patient_id"] == demo.patient_id and manifest["generated_at"].endswith("Z")

    [patient] = document(archive, "data/patient.json")["records"]
    assert (patient["given_name"], patient["family_name"]) == ("Jean", "Dupont")
    assert "search_text" not in patient and "organization_id" not in patient
    [account] = document(archive, "data/portal_account.json")["records"]
    assert "password_hash" not in account and "totp_secret" not in account
    assert [a["substance"] for a in document(archive, "data/allergies.json")["records"]] == ["Penicillin"]
    assert document(archive, "data/appointments.json")["records"], "Jean's appointments"
    assert document(archive, "data/medical_history_versions.json")["records"]

    bundle = document(archive, "fhir/bundle.json")
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    types = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "AllergyIntolerance", "Condition", "Observation", "MedicationStatement"} <= types
    consultations = document(archive, "data/consultations.json")["records"]
    assert sum(t == "Encounter" for t in (e["resource"]["resourceType"] for e in bundle["entry"])) == len(consultations)
    fhir_patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert fhir_patient["name"][0]["family"] == "Dupont" and fhir_patient["birthDate"] == patient["birth_date"]
    assert all(e["fullUrl"] == f"urn:uuid:{UUID(e['resource']['id'])}" for e in bundle["entry"])

    access = document(archive, "audit/access_log.json")["events"]
    assert any(e["action"] == "patient.read" for e in access)
    assert all("ip" not in e for e in access)

    events = [e for e in await audit_events(db, UUID(demo.organization_id)) if e["resource_type"] == "gdpr_export"]
    assert [e["action"] for e in events] == [
        "patient.export.create",
        "patient.export.read",
        "patient.export.download",
    ]
    assert all(str(e["patient_id"]) == demo.patient_id and e["outcome"] == "success" for e in events)


async def test_another_patient_and_another_organization_find_nothing(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    demo = await seeded_demo(client, container)
    base = f"/api/v1/patients/{demo.patient_id}"
    export = (await client.post(f"{base}/export", headers=bearer(demo.owner_token))).json()

    demo_tenant_owner = demo.owner_token
    other_patient, other_user = await _second_patient(client, demo_tenant_owner)
    assert (await client.post(f"{base}/export", headers=bearer(other_patient))).status_code == 404
    assert (await client.get(f"{base}/exports/{export['id']}", headers=bearer(other_patient))).status_code == 404
    assert (await client.get(export["download_url"], headers=bearer(other_patient))).status_code == 404

    elsewhere = await make_tenant(container)
    stranger = await owner_token(client, elsewhere)
    assert (await client.post(f"{base}/export", headers=bearer(stranger))).status_code == 404
    assert (await client.get(export["download_url"], headers=bearer(stranger))).status_code == 404

    receptionist, _ = await token_for(client, elsewhere, "receptionist")
    assert (await client.post(f"{base}/export", headers=bearer(receptionist))).status_code == 403

    denied = [
        e
        for e in await audit_events(db, UUID(demo.organization_id))
        if e["action"].startswith("patient.export") and e["outcome"] == "denied"
    ]
    assert len(denied) == 3 and all(e["actor_id"] == UUID(other_user) for e in denied)


async def _second_patient(client: Client, owner: str) -> tuple[str, str]:
    """Another patient account of the demo organization, linked to a record of its own."""
    from tests.integration.helpers import add_user, login

    user = await add_user(client, owner, "patient")
    created = await client.post(
        "/api/v1/patients",
        json={"given_name": "Other", "family_name": "Patient", "birth_date": "1990-01-01", "user_id": user["id"]},
        headers=bearer(owner),
    )
    assert created.status_code == 201, created.text
    tokens = await login(client, "demo", user["email"])
    return str(tokens["access_token"]), str(user["id"])
