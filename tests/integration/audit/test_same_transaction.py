"""The audit event and what it records share one transaction: no change without its event,
and a read is on the trail even when the answer fails after the read."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from medcore.entrypoints.http.routes import patients as patient_routes
from tests.integration.helpers import Client, audit_events, bearer, make_tenant, owner_token

PATIENT = {"given_name": "Jean", "family_name": "Dupont", "birth_date": "1968-04-12"}

REFUSE_UPDATE_EVENTS = [
    """CREATE FUNCTION test_refuse_patient_update() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           IF NEW.action = 'patient.update' THEN RAISE EXCEPTION 'the trail is unavailable'; END IF;
           RETURN NEW;
       END $$""",
    """CREATE TRIGGER test_refuse_patient_update BEFORE INSERT ON audit_events
       FOR EACH ROW EXECUTE FUNCTION test_refuse_patient_update()""",
]


async def test_a_change_whose_event_cannot_be_written_does_not_happen(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = bearer(await owner_token(client, tenant))
    created = await client.post("/api/v1/patients", json=PATIENT, headers=owner)
    assert created.status_code == 201, created.text
    path = f"/api/v1/patients/{created.json()['id']}"
    for statement in REFUSE_UPDATE_EVENTS:  # as a lost connection or a full disk would
        await db.connection.execute(text(statement))

    response = await client.patch(path, json={"family_name": "Martin"}, headers=owner)

    assert response.status_code == 500
    kept = await client.get(path, headers=owner)
    assert kept.json()["family_name"] == "Dupont"
    assert kept.headers["etag"] == created.headers["etag"]
    assert not [e for e in await audit_events(db, tenant.organization_id) if e["action"] == "patient.update"]


async def test_a_read_is_on_the_trail_even_when_its_answer_fails(
    client: Client, container: Container, db: SavepointDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(container)
    owner = bearer(await owner_token(client, tenant))
    created = await client.post("/api/v1/patients", json=PATIENT, headers=owner)
    assert created.status_code == 201, created.text

    def broken(*args: object) -> object:
        raise RuntimeError("the answer could not be encoded")

    monkeypatch.setattr(patient_routes, "patient_out", broken)
    response = await client.get(f"/api/v1/patients/{created.json()['id']}", headers=owner)

    assert response.status_code == 500
    reads = [e for e in await audit_events(db, tenant.organization_id) if e["action"] == "patient.read"]
    assert [(str(e["patient_id"]), e["outcome"]) for e in reads] == [(created.json()["id"], "success")]
