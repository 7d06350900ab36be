"""Sessions: refresh-token rotation and reuse detection, logout, listing and revoking
sessions, and who-am-I."""

from __future__ import annotations

from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, add_user, bearer, login, make_tenant, owner_token


async def refresh(client: Client, refresh_token: str) -> tuple[int, dict[str, object]]:
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
    body: dict[str, object] = response.json()
    return response.status_code, body


async def me_status(client: Client, access_token: str) -> int:
    return (await client.get("/api/v1/auth/me", headers=bearer(access_token))).status_code


async def test_refresh_rotates_the_pair_and_the_new_tokens_work(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    first = await login(client, tenant.slug, tenant.owner_email)

    status, second = await refresh(client, first["refresh_token"])

    assert status == 200
    assert second["token_type"] == "Bearer"
    assert second["refresh_token"] != first["refresh_token"]
    assert await me_status(client, str(second["access_token"])) == 200
    status, third = await refresh(client, str(second["refresh_token"]))
    assert status == 200
    assert third["refresh_token"] not in (first["refresh_token"], second["refresh_token"])


async def test_refresh_keeps_the_same_session(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    first = await login(client, tenant.slug, tenant.owner_email)

    _, second = await refresh(client, first["refresh_token"])

    sessions = (await client.get("/api/v1/auth/sessions", headers=bearer(str(second["access_token"])))).json()
    assert len(sessions["items"]) == 1
    assert sessions["items"][0]["current"] is True


async def test_refresh_outlives_the_access_token(client: Client, container: Container, clock: ControlledClock) -> None:
    tenant = await make_tenant(container)
    tokens = await login(client, tenant.slug, tenant.owner_email)
    clock.advance(minutes=16)
    assert await me_status(client, tokens["access_token"]) == 401

    status, renewed = await refresh(client, tokens["refresh_token"])

    assert status == 200
    assert await me_status(client, str(renewed["access_token"])) == 200


async def test_replaying_a_rotated_refresh_token_revokes_the_whole_family(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    first = await login(client, tenant.slug, tenant.owner_email)
    _, second = await refresh(client, first["refresh_token"])

    status, body = await refresh(client, first["refresh_token"])

    assert status == 401
    assert body["code"] == "auth.refresh_token_reused"
    # The thief's copy and the owner's newer tokens are dead alike.
    status, body = await refresh(client, str(second["refresh_token"]))
    assert status == 401
    assert body["code"] == "auth.invalid_refresh_token"
    assert await me_status(client, str(second["access_token"])) == 401
    assert await me_status(client, first["access_token"]) == 401


async def test_reuse_in_one_session_leaves_other_sessions_alone(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    stolen = await login(client, tenant.slug, tenant.owner_email)
    other = await login(client, tenant.slug, tenant.owner_email)
    await refresh(client, stolen["refresh_token"])

    status, _ = await refresh(client, stolen["refresh_token"])

    assert status == 401
    assert await me_status(client, other["access_token"]) == 200
    assert (await refresh(client, other["refresh_token"]))[0] == 200


async def test_an_unknown_refresh_token_is_refused(client: Client, container: Container) -> None:
    await make_tenant(container)

    status, body = await refresh(client, "not-a-refresh-token-at-all")

    assert status == 401
    assert body["code"] == "auth.invalid_refresh_token"


async def test_an_access_token_is_not_a_refresh_token(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    tokens = await login(client, tenant.slug, tenant.owner_email)

    status, _ = await refresh(client, tokens["access_token"])

    assert status == 401


async def test_logout_stops_the_sessions_access_and_refresh_tokens_at_once(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    tokens = await login(client, tenant.slug, tenant.owner_email)
    other = await login(client, tenant.slug, tenant.owner_email)

    response = await client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))

    assert response.status_code == 204
    assert await me_status(client, tokens["access_token"]) == 401
    status, body = await refresh(client, tokens["refresh_token"])
    assert status == 401
    assert body["code"] == "auth.invalid_refresh_token"
    # Only that session ended.
    assert await me_status(client, other["access_token"]) == 200


async def test_logout_needs_authentication(client: Client) -> None:
    response = await client.post("/api/v1/auth/logout")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_sessions_lists_my_active_sessions_and_marks_the_current_one(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    other_user = await add_user(client, owner, "receptionist")
    await login(client, tenant.slug, other_user["email"])
    ended = await login(client, tenant.slug, tenant.owner_email)
    await client.post("/api/v1/auth/logout", headers=bearer(ended["access_token"]))
    client.headers["User-Agent"] = "session-test-agent/1.0"
    current = await login(client, tenant.slug, tenant.owner_email)

    response = await client.get("/api/v1/auth/sessions", headers=bearer(current["access_token"]))

    assert response.status_code == 200
    items = response.json()["items"]
    # The first login's session and this one; not the ended one, not the other user's.
    assert len(items) == 2
    assert [item["current"] for item in items].count(True) == 1
    mine = next(item for item in items if item["current"])
    assert mine["user_agent"] == "session-test-agent/1.0"
    assert mine["mfa_verified"] is False
    assert mine["expires_at"] > mine["created_at"]


async def test_i_can_revoke_one_of_my_other_sessions(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    phone = await login(client, tenant.slug, tenant.owner_email)
    laptop = await login(client, tenant.slug, tenant.owner_email)
    items = (await client.get("/api/v1/auth/sessions", headers=bearer(laptop["access_token"]))).json()["items"]
    phone_session = next(item["id"] for item in items if not item["current"])

    response = await client.delete(f"/api/v1/auth/sessions/{phone_session}", headers=bearer(laptop["access_token"]))

    assert response.status_code == 204
    assert await me_status(client, phone["access_token"]) == 401
    assert (await refresh(client, phone["refresh_token"]))[0] == 401
    assert await me_status(client, laptop["access_token"]) == 200
    left = (await client.get("/api/v1/auth/sessions", headers=bearer(laptop["access_token"]))).json()["items"]
    assert phone_session not in {item["id"] for item in left}


async def test_another_users_session_answers_404_and_stays_alive(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    user = await add_user(client, owner, "practitioner")
    victim = await login(client, tenant.slug, user["email"])
    victim_session = (await client.get("/api/v1/auth/sessions", headers=bearer(victim["access_token"]))).json()[
        "items"
    ][0]["id"]

    response = await client.delete(f"/api/v1/auth/sessions/{victim_session}", headers=bearer(owner))

    assert response.status_code == 404
    assert response.json()["code"] == "session.not_found"
    assert await me_status(client, victim["access_token"]) == 200
    unknown = await client.delete("/api/v1/auth/sessions/01900000-0000-7000-8000-000000000000", headers=bearer(owner))
    assert unknown.status_code == 404
    assert unknown.json()["code"] == response.json()["code"]


async def test_another_organizations_session_answers_404(client: Client, container: Container) -> None:
    here = await make_tenant(container)
    there = await make_tenant(container)
    foreign = await login(client, there.slug, there.owner_email)
    foreign_session = (await client.get("/api/v1/auth/sessions", headers=bearer(foreign["access_token"]))).json()[
        "items"
    ][0]["id"]

    response = await client.delete(
        f"/api/v1/auth/sessions/{foreign_session}", headers=bearer(await owner_token(client, here))
    )

    assert response.status_code == 404
    assert await me_status(client, foreign["access_token"]) == 200


async def test_me_describes_the_user_organization_role_and_permissions(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    user = await add_user(client, owner, "auditor")
    token = (await login(client, tenant.slug, user["email"]))["access_token"]

    response = await client.get("/api/v1/auth/me", headers=bearer(token))

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == user["id"]
    assert body["user"]["email"] == user["email"]
    assert body["user"]["status"] == "active"
    assert body["role"] == "auditor"
    assert body["organization"]["id"] == str(tenant.organization_id)
    assert body["organization"]["slug"] == tenant.slug
    assert body["organization"]["name"]
    assert sorted(body["permissions"]) == [
        "audit:read",
        "legal_holds:read",
        "legal_holds:write",
        "organization:read",
        "retention:read",
    ]
    assert body["api_key"] is None
    assert body["mfa_enrollment_required"] is False


async def test_me_refuses_missing_malformed_and_unsupported_credentials(client: Client) -> None:
    missing = await client.get("/api/v1/auth/me")
    garbage = await client.get("/api/v1/auth/me", headers=bearer("not.a.jwt"))
    basic = await client.get("/api/v1/auth/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert [r.status_code for r in (missing, garbage, basic)] == [401, 401, 401]
    assert missing.json()["code"] == "auth.unauthenticated"
    assert garbage.json()["code"] == "auth.invalid_token"
    assert basic.json()["code"] == "auth.unsupported_scheme"
