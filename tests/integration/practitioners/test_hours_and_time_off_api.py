"""Working hours and time off: replacing hours, adding, listing and removing time off, and
the person linked to a practitioner managing their own."""

from __future__ import annotations

import uuid
from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.helpers import Client, audit_events, bearer, make_tenant, owner_token, token_for
from tests.integration.practitioners.helpers import WEEKDAY_HOURS, actions, create_practitioner

LEAVE = {"starts_at": "2026-07-01T00:00:00+02:00", "ends_at": "2026-07-15T00:00:00+02:00", "reason": "Summer leave"}


async def add_time_off(client: Client, token: str, practitioner_id: str, **fields: Any) -> Any:
    return await client.post(
        f"/api/v1/practitioners/{practitioner_id}/time-off", json={**LEAVE, **fields}, headers=bearer(token)
    )


# --- working hours ----------------------------------------------------------------------


async def test_working_hours_are_replaced_whole_and_read_back(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    practitioner = await create_practitioner(client, owner, working_hours=WEEKDAY_HOURS)
    path = f"/api/v1/practitioners/{practitioner['id']}/working-hours"
    rules = [
        {"weekday": 6, "start": "09:00", "end": "12:00"},
        {"weekday": 1, "start": "14:00", "end": "24:00"},
        {"weekday": 1, "start": "08:00", "end": "12:00"},
    ]

    response = await client.put(path, json={"rules": rules}, headers={**bearer(owner), "If-Match": '"1"'})

    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["etag"] == '"2"'
    assert body == {
        "practitioner_id": practitioner["id"],
        "time_zone": "Europe/Paris",
        "rules": [rules[2], rules[1], rules[0]],  # by weekday, then start
        "version": 2,
    }
    read = await client.get(path, headers=bearer(owner))
    assert read.json() == body
    assert read.headers["etag"] == '"2"'
    [event] = [e for e in await audit_events(db, tenant.organization_id) if e["action"] == "working_hours.set"]
    assert event["details"] == {"rules": 3}
    assert str(event["resource_id"]) == practitioner["id"]


async def test_invalid_working_hours_name_the_rule(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    practitioner = await create_practitioner(client, owner)
    path = f"/api/v1/practitioners/{practitioner['id']}/working-hours"

    response = await client.put(
        path,
        json={
            "rules": [
                {"weekday": 8, "start": "09:00", "end": "12:00"},
                {"weekday": 2, "start": "9h", "end": "12:00"},
                {"weekday": 3, "start": "12:00", "end": "09:00"},
            ]
        },
        headers=bearer(owner),
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["rules.0.weekday", "rules.1", "rules.2.end"]


async def test_a_stale_if_match_on_working_hours_is_412(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    practitioner = await create_practitioner(client, owner)
    await client.patch(f"/api/v1/practitioners/{practitioner['id']}", json={"buffer_minutes": 0}, headers=bearer(owner))

    response = await client.put(
        f"/api/v1/practitioners/{practitioner['id']}/working-hours",
        json={"rules": WEEKDAY_HOURS},
        headers={**bearer(owner), "If-Match": '"1"'},
    )

    assert response.status_code == 412


async def test_a_practitioner_sets_their_own_hours_but_not_a_colleagues(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    token, account = await token_for(client, tenant, "practitioner")
    own = await create_practitioner(client, owner, user_id=account["id"])
    colleague = await create_practitioner(client, owner, given_name="Hugo")

    mine = await client.put(
        f"/api/v1/practitioners/{own['id']}/working-hours", json={"rules": WEEKDAY_HOURS}, headers=bearer(token)
    )
    theirs = await client.put(
        f"/api/v1/practitioners/{colleague['id']}/working-hours", json={"rules": WEEKDAY_HOURS}, headers=bearer(token)
    )
    unknown = await client.put(
        f"/api/v1/practitioners/{uuid.uuid4()}/working-hours", json={"rules": WEEKDAY_HOURS}, headers=bearer(token)
    )

    assert mine.status_code == 200
    assert theirs.status_code == unknown.status_code == 403
    events = [e for e in await audit_events(db, tenant.organization_id) if e["action"] == "working_hours.set"]
    assert [(e["outcome"], e["actor_id"]) for e in events] == [
        ("success", uuid.UUID(account["id"])),
        ("denied", uuid.UUID(account["id"])),
        ("denied", uuid.UUID(account["id"])),
    ]


async def test_patients_read_working_hours_but_cannot_set_them(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    practitioner = await create_practitioner(client, owner, working_hours=WEEKDAY_HOURS)
    patient, _ = await token_for(client, tenant, "patient")
    path = f"/api/v1/practitioners/{practitioner['id']}/working-hours"

    assert (await client.get(path, headers=bearer(patient))).json()["rules"] == WEEKDAY_HOURS
    assert (await client.put(path, json={"rules": []}, headers=bearer(patient))).status_code == 403


# --- time off ---------------------------------------------------------------------------


async def test_time_off_is_added_read_listed_and_removed(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    practitioner = await create_practitioner(client, owner)
    base = f"/api/v1/practitioners/{practitioner['id']}/time-off"

    added = await add_time_off(client, owner, practitioner["id"])
    training = await add_time_off(
        client, owner, practitioner["id"], starts_at="2026-05-04T09:00:00Z", ends_at="2026-05-04T17:00:00Z", reason=None
    )

    assert added.status_code == 201, added.text
    body = added.json()
    assert added.headers["location"] == f"{base}/{body['id']}"
    assert body == {
        "id": body["id"],
        "practitioner_id": practitioner["id"],
        "starts_at": "2026-06-30T22:00:00Z",
        "ends_at": "2026-07-14T22:00:00Z",
        "reason": "Summer leave",
    }
    assert (await client.get(added.headers["location"], headers=bearer(owner))).json() == body
    listed = (await client.get(base, headers=bearer(owner))).json()
    assert [t["id"] for t in listed["items"]] == [training.json()["id"], body["id"]]
    july = (await client.get(f"{base}?from=2026-07-10T00:00:00Z&to=2026-08-01T00:00:00Z", headers=bearer(owner))).json()
    assert [t["id"] for t in july["items"]] == [body["id"]]
    back_to_back = await client.get(f"{base}?from=2026-07-14T22:00:00Z", headers=bearer(owner))
    assert back_to_back.json()["items"] == []  # half-open: the leave ends where the span starts

    removed = await client.delete(f"{base}/{body['id']}", headers=bearer(owner))
    again = await client.delete(f"{base}/{body['id']}", headers=bearer(owner))

    assert removed.status_code == 204
    assert again.status_code == 404
    assert again.json()["code"] == "time_off.not_found"
    assert [t["id"] for t in (await client.get(base, headers=bearer(owner))).json()["items"]] == [training.json()["id"]]
    events = await audit_events(db, tenant.organization_id)
    assert actions(events).count("time_off.add") == 2
    [removal] = [e for e in events if e["action"] == "time_off.remove"]
    assert str(removal["resource_id"]) == body["id"]
    assert removal["details"] == {"practitioner_id": practitioner["id"]}
    assert "Summer" not in str([e["details"] for e in events])


async def test_invalid_time_off_is_refused(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    practitioner = await create_practitioner(client, owner)

    backwards = await add_time_off(client, owner, practitioner["id"], ends_at="2026-06-01T00:00:00Z")
    naive = await add_time_off(client, owner, practitioner["id"], starts_at="2026-07-01T00:00:00")
    far = await add_time_off(client, owner, practitioner["id"], ends_at="9999-12-31T23:59:59-12:00")

    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "ends_at"
    assert naive.status_code == 422
    assert far.status_code == 422
    bad_filter = await client.get(
        f"/api/v1/practitioners/{practitioner['id']}/time-off?from=2026-07-01T00:00:00Z&to=2026-06-01T00:00:00Z",
        headers=bearer(owner),
    )
    assert bad_filter.status_code == 422
    no_offset = await client.get(
        f"/api/v1/practitioners/{practitioner['id']}/time-off?from=2026-07-01T00:00:00", headers=bearer(owner)
    )
    assert no_offset.status_code == 422


async def test_time_off_of_another_practitioner_is_not_found_under_this_one(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    one = await create_practitioner(client, owner)
    other = await create_practitioner(client, owner, given_name="Hugo")
    leave = (await add_time_off(client, owner, one["id"])).json()

    path = f"/api/v1/practitioners/{other['id']}/time-off/{leave['id']}"
    assert (await client.get(path, headers=bearer(owner))).status_code == 404
    assert (await client.delete(path, headers=bearer(owner))).status_code == 404


async def test_a_practitioner_manages_their_own_time_off_only(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    token, account = await token_for(client, tenant, "practitioner")
    own = await create_practitioner(client, owner, user_id=account["id"])
    colleague = await create_practitioner(client, owner, given_name="Hugo")
    colleague_leave = (await add_time_off(client, owner, colleague["id"])).json()

    mine = await add_time_off(client, token, own["id"])
    assert mine.status_code == 201
    assert (
        await client.delete(f"/api/v1/practitioners/{own['id']}/time-off/{mine.json()['id']}", headers=bearer(token))
    ).status_code == 204
    assert (await add_time_off(client, token, colleague["id"])).status_code == 403
    removal = await client.delete(
        f"/api/v1/practitioners/{colleague['id']}/time-off/{colleague_leave['id']}", headers=bearer(token)
    )
    assert removal.status_code == 403
    # Staff read colleagues' time off (to plan), but change only their own.
    assert (
        await client.get(f"/api/v1/practitioners/{colleague['id']}/time-off", headers=bearer(token))
    ).status_code == 200


async def test_patients_see_no_time_off(client: Client, container: Container, db: SavepointDatabase) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    practitioner = await create_practitioner(client, owner)
    leave = (await add_time_off(client, owner, practitioner["id"])).json()
    patient, _ = await token_for(client, tenant, "patient")
    base = f"/api/v1/practitioners/{practitioner['id']}/time-off"

    assert (await client.get(base, headers=bearer(patient))).status_code == 403
    assert (await client.get(f"{base}/{leave['id']}", headers=bearer(patient))).status_code == 403
    assert (await add_time_off(client, patient, practitioner["id"])).status_code == 403
    denied = [e for e in await audit_events(db, tenant.organization_id) if e["outcome"] == "denied"]
    assert actions(denied) == ["time_off.list", "time_off.read", "time_off.add"]
