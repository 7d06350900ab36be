"""Passwords: changing one's own, asking for a reset link, and resetting with it."""

from __future__ import annotations

from typing import Any

from medcore.container import Container
from tests.integration.conftest import ControlledClock, Outbox
from tests.integration.helpers import PASSWORD, Client, Tenant, bearer, login, make_tenant

NEW_PASSWORD = "a brand new pass phrase"


async def try_login(client: Client, tenant: Tenant, password: str) -> int:
    response = await client.post(
        "/api/v1/auth/login", json={"organization": tenant.slug, "email": tenant.owner_email, "password": password}
    )
    return response.status_code


async def me_status(client: Client, access_token: str) -> int:
    return (await client.get("/api/v1/auth/me", headers=bearer(access_token))).status_code


async def refresh_status(client: Client, refresh_token: str) -> int:
    return (await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})).status_code


async def change(client: Client, token: str, current: str, new: str) -> Any:
    return await client.post(
        "/api/v1/auth/password/change",
        json={"current_password": current, "new_password": new},
        headers=bearer(token),
    )


async def forgot(client: Client, slug: str, email: str) -> Any:
    return await client.post("/api/v1/auth/password/forgot", json={"organization": slug, "email": email})


async def reset(client: Client, slug: str, token: str, new_password: str) -> Any:
    return await client.post(
        "/api/v1/auth/password/reset", json={"organization": slug, "token": token, "new_password": new_password}
    )


# --- change ---------------------------------------------------------------------------


