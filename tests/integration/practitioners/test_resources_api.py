"""Holidays, rooms and appointment types: the endpoints, who may use them, tenancy,
versions and audit."""

from __future__ import annotations

import uuid
from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.helpers import Client, audit_events, bearer, make_tenant, owner_token, token_for
from tests.integration.practitioners.helpers import actions

CONSULTATION = {
    "name": "Consultation",
    "default_minutes": 20,
    "min_minutes": 10,
    "max_minutes": 40,
    "colour": "#4f7cac",
}


async def created(client: Client, token: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{path}/{response.json()['id']}"
    result: dict[str, Any] = response.json()
    return result


# --- holidays ---------------------------------------------------------------------------


async def test_holidays_are_declared_listed_read_and_deleted(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    christmas = await created(client, owner, "/api/v1/holidays", {"day": "2026-12-25", "name": " Christmas  Day "})
    may_day = await created(client, owner, "/api/v1/holidays", {"day": "2026-05-01", "name": "Labour Day"})
    same_day = await client.post("/api/v1/holidays", json={"day": "2026-12-25", "name": "Again"}, headers=bearer(owner))

    assert christmas == {"id": christmas["id"], "day": "2026-12-25", "name": "Christmas Day"}
    assert same_day.status_code == 409
    assert same_day.json()["code"] == "holiday.day_taken"
    listed = (await client.get("/api/v1/holidays", headers=bearer(owner))).json()
    assert [h["id"] for h in listed["items"]] == [may_day["id"], christmas["id"]]
    winter = (await client.get("/api/v1/holidays?from=2026-06-01&to=2026-12-31", headers=bearer(owner))).json()
    assert [h["id"] for h in winter["items"]] == [christmas["id"]]
    paged = (await client.get("/api/v1/holidays?limit=1&sort=-day", headers=bearer(owner))).json()
    assert [h["id"] for h in paged["items"]] == [christmas["id"]]
    rest = await client.get(
        f"/api/v1/holidays?limit=1&sort=-day&cursor={paged['page']['next_cursor']}", headers=bearer(owner)
    )
    assert [h["id"] for h in rest.json()["items"]] == [may_day["id"]]
    assert (await client.get(f"/api/v1/holidays/{christmas['id']}", headers=bearer(owner))).json() == christmas

    assert (await client.delete(f"/api/v1/holidays/{christmas['id']}", headers=bearer(owner))).status_code == 204
    assert (await client.delete(f"/api/v1/holidays/{christmas['id']}", headers=bearer(owner))).status_code == 404
    assert (await client.get(f"/api/v1/holidays/{christmas['id']}", headers=bearer(owner))).status_code == 404
    events = actions(await audit_events(db, tenant.organization_id))
    assert events.count("holiday.create") == 2
    assert events.count("holiday.delete") == 1


async def test_invalid_holidays_are_refused(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    for body in (
        {"day": "2026-12-25", "name": "   "},
        {"day": "1066-10-14", "name": "Hastings"},
        {"day": "2026-13-01", "name": "x"},
    ):
        assert (await client.post("/api/v1/holidays", json=body, headers=bearer(owner))).status_code == 422, body
    assert (await client.get("/api/v1/holidays?from=soon", headers=bearer(owner))).status_code == 422


async def test_everyone_with_the_directory_reads_holidays_and_only_administrators_change_them(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    holiday = await created(client, owner, "/api/v1/holidays", {"day": "2026-12-25", "name": "Christmas"})
    for role in ("patient", "practitioner", "receptionist"):
        token, _ = await token_for(client, tenant, role)
        assert (await client.get("/api/v1/holidays", headers=bearer(token))).status_code == 200, role
        refused = await client.post(
            "/api/v1/holidays", json={"day": "2026-01-01", "name": "New Year"}, headers=bearer(token)
        )
        assert refused.status_code == 403, role
        assert (await client.delete(f"/api/v1/holidays/{holiday['id']}", headers=bearer(token))).status_code == 403
    admin, _ = await token_for(client, tenant, "admin")
    assert (
        await client.post("/api/v1/holidays", json={"day": "2026-01-01", "name": "New Year"}, headers=bearer(admin))
    ).status_code == 201


# --- rooms ------------------------------------------------------------------------------


async def test_rooms_are_created_read_listed_and_updated(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    room = await created(client, owner, "/api/v1/rooms", {"name": "Room 1"})
    ecg = await created(client, owner, "/api/v1/rooms", {"name": "ECG", "kind": "equipment"})
    clash = await client.post("/api/v1/rooms", json={"name": "room 1"}, headers=bearer(owner))

    assert (room["kind"], room["active"], room["version"]) == ("room", True, 1)
    assert clash.status_code == 409
    assert clash.json()["code"] == "room.name_taken"
    read = await client.get(f"/api/v1/rooms/{room['id']}", headers=bearer(owner))
    assert read.json() == room
    assert read.headers["etag"] == '"1"'
    assert [r["id"] for r in (await client.get("/api/v1/rooms", headers=bearer(owner))).json()["items"]] == [
        ecg["id"],
        room["id"],
    ]
    assert [
        r["id"] for r in (await client.get("/api/v1/rooms?kind=equipment", headers=bearer(owner))).json()["items"]
    ] == [ecg["id"]]

    updated = await client.patch(
        f"/api/v1/rooms/{room['id']}",
        json={"name": "Room A", "active": False},
        headers={**bearer(owner), "If-Match": '"1"'},
    )
    stale = await client.patch(
        f"/api/v1/rooms/{room['id']}", json={"name": "Room B"}, headers={**bearer(owner), "If-Match": '"1"'}
    )
    renamed_onto = await client.patch(f"/api/v1/rooms/{ecg['id']}", json={"name": "ROOM A"}, headers=bearer(owner))

    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["active"], updated.json()["version"]) == ("Room A", False, 2)
    assert updated.headers["etag"] == '"2"'
    assert stale.status_code == 412
    assert renamed_onto.status_code == 409
    assert [
        r["id"] for r in (await client.get("/api/v1/rooms?active=true", headers=bearer(owner))).json()["items"]
    ] == [ecg["id"]]
    events = await audit_events(db, tenant.organization_id)
    assert actions(events).count("room.create") == 2
    [update] = [e for e in events if e["action"] == "room.update"]
    assert update["details"] == {"fields": "active,name"}


async def test_rooms_are_read_by_the_directory_and_changed_by_administrators(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    room = await created(client, owner, "/api/v1/rooms", {"name": "Room 1"})
    patient, _ = await token_for(client, tenant, "patient")

    assert (await client.get(f"/api/v1/rooms/{room['id']}", headers=bearer(patient))).status_code == 200
    assert (await client.post("/api/v1/rooms", json={"name": "Room 2"}, headers=bearer(patient))).status_code == 403
    assert (
        await client.patch(f"/api/v1/rooms/{room['id']}", json={"name": "X"}, headers=bearer(patient))
    ).status_code == 403


# --- appointment types ------------------------------------------------------------------


async def test_appointment_types_are_created_read_listed_and_updated(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    consultation = await created(client, owner, "/api/v1/appointment-types", CONSULTATION)
    follow_up = await created(client, owner, "/api/v1/appointment-types", {"name": "Follow-up", "default_minutes": 15})

    assert consultation["colour"] == "#4F7CAC"
    assert (follow_up["min_minutes"], follow_up["max_minutes"], follow_up["colour"]) == (5, 240, "#4F7CAC")
    listed = (await client.get("/api/v1/appointment-types?sort=default_minutes", headers=bearer(owner))).json()
    assert [t["id"] for t in listed["items"]] == [follow_up["id"], consultation["id"]]
    path = f"/api/v1/appointment-types/{consultation['id']}"
    assert (await client.get(path, headers=bearer(owner))).json() == consultation

    longer = await client.patch(
        path, json={"max_minutes": 60, "default_minutes": 45}, headers={**bearer(owner), "If-Match": '"1"'}
    )
    assert longer.status_code == 200, longer.text
    assert (longer.json()["default_minutes"], longer.json()["max_minutes"], longer.json()["version"]) == (45, 60, 2)
    outside = await client.patch(path, json={"min_minutes": 50}, headers=bearer(owner))
    assert outside.status_code == 422
    assert [e["field"] for e in outside.json()["errors"]] == ["default_minutes"]
    assert (
        await client.patch(path, json={"active": False}, headers={**bearer(owner), "If-Match": '"1"'})
    ).status_code == 412
    assert (await client.patch(path, json={"name": "follow-UP"}, headers=bearer(owner))).status_code == 409
    retired = await client.patch(path, json={"active": False}, headers=bearer(owner))
    assert retired.json()["active"] is False
    assert [
        t["id"]
        for t in (await client.get("/api/v1/appointment-types?active=true", headers=bearer(owner))).json()["items"]
    ] == [follow_up["id"]]
    updates = [
        e["details"] for e in await audit_events(db, tenant.organization_id) if e["action"] == "appointment_type.update"
    ]
    assert updates == [{"fields": "default_minutes,max_minutes"}, {"fields": "active"}]


async def test_invalid_appointment_types_name_each_field(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    response = await client.post(
        "/api/v1/appointment-types",
        json={"name": "", "default_minutes": 17, "min_minutes": 0, "max_minutes": 600, "colour": "blue"},
        headers=bearer(owner),
    )

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "name",
        "colour",
        "default_minutes",
        "min_minutes",
        "max_minutes",
    }


async def test_patients_read_appointment_types(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    consultation = await created(client, owner, "/api/v1/appointment-types", CONSULTATION)
    patient, _ = await token_for(client, tenant, "patient")

    assert (await client.get("/api/v1/appointment-types", headers=bearer(patient))).json()["items"] == [consultation]
    assert (
        await client.post("/api/v1/appointment-types", json=CONSULTATION, headers=bearer(patient))
    ).status_code == 403


# --- tenancy ----------------------------------------------------------------------------


async def test_another_organizations_resources_are_not_found(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    other = await make_tenant(container)
    theirs = await owner_token(client, other)
    holiday = await created(client, theirs, "/api/v1/holidays", {"day": "2026-12-25", "name": "Christmas"})
    room = await created(client, theirs, "/api/v1/rooms", {"name": "Room 1"})
    kind = await created(client, theirs, "/api/v1/appointment-types", CONSULTATION)
    owner = await owner_token(client, tenant)

    for method, path, body in (
        ("GET", f"/api/v1/holidays/{holiday['id']}", None),
        ("DELETE", f"/api/v1/holidays/{holiday['id']}", None),
        ("GET", f"/api/v1/rooms/{room['id']}", None),
        ("PATCH", f"/api/v1/rooms/{room['id']}", {"name": "Mine"}),
        ("GET", f"/api/v1/appointment-types/{kind['id']}", None),
        ("PATCH", f"/api/v1/appointment-types/{kind['id']}", {"name": "Mine"}),
    ):
        foreign = await client.request(method, path, json=body, headers=bearer(owner))
        unknown = await client.request(
            method, path.rsplit("/", 1)[0] + f"/{uuid.uuid4()}", json=body, headers=bearer(owner)
        )
        assert foreign.status_code == unknown.status_code == 404, (method, path)
        assert foreign.json()["code"] == unknown.json()["code"]
    for path in ("/api/v1/holidays", "/api/v1/rooms", "/api/v1/appointment-types"):
        assert (await client.get(path, headers=bearer(owner))).json()["items"] == [], path
    # The same names and day are free in this organization.
    await created(client, owner, "/api/v1/holidays", {"day": "2026-12-25", "name": "Christmas"})
    await created(client, owner, "/api/v1/rooms", {"name": "Room 1"})
    await created(client, owner, "/api/v1/appointment-types", CONSULTATION)
    still_theirs = await client.get(f"/api/v1/rooms/{room['id']}", headers=bearer(theirs))
    assert still_theirs.json() == room
