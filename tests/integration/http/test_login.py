"""Sign-in: the happy path and the refusals that must look alike."""

from __future__ import annotations

from medcore.container import Container
from tests.integration.conftest import ControlledClock, Outbox
from tests.integration.helpers import PASSWORD, Client, bearer, login, make_tenant


async def test_login_returns_a_bearer_token_pair_that_authenticates(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)

    tokens = await login(client, tenant.slug, tenant.owner_email)

    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    me = await client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["user"]["email"] == tenant.owner_email
    assert me.json()["organization"]["slug"] == tenant.slug
    assert "users:write" in me.json()["permissions"]


async def test_wrong_password_unknown_email_and_unknown_organization_answer_alike(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    attempts = [
        {"organization": tenant.slug, "email": tenant.owner_email, "password": "wrong password here"},
        {"organization": tenant.slug, "email": "nobody@example.test", "password": PASSWORD},
        {"organization": "no-such-clinic", "email": tenant.owner_email, "password": PASSWORD},
    ]
    bodies = []
    for attempt in attempts:
        response = await client.post("/api/v1/auth/login", json=attempt)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        bodies.append((body["code"], body["detail"], body["title"]))
    assert len(set(bodies)) == 1


async def test_five_failures_lock_the_account_for_fifteen_minutes(
    client: Client, container: Container, clock: ControlledClock, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    wrong = {"organization": tenant.slug, "email": tenant.owner_email, "password": "not the password!"}
    statuses = [(await client.post("/api/v1/auth/login", json=wrong)).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 423]

    locked = await client.post(
        "/api/v1/auth/login", json={"organization": tenant.slug, "email": tenant.owner_email, "password": PASSWORD}
    )
    assert locked.status_code == 423
    assert locked.json()["code"] == "auth.account_locked"

    clock.advance(minutes=14, seconds=59)
    assert (await client.post("/api/v1/auth/login", json={**wrong, "password": PASSWORD})).status_code == 423
    clock.advance(seconds=2)
    assert (await client.post("/api/v1/auth/login", json={**wrong, "password": PASSWORD})).status_code == 200
