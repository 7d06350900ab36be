"""Sign-in: the happy path and the refusals that must look alike."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcore.container import Container
from tests.integration.conftest import ControlledClock, Outbox
from tests.integration.helpers import PASSWORD, Client, add_user, bearer, login, make_tenant, owner_token


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


async def test_a_successful_login_resets_the_failure_count(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    wrong = {"organization": tenant.slug, "email": tenant.owner_email, "password": "not the password!"}
    first = [(await client.post("/api/v1/auth/login", json=wrong)).status_code for _ in range(4)]
    assert first == [401, 401, 401, 401]

    await login(client, tenant.slug, tenant.owner_email)

    # Without the reset the next failure would be the fifth in a row and lock the account.
    again = [(await client.post("/api/v1/auth/login", json=wrong)).status_code for _ in range(4)]
    assert again == [401, 401, 401, 401]
    await login(client, tenant.slug, tenant.owner_email)


async def test_after_the_lock_runs_out_failures_are_counted_afresh(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    wrong = {"organization": tenant.slug, "email": tenant.owner_email, "password": "not the password!"}
    for _ in range(5):
        await client.post("/api/v1/auth/login", json=wrong)
    clock.advance(minutes=16)

    response = await client.post("/api/v1/auth/login", json=wrong)

    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_credentials"


async def test_the_locked_answer_says_until_when(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    wrong = {"organization": tenant.slug, "email": tenant.owner_email, "password": "not the password!"}
    for _ in range(5):
        response = await client.post("/api/v1/auth/login", json=wrong)

    assert response.status_code == 423
    body = response.json()
    assert body["code"] == "auth.account_locked"
    assert "locked_until" in body
    # A wrong password while locked does not reveal whether it was right: still 423.
    assert (await client.post("/api/v1/auth/login", json=wrong)).status_code == 423


async def test_the_email_is_matched_regardless_of_case(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)

    response = await client.post(
        "/api/v1/auth/login",
        json={"organization": tenant.slug, "email": tenant.owner_email.upper(), "password": PASSWORD},
    )

    assert response.status_code == 200
    assert response.json()["access_token"]


async def test_a_deactivated_account_cannot_log_in_and_looks_like_a_wrong_password(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    user = await add_user(client, owner, "receptionist")
    deactivated = await client.post(f"/api/v1/users/{user['id']}/deactivate", headers=bearer(owner))
    assert deactivated.status_code == 200

    response = await client.post(
        "/api/v1/auth/login", json={"organization": tenant.slug, "email": user["email"], "password": PASSWORD}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_credentials"


async def test_an_invited_account_cannot_log_in_before_choosing_a_password(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    user = await add_user(client, owner, "practitioner", password=None)
    assert user["status"] == "invited"

    for password in (PASSWORD, "", "anything at all here"):
        response = await client.post(
            "/api/v1/auth/login", json={"organization": tenant.slug, "email": user["email"], "password": password}
        )
        assert response.status_code == 401
        assert response.json()["code"] == "auth.invalid_credentials"
    assert outbox.messages(user["email"])


async def test_a_login_answers_no_mfa_fields_for_an_account_without_mfa(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)

    tokens = await login(client, tenant.slug, tenant.owner_email)

    assert tokens["mfa_enrollment_required"] is False
    assert "mfa_required" not in tokens
    assert tokens["refresh_token"] != tokens["access_token"]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    local_part=st.from_regex(r"[a-z][a-z0-9.]{0,20}", fullmatch=True),
    # NUL cannot be stored by PostgreSQL: the schema refuses it for everyone (422), account or not.
    password=st.text(st.characters(blacklist_characters="\x00"), max_size=60),
)
async def test_any_unknown_account_gets_exactly_the_wrong_password_answer(
    client: Client, container: Container, local_part: str, password: str
) -> None:
    tenant = await make_tenant(container)
    wrong_password = await client.post(
        "/api/v1/auth/login",
        json={"organization": tenant.slug, "email": tenant.owner_email, "password": PASSWORD + "!"},
    )

    unknown = await client.post(
        "/api/v1/auth/login",
        json={"organization": tenant.slug, "email": f"{local_part}@example.test", "password": password},
    )

    assert unknown.status_code == wrong_password.status_code == 401
    keep = ("type", "title", "status", "code", "detail")
    assert {k: unknown.json().get(k) for k in keep} == {k: wrong_password.json().get(k) for k in keep}
    assert unknown.headers.get("www-authenticate") == wrong_password.headers.get("www-authenticate")
