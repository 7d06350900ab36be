"""Patient self-registration and email verification."""

from __future__ import annotations

from typing import Any

from medcore.container import Container
from tests.integration.conftest import ControlledClock, Outbox
from tests.integration.helpers import PASSWORD, Client, Tenant, bearer, login, make_tenant, owner_token

PATIENT_PASSWORD = "my own long pass phrase"


async def open_registration(client: Client, tenant: Tenant) -> str:
    owner = await owner_token(client, tenant)
    response = await client.patch(
        "/api/v1/organizations/current", json={"settings": {"self_registration": True}}, headers=bearer(owner)
    )
    assert response.status_code == 200, response.text
    return owner


async def register(client: Client, slug: str, email: str, password: str = PATIENT_PASSWORD) -> Any:
    return await client.post(
        "/api/v1/auth/register",
        json={
            "organization": slug,
            "email": email,
            "password": password,
            "given_name": "Pat",
            "family_name": "Ient",
        },
    )


async def login_status(client: Client, slug: str, email: str, password: str = PATIENT_PASSWORD) -> int:
    response = await client.post(
        "/api/v1/auth/login", json={"organization": slug, "email": email, "password": password}
    )
    return response.status_code


async def verify_email(client: Client, slug: str, token: str) -> Any:
    return await client.post("/api/v1/auth/email/verify", json={"organization": slug, "token": token})


async def test_registration_is_refused_where_the_organization_has_not_enabled_it(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)

    closed = await register(client, tenant.slug, "pat@example.test")
    unknown = await register(client, "no-such-clinic", "pat@example.test")

    assert closed.status_code == 403
    assert closed.json()["code"] == "auth.registration_closed"
    assert unknown.status_code == 403
    assert unknown.json()["code"] == closed.json()["code"]
    assert outbox.messages() == []
    assert await login_status(client, tenant.slug, "pat@example.test") == 401


async def test_a_registered_patient_signs_in_only_after_verifying_the_email(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    owner = await open_registration(client, tenant)

    response = await register(client, tenant.slug, "pat@example.test")

    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    assert await login_status(client, tenant.slug, "pat@example.test") == 401
    pending = (await client.get("/api/v1/users?email=pat@example.test", headers=bearer(owner))).json()["items"]
    assert [(u["role"], u["status"], u["email_verified"]) for u in pending] == [
        ("patient", "pending_verification", False)
    ]

    verified = await verify_email(client, tenant.slug, outbox.token_for("pat@example.test"))

    assert verified.status_code == 204
    tokens = await login(client, tenant.slug, "pat@example.test", PATIENT_PASSWORD)
    me = (await client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))).json()
    assert me["role"] == "patient"
    assert me["user"]["status"] == "active"
    assert me["user"]["email_verified"] is True
    assert me["user"]["given_name"] == "Pat"


async def test_a_verification_link_works_once(client: Client, container: Container, outbox: Outbox) -> None:
    tenant = await make_tenant(container)
    await open_registration(client, tenant)
    await register(client, tenant.slug, "pat@example.test")
    token = outbox.token_for("pat@example.test")
    assert (await verify_email(client, tenant.slug, token)).status_code == 204

    again = await verify_email(client, tenant.slug, token)

    assert again.status_code == 422
    assert again.json()["code"] == "auth.invalid_token"


async def test_a_verification_link_expires_after_48_hours(
    client: Client, container: Container, outbox: Outbox, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    await open_registration(client, tenant)
    await register(client, tenant.slug, "pat@example.test")
    token = outbox.token_for("pat@example.test")
    clock.advance(hours=48, minutes=1)

    response = await verify_email(client, tenant.slug, token)

    assert response.status_code == 422
    assert await login_status(client, tenant.slug, "pat@example.test") == 401


async def test_made_up_and_reset_tokens_do_not_verify_an_email(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    await open_registration(client, tenant)
    await register(client, tenant.slug, "pat@example.test")
    made_up = await verify_email(client, tenant.slug, "made-up-token")
    other_org = await verify_email(client, "no-such-clinic", outbox.token_for("pat@example.test"))
    await client.post("/api/v1/auth/password/forgot", json={"organization": tenant.slug, "email": tenant.owner_email})
    reset_token = await verify_email(client, tenant.slug, outbox.token_for(tenant.owner_email))

    assert [r.status_code for r in (made_up, other_org, reset_token)] == [422, 422, 422]
    assert await login_status(client, tenant.slug, "pat@example.test") == 401


async def test_registering_a_taken_email_answers_the_same_and_tells_the_owner(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    owner = await open_registration(client, tenant)
    fresh = await register(client, tenant.slug, "pat@example.test")

    taken = await register(client, tenant.slug, tenant.owner_email, "an attackers pass phrase")

    assert taken.status_code == fresh.status_code == 202
    assert taken.json() == fresh.json()
    warnings = outbox.messages(tenant.owner_email)
    assert len(warnings) == 1
    body = warnings[0].get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "already has one" in body.decode()
    # No second account, and the existing one keeps its password and role.
    same_email = (await client.get(f"/api/v1/users?email={tenant.owner_email}", headers=bearer(owner))).json()
    assert [u["role"] for u in same_email["items"]] == ["owner"]
    assert await login_status(client, tenant.slug, tenant.owner_email, "an attackers pass phrase") == 401
    assert await login_status(client, tenant.slug, tenant.owner_email, PASSWORD) == 200


async def test_registration_applies_the_password_policy(client: Client, container: Container, outbox: Outbox) -> None:
    tenant = await make_tenant(container)
    await open_registration(client, tenant)

    response = await register(client, tenant.slug, "patricia@example.test", "patricia is me!!")

    assert response.status_code == 422
    assert response.json()["code"] == "password.too_weak"
    assert {e["field"] for e in response.json()["errors"]} == {"password"}
    assert outbox.messages() == []


async def test_closing_registration_again_refuses_new_patients(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await open_registration(client, tenant)
    assert (await register(client, tenant.slug, "first@example.test")).status_code == 202
    closed = await client.patch(
        "/api/v1/organizations/current", json={"settings": {"self_registration": False}}, headers=bearer(owner)
    )
    assert closed.status_code == 200

    response = await register(client, tenant.slug, "second@example.test")

    assert response.status_code == 403