async def test_changing_the_password_keeps_this_session_and_ends_the_others(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    here = await login(client, tenant.slug, tenant.owner_email)
    elsewhere = await login(client, tenant.slug, tenant.owner_email)

    response = await change(client, here["access_token"], PASSWORD, NEW_PASSWORD)

    assert response.status_code == 204
    assert await me_status(client, here["access_token"]) == 200
    assert await refresh_status(client, here["refresh_token"]) == 200
    assert await me_status(client, elsewhere["access_token"]) == 401
    assert await refresh_status(client, elsewhere["refresh_token"]) == 401
    assert await try_login(client, tenant, PASSWORD) == 401
    assert await try_login(client, tenant, NEW_PASSWORD) == 200


async def test_a_wrong_current_password_is_refused_and_changes_nothing(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    here = await login(client, tenant.slug, tenant.owner_email)
    elsewhere = await login(client, tenant.slug, tenant.owner_email)

    response = await change(client, here["access_token"], "this is not it at all", NEW_PASSWORD)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["current_password"]
    assert await me_status(client, elsewhere["access_token"]) == 200
    assert await try_login(client, tenant, NEW_PASSWORD) == 401
    assert await try_login(client, tenant, PASSWORD) == 200


async def test_a_weak_new_password_is_refused_naming_new_password(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    token = (await login(client, tenant.slug, tenant.owner_email))["access_token"]
    local_part = tenant.owner_email.split("@")[0]

    for weak in ("short", "password1234", f"my {local_part} password"):
        response = await change(client, token, PASSWORD, weak)
        assert response.status_code == 422, weak
        assert response.json()["code"] == "password.too_weak"
        assert {e["field"] for e in response.json()["errors"]} == {"new_password"}
    assert await try_login(client, tenant, PASSWORD) == 200


async def test_the_new_password_must_differ_from_the_current_one(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    token = (await login(client, tenant.slug, tenant.owner_email))["access_token"]

    response = await change(client, token, PASSWORD, PASSWORD)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["new_password"]


async def test_changing_the_password_needs_a_signed_in_user(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/password/change", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 401


# --- forgot -----------------------------------------------------------------------------


async def test_forgot_answers_alike_for_known_and_unknown_emails_but_mails_only_the_known(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)

    known = await forgot(client, tenant.slug, tenant.owner_email)
    unknown = await forgot(client, tenant.slug, "nobody@example.test")
    no_org = await forgot(client, "no-such-clinic", tenant.owner_email)

    assert [r.status_code for r in (known, unknown, no_org)] == [202, 202, 202]
    assert known.json() == unknown.json() == no_org.json()
    assert len(outbox.messages(tenant.owner_email)) == 1
    assert outbox.messages("nobody@example.test") == []
    assert len(outbox.messages()) == 1
    assert "token=" in str(outbox.messages(tenant.owner_email)[0].get_payload(decode=True))


# --- reset ------------------------------------------------------------------------------


async def test_a_reset_link_sets_a_new_password_and_ends_every_session(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    first = await login(client, tenant.slug, tenant.owner_email)
    second = await login(client, tenant.slug, tenant.owner_email)
    await forgot(client, tenant.slug, tenant.owner_email)
    token = outbox.token_for(tenant.owner_email)

    response = await reset(client, tenant.slug, token, NEW_PASSWORD)

    assert response.status_code == 204
    for tokens in (first, second):
        assert await me_status(client, tokens["access_token"]) == 401
        assert await refresh_status(client, tokens["refresh_token"]) == 401
    assert await try_login(client, tenant, PASSWORD) == 401
    assert await try_login(client, tenant, NEW_PASSWORD) == 200


async def test_a_reset_link_works_once(client: Client, container: Container, outbox: Outbox) -> None:
    tenant = await make_tenant(container)
    await forgot(client, tenant.slug, tenant.owner_email)
    token = outbox.token_for(tenant.owner_email)
    assert (await reset(client, tenant.slug, token, NEW_PASSWORD)).status_code == 204

    again = await reset(client, tenant.slug, token, "yet another pass phrase")

    assert again.status_code == 422
    assert again.json()["code"] == "auth.invalid_token"
    assert await try_login(client, tenant, NEW_PASSWORD) == 200


async def test_a_weak_password_leaves_the_reset_link_usable(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    await forgot(client, tenant.slug, tenant.owner_email)
    token = outbox.token_for(tenant.owner_email)

    weak = await reset(client, tenant.slug, token, "password")

    assert weak.status_code == 422
    assert weak.json()["code"] == "password.too_weak"
    assert {e["field"] for e in weak.json()["errors"]} == {"new_password"}
    assert (await reset(client, tenant.slug, token, NEW_PASSWORD)).status_code == 204


async def test_a_reset_link_expires_after_thirty_minutes(
    client: Client, container: Container, outbox: Outbox, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    await forgot(client, tenant.slug, tenant.owner_email)
    token = outbox.token_for(tenant.owner_email)
    clock.advance(minutes=31)

    response = await reset(client, tenant.slug, token, NEW_PASSWORD)

    assert response.status_code == 422
    assert response.json()["code"] == "auth.invalid_token"
    assert await try_login(client, tenant, PASSWORD) == 200


async def test_a_newer_reset_link_replaces_the_older_one(client: Client, container: Container, outbox: Outbox) -> None:
    tenant = await make_tenant(container)
    await forgot(client, tenant.slug, tenant.owner_email)
    older = outbox.token_for(tenant.owner_email)
    await forgot(client, tenant.slug, tenant.owner_email)
    newer = outbox.token_for(tenant.owner_email)
    assert newer != older

    assert (await reset(client, tenant.slug, older, NEW_PASSWORD)).status_code == 422
    assert (await reset(client, tenant.slug, newer, NEW_PASSWORD)).status_code == 204


async def test_a_reset_link_is_bound_to_its_organization(client: Client, container: Container, outbox: Outbox) -> None:
    tenant = await make_tenant(container)
    other = await make_tenant(container)
    await forgot(client, tenant.slug, tenant.owner_email)
    token = outbox.token_for(tenant.owner_email)

    response = await reset(client, other.slug, token, NEW_PASSWORD)

    assert response.status_code == 422
    assert response.json()["code"] == "auth.invalid_token"
    assert (await reset(client, tenant.slug, token, NEW_PASSWORD)).status_code == 204


async def test_a_made_up_reset_token_is_refused(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)

    response = await reset(client, tenant.slug, "made-up-token", NEW_PASSWORD)

    assert response.status_code == 422
    assert response.json()["code"] == "auth.invalid_token"


async def test_a_reset_unlocks_a_locked_account(client: Client, container: Container, outbox: Outbox) -> None:
    tenant = await make_tenant(container)
    for _ in range(5):
        await try_login(client, tenant, "wrong wrong wrong")
    assert await try_login(client, tenant, PASSWORD) == 423
    await forgot(client, tenant.slug, tenant.owner_email)

    assert (await reset(client, tenant.slug, outbox.token_for(tenant.owner_email), NEW_PASSWORD)).status_code == 204

    assert await try_login(client, tenant, NEW_PASSWORD) == 200
