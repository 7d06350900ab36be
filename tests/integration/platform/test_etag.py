"""``ETag`` and ``If-Match``: every version has its tag, and a conditional update made
against an old version is refused (412) without changing anything."""

from __future__ import annotations

from typing import Any

import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.helpers import Client, Tenant, add_user, audit_events, bearer, make_tenant, owner_token


@pytest.fixture
async def tenant(container: Container) -> Tenant:
    return await make_tenant(container)


@pytest.fixture
async def owner(client: Client, tenant: Tenant) -> dict[str, str]:
    return bearer(await owner_token(client, tenant))


@pytest.fixture
async def user_url(client: Client, owner: dict[str, str]) -> str:
    user = await add_user(client, owner["Authorization"].removeprefix("Bearer "), "nurse")
    return f"/api/v1/users/{user['id']}"


ORGANIZATION_URL = "/api/v1/organizations/current"

# (resource, a change, another change, the field the changes set)
RESOURCES = [
    pytest.param("user", {"given_name": "Anna"}, {"given_name": "Berta"}, "given_name", id="user"),
    pytest.param("organization", {"name": "Clinic Anna"}, {"name": "Clinic Berta"}, "name", id="organization"),
]


def url_of(resource: str, user_url: str) -> str:
    return user_url if resource == "user" else ORGANIZATION_URL


def field_value(body: dict[str, Any], field: str) -> Any:
    return body[field]


async def test_creating_a_user_answers_the_etag_of_its_first_version(client: Client, owner: dict[str, str]) -> None:
    response = await client.post(
        "/api/v1/users",
        json={"email": "tagged@example.test", "role": "nurse", "given_name": "T", "family_name": "Agged"},
        headers=owner,
    )

    assert response.status_code == 201
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    fetched = await client.get(response.headers["location"], headers=owner)
    assert fetched.headers["etag"] == response.headers["etag"]


@pytest.mark.parametrize(("resource", "change", "other_change", "field"), RESOURCES)
async def test_the_etag_names_the_version_and_changes_with_each_update(
    client: Client,
    owner: dict[str, str],
    user_url: str,
    resource: str,
    change: dict[str, Any],
    other_change: dict[str, Any],
    field: str,
) -> None:
    url = url_of(resource, user_url)
    tags = []
    current = await client.get(url, headers=owner)
    tags.append(current.headers["etag"])
    assert current.headers["etag"] == f'"{current.json()["version"]}"'

    for patch in (change, other_change, change):
        updated = await client.patch(url, json=patch, headers={**owner, "If-Match": tags[-1]})
        assert updated.status_code == 200, updated.text
        assert updated.headers["etag"] == f'"{updated.json()["version"]}"'
        assert (await client.get(url, headers=owner)).headers["etag"] == updated.headers["etag"]
        tags.append(updated.headers["etag"])

    assert len(set(tags)) == len(tags) == 4


@pytest.mark.parametrize(("resource", "change", "other_change", "field"), RESOURCES)
async def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(
    client: Client,
    db: SavepointDatabase,
    tenant: Tenant,
    owner: dict[str, str],
    user_url: str,
    resource: str,
    change: dict[str, Any],
    other_change: dict[str, Any],
    field: str,
) -> None:
    url = url_of(resource, user_url)
    read_by_alice = await client.get(url, headers=owner)
    stale = read_by_alice.headers["etag"]
    written_by_bob = await client.patch(url, json=change, headers={**owner, "If-Match": stale})
    assert written_by_bob.status_code == 200
    action = f"{resource}.update"
    events_before = await audit_events(db, tenant.organization_id)
    assert [e["outcome"] for e in events_before if e["action"] == action] == ["success"]

    refused = await client.patch(url, json=other_change, headers={**owner, "If-Match": stale})

    assert refused.status_code == 412
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 412
    after = await client.get(url, headers=owner)
    assert field_value(after.json(), field) == change[field]
    assert after.headers["etag"] == written_by_bob.headers["etag"]
    events = await audit_events(db, tenant.organization_id)
    assert not any(e["outcome"] == "success" for e in events[len(events_before) :] if e["action"] == action)


@pytest.mark.parametrize(("resource", "change", "other_change", "field"), RESOURCES)
@pytest.mark.parametrize(
    "if_match",
    ["W/{tag}", "{bare}", '"abc"', '"{bare}", "{bare}"', "", '"-1"', '"' + "9" * 19 + '"'],
    ids=["weak", "unquoted", "not-a-number", "list", "empty", "negative", "too-long"],
)
async def test_a_weak_or_malformed_if_match_fails_the_precondition(
    client: Client,
    owner: dict[str, str],
    user_url: str,
    resource: str,
    change: dict[str, Any],
    other_change: dict[str, Any],
    field: str,
    if_match: str,
) -> None:
    url = url_of(resource, user_url)
    before = await client.get(url, headers=owner)
    tag = before.headers["etag"]
    header = if_match.format(tag=tag, bare=tag.strip('"'))

    response = await client.patch(url, json=change, headers={**owner, "If-Match": header})

    assert response.status_code == 412, response.text
    assert response.json()["code"] == "precondition_failed"
    after = await client.get(url, headers=owner)
    assert after.headers["etag"] == tag
    assert field_value(after.json(), field) == field_value(before.json(), field)


@pytest.mark.parametrize(("resource", "change", "other_change", "field"), RESOURCES)
async def test_without_if_match_updates_still_apply(
    client: Client,
    owner: dict[str, str],
    user_url: str,
    resource: str,
    change: dict[str, Any],
    other_change: dict[str, Any],
    field: str,
) -> None:
    url = url_of(resource, user_url)
    before = await client.get(url, headers=owner)

    first = await client.patch(url, json=change, headers=owner)
    second = await client.patch(url, json=other_change, headers={**owner, "If-Match": "*"})

    assert first.status_code == second.status_code == 200
    assert field_value(second.json(), field) == other_change[field]
    assert second.json()["version"] == before.json()["version"] + 2


async def test_a_stale_if_match_also_guards_deactivation(client: Client, owner: dict[str, str], user_url: str) -> None:
    stale = (await client.get(user_url, headers=owner)).headers["etag"]
    await client.patch(user_url, json={"family_name": "Renamed"}, headers=owner)

    refused = await client.post(f"{user_url}/deactivate", headers={**owner, "If-Match": stale})

    assert refused.status_code == 412
    assert (await client.get(user_url, headers=owner)).json()["status"] == "active"
