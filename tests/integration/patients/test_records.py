"""Patient records over HTTP: create, read, update, soft delete, the patient's own record,
who may do what, tenancy, and the audit event of every read and change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.patient_tables import patients as patients_table
from medcore.container import Container
from tests.integration.helpers import Client, audit_events, bearer, make_tenant, owner_token, token_for
from tests.integration.patients.support import JEAN, open_clinic

UNKNOWN = "01900000-0000-7000-8000-000000000000"


def actions(events: list[dict[str, Any]], *names: str) -> list[dict[str, Any]]:
    return [e for e in events if e["action"] in names]


async def test_a_record_is_created_with_its_number_location_and_etag(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    clinic = await open_clinic(client, container)

    response = await clinic.create(
        address={"line1": "1 rue de la Paix", "postal_code": "75002", "city": "Paris", "country": "fr"},
        preferred_language="fr",
        time_zone="Europe/Paris",
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/patients/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["mrn"] == "MRN-000001"
    assert body["birth_date"] == "1968-04-12"
    assert body["phone"] == "+33612345678"
    assert body["address"] == {
        "line1": "1 rue de la Paix",
        "line2": None,
        "postal_code": "75002",
        "city": "Paris",
        "country": "FR",
    }
    assert body["preferred_channel"] == "email"
    assert body["time_zone"] == "Europe/Paris"
    assert body["created_at"].endswith("Z")
    [event] = actions(await audit_events(db, clinic.tenant.organization_id), "patient.create")
    assert event["patient_id"] == event["resource_id"] == UUID(body["id"])
    assert "Jean" not in str(event["details"]) and "612345678" not in str(event["details"])


async def test_numbers_follow_each_other_and_a_given_one_must_be_free(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)

    first = await clinic.patient()
    given = await clinic.patient(mrn="mrn-000002")
    taken = await clinic.create(mrn="MRN-000001")
    third = await clinic.patient()

    assert (first["mrn"], given["mrn"], third["mrn"]) == ("MRN-000001", "MRN-000002", "MRN-000003")
    assert taken.status_code == 409
    assert taken.json()["code"] == "patient.mrn_taken"


async def test_invalid_fields_are_named_in_a_422(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)

    response = await clinic.create(
        given_name=" ", birth_date="2999-01-01", phone="06 12 34 56 78", email="nope", mrn="a b", time_zone="Nowhere"
    )
    malformed = await clinic.create(birth_date="17/05/1980")
    unknown_field = await clinic.create(blood_type="O+")
    nul = await clinic.create(family_name="Du\x00pont")

    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "birth_date",
        "email",
        "given_name",
        "mrn",
        "phone",
        "time_zone",
    ]
    assert [r.status_code for r in (malformed, unknown_field, nul)] == [422, 422, 422]
    assert malformed.json()["errors"][0]["field"] == "birth_date"


async def test_a_record_links_a_patient_account_once(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)
    _, record = await clinic.patient_login()
    nurse_token = await clinic.staff("nurse")
    nurse = (await client.get("/api/v1/auth/me", headers=bearer(nurse_token))).json()["user"]

    twice = await clinic.create(user_id=str(record["user_id"]))
    staff_account = await clinic.create(user_id=nurse["id"])

    assert twice.status_code == 409
    assert twice.json()["code"] == "patient.user_already_linked"
    assert staff_account.status_code == 422
    assert staff_account.json()["errors"][0]["field"] == "user_id"


async def test_get_update_and_delete_with_etags(client: Client, container: Container, db: SavepointDatabase) -> None:
    clinic = await open_clinic(client, container)
    record = await clinic.patient()
    path = f"/api/v1/patients/{record['id']}"

    read = await clinic.get(path)
    updated = await client.patch(
        path,
        json={
            "phone": None,
            "email": "jean@new.example",
            "address": {"line1": "2 quai", "city": "Lyon", "country": "FR"},
        },
        headers={**clinic.headers, "If-Match": read.headers["etag"]},
    )
    stale = await client.patch(path, json={"given_name": "Paul"}, headers={**clinic.headers, "If-Match": '"1"'})
    stale_delete = await client.delete(path, headers={**clinic.headers, "If-Match": '"1"'})
    deleted = await client.delete(path, headers={**clinic.headers, "If-Match": updated.headers["etag"]})
    after = await clinic.get(path)

    assert read.status_code == 200
    assert read.json() == record
    assert updated.status_code == 200, updated.text
    assert updated.json()["phone"] is None
    assert updated.json()["email"] == "jean@new.example"
    assert updated.json()["address"]["city"] == "Lyon"
    assert updated.json()["given_name"] == "Jean"
    assert updated.headers["etag"] == '"2"'
    assert stale.status_code == stale_delete.status_code == 412
    assert deleted.status_code == 204
    assert after.status_code == 404
    row = (await db.connection.execute(select(patients_table).where(patients_table.c.id == record["id"]))).one()
    assert row.deleted_at is not None  # soft: the row stays
    events = actions(
        await audit_events(db, clinic.tenant.organization_id), "patient.read", "patient.update", "patient.delete"
    )
    assert [(e["action"], e["outcome"], str(e["patient_id"])) for e in events] == [
        ("patient.read", "success", record["id"]),
        ("patient.update", "success", record["id"]),
        ("patient.delete", "success", record["id"]),
    ]
    assert events[1]["details"] == {"fields": "email,phone,address"}


async def test_removing_the_contact_of_the_preferred_channel_is_refused(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)
    record = await clinic.patient()

    refused = await client.patch(f"/api/v1/patients/{record['id']}", json={"email": None}, headers=clinic.headers)
    switched = await client.patch(
        f"/api/v1/patients/{record['id']}", json={"email": None, "preferred_channel": "sms"}, headers=clinic.headers
    )

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "preferred_channel"
    assert switched.status_code == 200
    assert switched.json()["preferred_channel"] == "sms"


async def test_other_organizations_records_answer_404_everywhere(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)
    record = await clinic.patient()
    path = f"/api/v1/patients/{record['id']}"
    bodies = {
        "allergies": ({"substance": "Latex"}, {"status": "resolved"}),
        "conditions": ({"code": "I10"}, {"status": "resolved"}),
        "medications": ({"name": "Aspirin"}, {"status": "stopped"}),
        "measurements": ({"kind": "weight", "value": 80, "unit": "kg", "measured_at": "2025-01-01T10:00:00Z"}, {}),
    }
    entries = {kind: (await clinic.post(f"{path}/{kind}", body)).json()["id"] for kind, (body, _) in bodies.items()}
    other = await make_tenant(container)
    stranger = bearer(await owner_token(client, other))

    answers = [
        await client.get(path, headers=stranger),
        await client.patch(path, json={"given_name": "X"}, headers=stranger),
        await client.delete(path, headers=stranger),
        await client.get(f"{path}/history", headers=stranger),
        await client.get(f"/api/v1/patients/{UNKNOWN}", headers=stranger),
    ]
    for kind, (body, end) in bodies.items():
        answers += [
            await client.get(f"{path}/{kind}", headers=stranger),
            await client.post(f"{path}/{kind}", json=body, headers=stranger),
            await client.get(f"{path}/{kind}/{entries[kind]}", headers=stranger),
            await client.post(f"{path}/{kind}/{entries[kind]}/end", json=end, headers=stranger),
        ]
    listed = await client.get("/api/v1/patients", headers=stranger)
    searched = await client.get("/api/v1/patients", params={"q": "dupont"}, headers=stranger)

    assert [r.status_code for r in answers] == [404] * len(answers)
    assert answers[0].json()["code"] == answers[4].json()["code"] == "patient.not_found"
    assert listed.json()["items"] == searched.json()["items"] == []
    assert (await clinic.get(path)).json()["given_name"] == "Jean"
    for kind in bodies:
        [entry] = (await clinic.get(f"{path}/{kind}")).json()["items"]
        assert entry["status"] in ("active", "recorded")


async def test_a_patient_sees_and_edits_their_own_record_only(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    clinic = await open_clinic(client, container)
    token, own = await clinic.patient_login()
    other = await clinic.patient(given_name="Marie", email="marie@example.test")

    me = await clinic.get("/api/v1/patients/me", token)
    mine = await clinic.get(f"/api/v1/patients/{own['id']}", token)
    theirs = await clinic.get(f"/api/v1/patients/{other['id']}", token)
    unknown = await clinic.get(f"/api/v1/patients/{UNKNOWN}", token)
    listing = await clinic.get("/api/v1/patients", token)
    edit = await client.patch(
        f"/api/v1/patients/{own['id']}", json={"phone": "+33 7 00 00 00 01"}, headers=bearer(token)
    )
    forbidden = await client.patch(
        f"/api/v1/patients/{own['id']}",
        json={"given_name": "Johnny", "birth_date": "1970-01-01"},
        headers=bearer(token),
    )
    elsewhere = await client.patch(f"/api/v1/patients/{other['id']}", json={"phone": None}, headers=bearer(token))
    delete = await client.delete(f"/api/v1/patients/{own['id']}", headers=bearer(token))

    assert me.status_code == mine.status_code == 200
    assert me.json()["id"] == own["id"]
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() | {"instance": None, "request_id": None} == unknown.json() | {
        "instance": None,
        "request_id": None,
    }
    assert listing.status_code == 403
    assert edit.status_code == 200 and edit.json()["phone"] == "+33700000001"
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "patient.field_not_editable"
    assert sorted(e["field"] for e in forbidden.json()["errors"]) == ["birth_date", "given_name"]
    assert elsewhere.status_code == 404
    assert delete.status_code == 403
    events = await audit_events(db, clinic.tenant.organization_id)
    denied = [(e["action"], e["resource_id"]) for e in events if e["outcome"] == "denied"]
    assert ("patient.read", UUID(other["id"])) in denied
    assert ("patient.update", UUID(own["id"])) in denied


async def test_the_practice_chooses_what_patients_may_edit(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)
    token, own = await clinic.patient_login()
    settings = await client.patch(
        "/api/v1/organizations/current",
        json={"settings": {"patients": {"editable_fields": ["preferred_language"]}}},
        headers=clinic.headers,
    )

    phone = await client.patch(f"/api/v1/patients/{own['id']}", json={"phone": None}, headers=bearer(token))
    language = await client.patch(
        f"/api/v1/patients/{own['id']}", json={"preferred_language": "en-gb"}, headers=bearer(token)
    )

    assert settings.status_code == 200, settings.text
    assert phone.status_code == 403
    assert language.status_code == 200
    assert language.json()["preferred_language"] == "en-GB"


async def test_my_record_needs_a_linked_patient_account(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)
    receptionist = await clinic.staff("receptionist")
    patient_token, _ = await token_for(client, clinic.tenant, "patient")

    staff = await clinic.get("/api/v1/patients/me", receptionist)
    unlinked = await clinic.get("/api/v1/patients/me", patient_token)

    assert staff.status_code == 403
    assert unlinked.status_code == 404


async def test_receptionists_manage_records(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)
    receptionist = await clinic.staff("receptionist")
    auditor = await clinic.staff("auditor")

    created = await clinic.create(receptionist)
    read = await clinic.get(f"/api/v1/patients/{created.json()['id']}", receptionist)
    by_auditor = await clinic.get(f"/api/v1/patients/{created.json()['id']}", auditor)

    assert created.status_code == 201
    assert read.status_code == 200
    assert by_auditor.status_code == 403
    assert JEAN["family_name"] == read.json()["family_name"]
