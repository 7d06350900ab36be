"""The legal holds and retention policy endpoints against PostgreSQL: who may use them,
validation naming the field, tenancy (another organization's hold is 404), ETags, audit."""

from __future__ import annotations

from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.helpers import Client, audit_events, bearer, make_tenant, owner_token, token_for


async def test_legal_holds_are_placed_listed_read_and_released_within_the_organization(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = bearer(await owner_token(client, tenant))
    auditor = bearer((await token_for(client, tenant, "auditor"))[0])
    nurse = bearer((await token_for(client, tenant, "nurse"))[0])

    placed = await client.post(
        "/api/v1/legal-holds", json={"scope": "organization", "reason": "tax audit"}, headers=auditor
    )
    assert placed.status_code == 201, placed.text
    hold: dict[str, Any] = placed.json()
    assert placed.headers["Location"] == f"/api/v1/legal-holds/{hold['id']}"
    assert hold["active"] is True and hold["subject_id"] is None

    listed = await client.get("/api/v1/legal-holds?active=true", headers=owner)
    assert [h["id"] for h in listed.json()["items"]] == [hold["id"]]
    got = await client.get(f"/api/v1/legal-holds/{hold['id']}", headers=owner)
    assert got.status_code == 200 and got.headers["ETag"]
    assert (await client.get("/api/v1/legal-holds", headers=nurse)).status_code == 403

    stale = await client.post(
        f"/api/v1/legal-holds/{hold['id']}/release", json={}, headers={**owner, "If-Match": '"99"'}
    )
    assert stale.status_code == 412
    released = await client.post(
        f"/api/v1/legal-holds/{hold['id']}/release",
        json={"note": "closed"},
        headers={**owner, "If-Match": got.headers["ETag"]},
    )
    assert released.status_code == 200, released.text
    assert released.json()["active"] is False and released.json()["release_note"] == "closed"
    assert (await client.post(f"/api/v1/legal-holds/{hold['id']}/release", json={}, headers=owner)).status_code == 409

    other = await make_tenant(container)
    other_owner = bearer(await owner_token(client, other))
    assert (await client.get(f"/api/v1/legal-holds/{hold['id']}", headers=other_owner)).status_code == 404
    assert (
        await client.post(f"/api/v1/legal-holds/{hold['id']}/release", json={}, headers=other_owner)
    ).status_code == 404
    assert (await client.get("/api/v1/legal-holds", headers=other_owner)).json()["items"] == []

    actions = [e["action"] for e in await audit_events(db, tenant.organization_id)]
    assert {"legal_hold.place", "legal_hold.list", "legal_hold.read", "legal_hold.release"} <= set(actions)


async def test_legal_hold_validation_names_the_field(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = bearer(await owner_token(client, tenant))

    async def fields(body: dict[str, Any]) -> tuple[int, list[str]]:
        response = await client.post("/api/v1/legal-holds", json=body, headers=owner)
        problem = response.json()
        return response.status_code, [e.get("field") for e in problem.get("errors", [])]

    assert await fields({"scope": "patient", "reason": "dispute"}) == (422, ["subject_id"])
    assert await fields({"scope": "organization", "reason": "x"}) == (422, ["reason"])
    status, _ = await fields({"scope": "galaxy", "reason": "dispute"})
    assert status in (400, 422)
    unknown = await client.post(
        "/api/v1/legal-holds",
        json={"scope": "patient", "reason": "dispute", "subject_id": "01a2013b-e7a5-73dc-b84a-e511097ff55c"},
        headers=owner,
    )
    assert unknown.status_code == 404


async def test_the_retention_policy_is_read_lengthened_and_never_shortened(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = bearer(await owner_token(client, tenant))
    admin = bearer((await token_for(client, tenant, "admin"))[0])

    current = await client.get("/api/v1/retention-policy", headers=owner)
    assert current.status_code == 200
    body = current.json()
    assert body["preset"] == "gdpr-minimal" and body["classes"]["medical_record"]["years"] == 10

    shorter = await client.put(
        "/api/v1/retention-policy",
        json={"preset": "france", "overrides": {"medical_record": {"years": 19}}},
        headers=owner,
    )
    assert shorter.status_code == 422
    assert [e["field"] for e in shorter.json()["errors"]] == ["overrides.medical_record"]

    longer = await client.put(
        "/api/v1/retention-policy",
        json={"preset": "france", "overrides": {"session": {"years": 1, "action": "archive"}}},
        headers={**owner, "If-Match": current.headers["ETag"]},
    )
    assert longer.status_code == 200, longer.text
    session = longer.json()["classes"]["session"]
    assert (session["years"], session["months"], session["action"], session["overridden"]) == (1, 6, "archive", True)
    reread = (await client.get("/api/v1/retention-policy", headers=owner)).json()
    assert reread["preset"] == "france" and reread["classes"]["session"]["overridden"] is True
    assert (await client.put("/api/v1/retention-policy", json={"preset": "hipaa"}, headers=admin)).status_code == 403

    due = await client.get("/api/v1/retention/due", headers=owner)
    assert due.status_code == 200 and due.json()["records"] == []
