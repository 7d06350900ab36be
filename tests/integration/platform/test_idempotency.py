"""``Idempotency-Key`` on POST: a retry with the same key and body gets the first answer
and has no second effect; another body is refused; keys belong to their caller and last 24 h."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers
from sqlalchemy import func, select

from medcore.adapters.postgres import tables as t
from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, Tenant, audit_events, bearer, login, make_tenant, owner_token, token_for


def new_user(email: str = "idem@example.test", **extra: Any) -> dict[str, Any]:
    return {"email": email, "role": "nurse", "given_name": "Ida", "family_name": "Empotent", **extra}


async def user_count(db: SavepointDatabase, organization_id: UUID) -> int:
    result = await db.connection.execute(
        select(func.count()).select_from(t.users).where(t.users.c.organization_id == organization_id)
    )
    return int(result.scalar_one())


async def api_key_count(db: SavepointDatabase, organization_id: UUID) -> int:
    result = await db.connection.execute(
        select(func.count()).select_from(t.api_keys).where(t.api_keys.c.organization_id == organization_id)
    )
    return int(result.scalar_one())


@pytest.fixture
async def tenant(container: Container) -> Tenant:
    return await make_tenant(container)


@pytest.fixture
async def owner(client: Client, tenant: Tenant) -> dict[str, str]:
    return bearer(await owner_token(client, tenant))


async def test_the_same_key_and_body_replay_the_first_response_without_a_second_effect(
    client: Client, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str]
) -> None:
    headers = {**owner, "Idempotency-Key": "create-ida-1"}

    first = await client.post("/api/v1/users", json=new_user(), headers=headers)
    users_after_first = await user_count(db, tenant.organization_id)
    events_after_first = len(await audit_events(db, tenant.organization_id))
    second = await client.post("/api/v1/users", json=new_user(), headers=headers)
    third = await client.post("/api/v1/users", json=new_user(), headers=headers)

    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    for replay in (second, third):
        assert replay.status_code == 201
        assert replay.content == first.content
        assert replay.headers["location"] == first.headers["location"]
        assert replay.headers["etag"] == first.headers["etag"]
        assert replay.headers["content-type"] == first.headers["content-type"]
        assert replay.headers["idempotent-replayed"] == "true"
    assert await user_count(db, tenant.organization_id) == users_after_first == 2
    assert len(await audit_events(db, tenant.organization_id)) == events_after_first


async def test_a_replayed_answer_still_carries_the_security_headers_and_its_own_request_id(
    client: Client, owner: dict[str, str]
) -> None:
    headers = {**owner, "Idempotency-Key": "create-ida-2"}
    first = await client.post("/api/v1/users", json=new_user(), headers={**headers, "X-Request-ID": "first-try"})

    replay = await client.post("/api/v1/users", json=new_user(), headers={**headers, "X-Request-ID": "second-try"})

    assert first.status_code == replay.status_code == 201
    assert replay.headers["x-request-id"] == "second-try"
    assert replay.headers["x-content-type-options"] == "nosniff"
    assert replay.headers["cache-control"] == "no-store"


async def test_without_a_key_the_same_post_has_a_second_effect(client: Client, owner: dict[str, str]) -> None:
    first = await client.post("/api/v1/users", json=new_user(), headers=owner)
    second = await client.post("/api/v1/users", json=new_user(), headers=owner)

    assert first.status_code == 201
    assert second.status_code == 409  # the use case ran again and found the email taken


async def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    client: Client, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str]
) -> None:
    headers = {**owner, "Idempotency-Key": "create-ida-3"}
    first = await client.post("/api/v1/users", json=new_user(), headers=headers)

    reused = await client.post("/api/v1/users", json=new_user("someone.else@example.test"), headers=headers)

    assert first.status_code == 201
    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["code"] == "idempotency.key_reused"
    assert [e["field"] for e in reused.json()["errors"]] == ["Idempotency-Key"]
    assert await user_count(db, tenant.organization_id) == 2


async def test_the_same_key_on_another_path_is_another_request(client: Client, owner: dict[str, str]) -> None:
    created = await client.post("/api/v1/users", json=new_user(), headers={**owner, "Idempotency-Key": "shared"})
    user_id = created.json()["id"]

    other = await client.post(f"/api/v1/users/{user_id}/deactivate", headers={**owner, "Idempotency-Key": "shared"})

    assert created.status_code == 201
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"


async def test_different_callers_use_the_same_key_independently(
    client: Client, container: Container, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str]
) -> None:
    admin, _ = await token_for(client, tenant, "admin")
    other_tenant = await make_tenant(container)
    other_owner = bearer(await owner_token(client, other_tenant))
    key = {"Idempotency-Key": "the-same-key"}

    by_owner = await client.post("/api/v1/users", json=new_user("a@example.test"), headers={**owner, **key})
    by_admin = await client.post("/api/v1/users", json=new_user("b@example.test"), headers={**bearer(admin), **key})
    elsewhere = await client.post("/api/v1/users", json=new_user("a@example.test"), headers={**other_owner, **key})

    for response in (by_owner, by_admin, elsewhere):
        assert response.status_code == 201, response.text
        assert "idempotent-replayed" not in response.headers
    assert len({by_owner.json()["id"], by_admin.json()["id"], elsewhere.json()["id"]}) == 3
    assert await user_count(db, tenant.organization_id) == 4  # owner, admin, and the two created
    assert await user_count(db, other_tenant.organization_id) == 2


async def test_a_key_outlives_the_session_that_used_it(client: Client, tenant: Tenant, owner: dict[str, str]) -> None:
    headers = {"Idempotency-Key": "across-sessions"}
    first = await client.post("/api/v1/users", json=new_user(), headers={**owner, **headers})
    fresh_session = bearer(await owner_token(client, tenant))

    replay = await client.post("/api/v1/users", json=new_user(), headers={**fresh_session, **headers})

    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.content == first.content


async def test_keys_are_kept_24_hours_then_forgotten(
    client: Client, clock: ControlledClock, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str]
) -> None:
    key = {"Idempotency-Key": "daily"}
    first = await client.post("/api/v1/users", json=new_user(), headers={**owner, **key})
    assert first.status_code == 201

    clock.advance(hours=23, minutes=59)
    token = bearer((await login(client, tenant.slug, tenant.owner_email))["access_token"])
    still_kept = await client.post("/api/v1/users", json=new_user("later@example.test"), headers={**token, **key})
    assert still_kept.status_code == 422
    assert still_kept.json()["code"] == "idempotency.key_reused"

    clock.advance(minutes=2)
    token = bearer((await login(client, tenant.slug, tenant.owner_email))["access_token"])
    forgotten = await client.post("/api/v1/users", json=new_user("later@example.test"), headers={**token, **key})
    assert forgotten.status_code == 201
    assert "idempotent-replayed" not in forgotten.headers
    assert await user_count(db, tenant.organization_id) == 3


async def test_a_client_error_is_replayed_like_any_other_answer(client: Client, owner: dict[str, str]) -> None:
    await client.post("/api/v1/users", json=new_user("taken@example.test"), headers=owner)
    headers = {**owner, "Idempotency-Key": "conflicting"}

    first = await client.post("/api/v1/users", json=new_user("taken@example.test"), headers=headers)
    replay = await client.post("/api/v1/users", json=new_user("taken@example.test"), headers=headers)

    assert first.status_code == replay.status_code == 409
    assert replay.content == first.content
    assert replay.headers["content-type"] == "application/problem+json"
    assert replay.headers["idempotent-replayed"] == "true"


class Boom:
    async def execute(self, *args: object, **kwargs: object) -> object:
        raise RuntimeError("database fell over")


async def test_a_server_error_is_not_stored_so_a_retry_runs_again(
    client: Client, container: Container, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str]
) -> None:
    headers = {**owner, "Idempotency-Key": "retry-after-500"}
    container.use_cases.create_user.override(providers.Object(Boom()))
    try:
        failed = await client.post("/api/v1/users", json=new_user(), headers=headers)
    finally:
        container.use_cases.create_user.reset_override()

    retried = await client.post("/api/v1/users", json=new_user(), headers=headers)

    assert failed.status_code == 500
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert await user_count(db, tenant.organization_id) == 2


async def test_a_key_whose_first_request_is_still_running_answers_409(
    client: Client, container: Container, clock: ControlledClock, tenant: Tenant, owner: dict[str, str]
) -> None:
    store = container.gateways.idempotency()
    body = b'{"email":"busy@example.test","role":"nurse","given_name":"B","family_name":"Usy"}'
    # Another request with this key is in flight: it has claimed the key and not answered yet.
    fingerprint = hashlib.sha256(b"\x00".join([b"POST", b"/api/v1/users", b"", body])).hexdigest()
    claimed = await store.claim(
        tenant.organization_id, f"user:{tenant.owner_id}", "in-flight", fingerprint, clock.now()
    )
    assert claimed is None

    response = await client.post(
        "/api/v1/users",
        content=body,
        headers={**owner, "Idempotency-Key": "in-flight", "Content-Type": "application/json"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency.in_progress"


async def test_creating_an_api_key_refuses_an_idempotency_key(
    client: Client, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/api-keys",
        json={"name": "Lab import", "scopes": ["users:read"]},
        headers={**owner, "Idempotency-Key": "api-key-1"},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency.unsupported"
    assert await api_key_count(db, tenant.organization_id) == 0


async def test_login_refuses_an_idempotency_key(client: Client, tenant: Tenant) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        json={"organization": tenant.slug, "email": tenant.owner_email, "password": tenant.password},
        headers={"Idempotency-Key": "login-1"},
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency.unsupported"
    assert "access_token" not in response.text


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "tab\there", "ключ"])
async def test_a_malformed_key_is_refused(
    client: Client, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str], key: str
) -> None:
    response = await client.post("/api/v1/users", json=new_user(), headers={**owner, "Idempotency-Key": key.encode()})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency.invalid_key"
    assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]
    assert await user_count(db, tenant.organization_id) == 1


async def test_the_longest_allowed_key_is_accepted(client: Client, owner: dict[str, str]) -> None:
    response = await client.post("/api/v1/users", json=new_user(), headers={**owner, "Idempotency-Key": "k" * 255})

    assert response.status_code == 201


async def test_an_unauthenticated_post_with_a_key_is_a_401(client: Client) -> None:
    response = await client.post("/api/v1/users", json=new_user(), headers={"Idempotency-Key": "anon"})

    assert response.status_code == 401
