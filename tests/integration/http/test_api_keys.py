"""API keys: creation with scopes, acting with exactly those scopes, rotation with an
overlap window, revocation, and the secret shown only once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.tables import api_keys as api_keys_table
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import PASSWORD, Client, bearer, make_tenant, owner_token, token_for


def key_header(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def create_key(client: Client, token: str, *scopes: str, **fields: Any) -> Any:
    return await client.post(
        "/api/v1/api-keys", json={"name": "Lab integration", "scopes": list(scopes), **fields}, headers=bearer(token)
    )


async def issue(client: Client, token: str, *scopes: str, **fields: Any) -> dict[str, Any]:
    response = await create_key(client, token, *scopes, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def me_with_key(client: Client, key: str) -> int:
    return (await client.get("/api/v1/auth/me", headers=key_header(key))).status_code


async def test_creating_a_key_answers_the_key_string_once(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    response = await create_key(client, owner, "users:read", "organization:read")

    assert response.status_code == 201
    body = response.json()
    key = body["key"]
    assert key.startswith("mc_live_")
    assert key.startswith(body["api_key"]["prefix"] + "_")
    assert response.headers["location"] == f"/api/v1/api-keys/{body['api_key']['id']}"
    assert body["api_key"]["scopes"] == ["organization:read", "users:read"]
    assert body["api_key"]["active"] is True
    assert body["api_key"]["created_by"] == str(tenant.owner_id)
    listing = await client.get("/api/v1/api-keys", headers=bearer(owner))
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["items"]] == [body["api_key"]["id"]]
    assert "key" not in listing.json()["items"][0]
    secret = key.rsplit("_", 1)[1]
    assert secret not in listing.text


async def test_only_a_hash_of_the_key_is_stored(client: Client, container: Container, db: SavepointDatabase) -> None:
    tenant = await make_tenant(container)
    issued = await issue(client, await owner_token(client, tenant), "users:read")
    secret = issued["key"].rsplit("_", 1)[1]

    rows = (await db.connection.execute(select(api_keys_table))).mappings().all()

    stored = json.dumps([dict(row) for row in rows], default=str)
    assert str(issued["api_key"]["id"]) in stored
    assert secret not in stored


async def test_a_key_acts_with_exactly_its_scopes(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    key = (await issue(client, owner, "users:read"))["key"]

    listed = await client.get("/api/v1/users", headers=key_header(key))
    read_one = await client.get(f"/api/v1/users/{tenant.owner_id}", headers=key_header(key))
    created = await client.post(
        "/api/v1/users",
        json={"email": "x@example.test", "role": "nurse", "given_name": "X", "family_name": "Y", "password": PASSWORD},
        headers=key_header(key),
    )
    organization = await client.get("/api/v1/organizations/current", headers=key_header(key))
    keys = await client.get("/api/v1/api-keys", headers=key_header(key))

    assert listed.status_code == 200
    assert [u["email"] for u in listed.json()["items"]] == [tenant.owner_email]
    assert read_one.status_code == 200
    assert created.status_code == 403
    assert created.json()["code"] == "permission_denied"
    assert organization.status_code == 403
    assert keys.status_code == 403
    assert [u["email"] for u in (await client.get("/api/v1/users", headers=bearer(owner))).json()["items"]] == [
        tenant.owner_email
    ]


async def test_a_key_with_write_scope_creates_users(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    key = (await issue(client, await owner_token(client, tenant), "users:write"))["key"]

    created = await client.post(
        "/api/v1/users",
        json={"email": "x@example.test", "role": "nurse", "given_name": "X", "family_name": "Y"},
        headers=key_header(key),
    )
    owner_by_key = await client.post(
        "/api/v1/users",
        json={"email": "o@example.test", "role": "owner", "given_name": "O", "family_name": "W"},
        headers=key_header(key),
    )

    assert created.status_code == 201
    # A key acts as an administrator at most: it cannot make owners.
    assert owner_by_key.status_code == 422


async def test_me_with_an_api_key_describes_the_key(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    issued = await issue(client, await owner_token(client, tenant), "users:read")

    response = await client.get("/api/v1/auth/me", headers=key_header(issued["key"]))

    assert response.status_code == 200
    body = response.json()
    assert body["user"] is None
    assert body["role"] is None
    assert body["api_key"]["id"] == issued["api_key"]["id"]
    assert body["permissions"] == ["users:read"]
    assert body["organization"]["slug"] == tenant.slug
    assert "key" not in body["api_key"]


async def test_a_key_has_no_session_password_or_mfa(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    key = (await issue(client, await owner_token(client, tenant), "users:read"))["key"]

    responses = [
        await client.get("/api/v1/auth/sessions", headers=key_header(key)),
        await client.post("/api/v1/auth/logout", headers=key_header(key)),
        await client.post(
            "/api/v1/auth/password/change",
            json={"current_password": PASSWORD, "new_password": "some new pass phrase"},
            headers=key_header(key),
        ),
        await client.post("/api/v1/auth/mfa/totp/enroll", headers=key_header(key)),
    ]

    assert [r.status_code for r in responses] == [422] * len(responses)
    assert await me_with_key(client, key) == 200


async def test_a_key_records_when_it_was_last_used(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    issued = await issue(client, owner, "users:read")
    assert issued["api_key"]["last_used_at"] is None

    await client.get("/api/v1/users", headers=key_header(issued["key"]))

    item = (await client.get("/api/v1/api-keys", headers=bearer(owner))).json()["items"][0]
    assert item["last_used_at"] is not None


async def test_scopes_wider_than_the_creators_are_refused(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    admin, _ = await token_for(client, tenant, "admin")

    by_admin = await create_key(client, admin, "users:read", "audit:read")
    by_owner = await create_key(client, owner, "users:read", "audit:read")

    assert by_admin.status_code == 422
    assert [e["field"] for e in by_admin.json()["errors"]] == ["scopes"]
    assert "audit:read" in by_admin.json()["errors"][0]["message"]
    assert by_owner.status_code == 201
    assert by_owner.json()["api_key"]["scopes"] == ["audit:read", "users:read"]


async def test_a_key_cannot_mint_a_wider_key(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    key = (await issue(client, await owner_token(client, tenant), "api_keys:write", "users:read"))["key"]

    wider = await client.post(
        "/api/v1/api-keys", json={"name": "wider", "scopes": ["users:write"]}, headers=key_header(key)
    )
    narrower = await client.post(
        "/api/v1/api-keys", json={"name": "narrower", "scopes": ["users:read"]}, headers=key_header(key)
    )

    assert wider.status_code == 422
    assert [e["field"] for e in wider.json()["errors"]] == ["scopes"]
    assert narrower.status_code == 201


async def test_unknown_empty_and_past_settings_are_refused_naming_the_field(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    unknown = await create_key(client, owner, "users:read", "rule:world")
    empty = await create_key(client, owner)
    past = await create_key(client, owner, "users:read", expires_at="2020-01-01T00:00:00Z")

    assert [r.status_code for r in (unknown, empty, past)] == [422, 422, 422]
    assert [e["field"] for e in unknown.json()["errors"]] == ["scopes"]
    assert "rule:world" in unknown.json()["errors"][0]["message"]
    assert [e["field"] for e in empty.json()["errors"]] == ["scopes"]
    assert [e["field"] for e in past.json()["errors"]] == ["expires_at"]
    assert (await client.get("/api/v1/api-keys", headers=bearer(owner))).json()["items"] == []


async def test_a_key_stops_working_when_it_expires(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    expires = (clock.now() + timedelta(hours=1)).isoformat()
    key = (await issue(client, await owner_token(client, tenant), "users:read", expires_at=expires))["key"]
    assert await me_with_key(client, key) == 200

    clock.advance(hours=1, seconds=1)

    assert await me_with_key(client, key) == 401


async def test_rotation_keeps_the_old_key_working_inside_the_overlap_window_only(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    issued = await issue(client, owner, "users:read")
    old = issued["key"]

    response = await client.post(
        f"/api/v1/api-keys/{issued['api_key']['id']}/rotate", json={"overlap_minutes": 60}, headers=bearer(owner)
    )

    assert response.status_code == 200
    new = response.json()["key"]
    assert new != old
    assert new.startswith(issued["api_key"]["prefix"] + "_")
    assert response.json()["api_key"]["id"] == issued["api_key"]["id"]
    assert response.json()["api_key"]["previous_secret_valid_until"] is not None
    assert await me_with_key(client, old) == 200
    assert await me_with_key(client, new) == 200
    clock.advance(minutes=59)
    assert await me_with_key(client, old) == 200
    clock.advance(minutes=2)
    assert await me_with_key(client, old) == 401
    assert await me_with_key(client, new) == 200


async def test_rotation_without_a_body_keeps_the_old_key_for_a_day(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    issued = await issue(client, owner, "users:read")

    response = await client.post(f"/api/v1/api-keys/{issued['api_key']['id']}/rotate", headers=bearer(owner))

    assert response.status_code == 200
    clock.advance(hours=23, minutes=59)
    assert await me_with_key(client, issued["key"]) == 200
    clock.advance(minutes=2)
    assert await me_with_key(client, issued["key"]) == 401
    assert await me_with_key(client, response.json()["key"]) == 200


async def test_rotation_with_no_overlap_cuts_the_old_key_at_once(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    issued = await issue(client, owner, "users:read")

    response = await client.post(
        f"/api/v1/api-keys/{issued['api_key']['id']}/rotate", json={"overlap_minutes": 0}, headers=bearer(owner)
    )

    assert response.status_code == 200
    assert await me_with_key(client, issued["key"]) == 401
    assert await me_with_key(client, response.json()["key"]) == 200


async def test_an_overlap_beyond_seven_days_is_refused(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    issued = await issue(client, owner, "users:read")

    response = await client.post(
        f"/api/v1/api-keys/{issued['api_key']['id']}/rotate", json={"overlap_minutes": 10081}, headers=bearer(owner)
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["overlap_minutes"]
    assert await me_with_key(client, issued["key"]) == 200


async def test_revoking_a_key_stops_it_at_once(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    issued = await issue(client, owner, "users:read")
    kept = await issue(client, owner, "users:read")
    assert await me_with_key(client, issued["key"]) == 200

    response = await client.delete(f"/api/v1/api-keys/{issued['api_key']['id']}", headers=bearer(owner))

    assert response.status_code == 204
    refused = await client.get("/api/v1/users", headers=key_header(issued["key"]))
    assert refused.status_code == 401
    assert refused.json()["code"] == "auth.invalid_api_key"
    assert await me_with_key(client, kept["key"]) == 200
    again = await client.delete(f"/api/v1/api-keys/{issued['api_key']['id']}", headers=bearer(owner))
    assert again.status_code == 409
    rotate = await client.post(f"/api/v1/api-keys/{issued['api_key']['id']}/rotate", headers=bearer(owner))
    assert rotate.status_code == 409
    inactive = (await client.get("/api/v1/api-keys?active=false", headers=bearer(owner))).json()["items"]
    assert [(k["id"], k["active"]) for k in inactive] == [(issued["api_key"]["id"], False)]
    assert inactive[0]["revoked_at"] is not None
    active = (await client.get("/api/v1/api-keys?active=true", headers=bearer(owner))).json()["items"]
    assert [k["id"] for k in active] == [kept["api_key"]["id"]]


async def test_revoking_a_rotated_key_stops_the_old_secret_too(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    issued = await issue(client, owner, "users:read")
    rotated = await client.post(f"/api/v1/api-keys/{issued['api_key']['id']}/rotate", headers=bearer(owner))

    await client.delete(f"/api/v1/api-keys/{issued['api_key']['id']}", headers=bearer(owner))

    assert await me_with_key(client, issued["key"]) == 401
    assert await me_with_key(client, rotated.json()["key"]) == 401


async def test_made_up_keys_are_refused(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    issued = await issue(client, await owner_token(client, tenant), "users:read")
    prefix = issued["api_key"]["prefix"]

    for key in ("nonsense", "mc_live_", f"{prefix}_wrongsecret", "mc_live_0000000000000000_secret"):
        response = await client.get("/api/v1/auth/me", headers=key_header(key))
        assert response.status_code == 401, key
        assert response.json()["code"] == "auth.invalid_api_key"


async def test_unknown_and_foreign_keys_answer_404(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    other = await make_tenant(container)
    foreign = await issue(client, await owner_token(client, other), "users:read")
    owner = await owner_token(client, tenant)

    responses = [
        await client.post(f"/api/v1/api-keys/{foreign['api_key']['id']}/rotate", headers=bearer(owner)),
        await client.delete(f"/api/v1/api-keys/{foreign['api_key']['id']}", headers=bearer(owner)),
        await client.delete("/api/v1/api-keys/01900000-0000-7000-8000-000000000000", headers=bearer(owner)),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert await me_with_key(client, foreign["key"]) == 200
    assert (await client.get("/api/v1/api-keys", headers=bearer(owner))).json()["items"] == []


async def test_staff_without_key_permissions_get_403(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    issued = await issue(client, await owner_token(client, tenant), "users:read")
    token, _ = await token_for(client, tenant, "receptionist")

    responses = [
        await client.get("/api/v1/api-keys", headers=bearer(token)),
        await create_key(client, token, "organization:read"),
        await client.post(f"/api/v1/api-keys/{issued['api_key']['id']}/rotate", headers=bearer(token)),
        await client.delete(f"/api/v1/api-keys/{issued['api_key']['id']}", headers=bearer(token)),
    ]

    assert [r.status_code for r in responses] == [403] * len(responses)
    assert await me_with_key(client, issued["key"]) == 200
