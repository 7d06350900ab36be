"""Cursor pagination of lists: every item exactly once, in order, for every allowed sort,
stable under inserts; limits, cursors, filters and sort keys are checked (422).

Rows are inserted straight into the test's transaction (fast, and with chosen names and
instants); they are read back over HTTP. The test database collates ``C.UTF-8``, so Python's
string order is PostgreSQL's for the ASCII names used here.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import uuid6
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcore.adapters.postgres import tables as t
from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, Tenant, bearer, make_tenant, owner_token

USER_SORTS = ("created_at", "email", "family_name", "given_name")


def new_id() -> UUID:
    return UUID(str(uuid6.uuid7()))


@pytest.fixture
async def tenant(container: Container) -> Tenant:
    return await make_tenant(container)


@pytest.fixture
async def owner(client: Client, tenant: Tenant) -> dict[str, str]:
    return bearer(await owner_token(client, tenant))


async def insert_users(
    db: SavepointDatabase,
    organization_id: UUID,
    people: Sequence[tuple[str, str, datetime]],
    *,
    role: str = "nurse",
    status: str = "active",
) -> list[dict[str, Any]]:
    """Users (given name, family name, created at), as their rows."""
    rows = []
    for given_name, family_name, created_at in people:
        user_id = new_id()
        rows.append(
            {
                "id": user_id,
                "organization_id": organization_id,
                "email": f"{given_name}.{family_name}.{user_id.hex[-12:]}@example.test",
                "given_name": given_name,
                "family_name": family_name,
                "role": role,
                "status": status,
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
    if rows:
        await db.connection.execute(t.users.insert(), rows)
    return rows


def sort_param(keys: Sequence[tuple[str, bool]]) -> str:
    return ",".join(("-" if descending else "") + name for name, descending in keys)


def expected_order(rows: Sequence[dict[str, Any]], keys: Sequence[tuple[str, bool]]) -> list[str]:
    """The rows in the order of ``keys``, ties broken by id in the last key's direction."""
    ordered = sorted(rows, key=lambda r: r["id"], reverse=keys[-1][1])
    for name, descending in reversed(keys):
        ordered = sorted(ordered, key=lambda r, name=name: r[name], reverse=descending)  # type: ignore[misc]
    return [str(r["id"]) for r in ordered]


async def walk(client: Client, url: str, headers: dict[str, str], params: dict[str, str]) -> list[dict[str, Any]]:
    """Every page of a list, following ``next_cursor``: the pages' bodies."""
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = dict(params) if cursor is None else {**params, "cursor": cursor}
        response = await client.get(url, params=query, headers=headers)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = response.json()["page"]["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) <= 500, "the cursor does not advance"


def ids_of(pages: Sequence[dict[str, Any]]) -> list[str]:
    return [item["id"] for page in pages for item in page["items"]]


def assert_problem_fields(response: Any, code: str, fields: set[str]) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert {e["field"] for e in body["errors"]} == fields
    return body


# --- limits -----------------------------------------------------------------------------


async def test_the_default_page_has_50_items_and_at_most_200_can_be_asked(
    client: Client, clock: ControlledClock, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str]
) -> None:
    start = clock.now() - timedelta(days=1)
    await insert_users(db, tenant.organization_id, [("ann", "lee", start + timedelta(seconds=i)) for i in range(230)])

    default = await client.get("/api/v1/users", headers=owner)
    largest = await client.get("/api/v1/users", params={"limit": "200"}, headers=owner)
    too_large = await client.get("/api/v1/users", params={"limit": "201"}, headers=owner)

    assert default.status_code == 200
    assert len(default.json()["items"]) == 50
    assert default.json()["page"]["limit"] == 50
    assert default.json()["page"]["total"] == 231
    assert default.json()["page"]["next_cursor"]
    assert len(largest.json()["items"]) == 200
    assert largest.json()["page"]["limit"] == 200
    assert_problem_fields(too_large, "validation_failed", {"limit"})


@pytest.mark.parametrize("limit", ["0", "-1", "1.5", "ten", "", "1e2"])
async def test_a_limit_that_is_not_a_whole_number_from_1_to_200_is_refused(
    client: Client, owner: dict[str, str], limit: str
) -> None:
    response = await client.get("/api/v1/users", params={"limit": limit}, headers=owner)

    assert_problem_fields(response, "validation_failed", {"limit"})


async def test_the_last_page_has_no_next_cursor(client: Client, owner: dict[str, str]) -> None:
    response = await client.get("/api/v1/users", params={"limit": "1"}, headers=owner)

    assert response.json()["page"] == {"limit": 1, "next_cursor": None, "total": 1}


# --- walking every page -----------------------------------------------------------------


SORTS = [
    [("created_at", False)],
    [("created_at", True)],
    [("email", False)],
    [("family_name", True)],
    [("family_name", False), ("given_name", False)],
    [("family_name", False), ("given_name", True)],
    [("given_name", True), ("created_at", False)],
    [("family_name", True), ("given_name", True), ("email", False)],
]


@pytest.mark.parametrize("keys", SORTS, ids=[sort_param(k) for k in SORTS])
async def test_following_next_cursor_visits_every_user_once_in_order(
    client: Client,
    clock: ControlledClock,
    db: SavepointDatabase,
    tenant: Tenant,
    owner: dict[str, str],
    keys: list[tuple[str, bool]],
) -> None:
    start = clock.now() - timedelta(days=1)
    # Few distinct names and instants, so that most sort values tie and the id decides.
    people = [
        (["ann", "bob", "cy"][i % 3], ["lee", "moss", "ng", "oz"][i % 4], start + timedelta(seconds=i % 5))
        for i in range(23)
    ]
    rows = await insert_users(db, tenant.organization_id, people)

    for limit in (1, 4, 7, 23, 50):
        pages = await walk(
            client, "/api/v1/users", owner, {"role": "nurse", "sort": sort_param(keys), "limit": str(limit)}
        )

        assert ids_of(pages) == expected_order(rows, keys)
        assert all(len(p["items"]) == limit for p in pages[:-1])
        assert {p["page"]["total"] for p in pages} == {23}


names = st.text(alphabet="abcz", min_size=1, max_size=3)
sort_keys = st.lists(st.sampled_from(USER_SORTS), min_size=1, max_size=3, unique=True).flatmap(
    lambda fields: st.tuples(*[st.tuples(st.just(f), st.booleans()) for f in fields])
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(st.tuples(names, names, st.integers(min_value=0, max_value=6)), max_size=25),
    limit=st.integers(min_value=1, max_value=12),
    keys=sort_keys,
)
async def test_concatenated_pages_are_the_whole_sorted_list(
    client: Client,
    clock: ControlledClock,
    db: SavepointDatabase,
    tenant: Tenant,
    owner: dict[str, str],
    people: list[tuple[str, str, int]],
    limit: int,
    keys: tuple[tuple[str, bool], ...],
) -> None:
    start = clock.now() - timedelta(days=1)
    example = await db.connection.begin_nested()  # each example's users vanish after it
    try:
        rows = await insert_users(
            db, tenant.organization_id, [(g, f, start + timedelta(seconds=s)) for g, f, s in people]
        )

        pages = await walk(
            client, "/api/v1/users", owner, {"role": "nurse", "sort": sort_param(keys), "limit": str(limit)}
        )

        assert ids_of(pages) == expected_order(rows, keys)
        assert len(pages) == max(1, -(-len(rows) // limit))
        assert {p["page"]["total"] for p in pages} == {len(rows)}
    finally:
        await example.rollback()


@pytest.mark.parametrize(
    "keys",
    [[("created_at", False)], [("created_at", True)], [("family_name", False), ("given_name", False)]],
    ids=["created_at", "-created_at", "family_name,given_name"],
)
async def test_pages_are_stable_when_rows_are_inserted_between_fetches(
    client: Client,
    clock: ControlledClock,
    db: SavepointDatabase,
    tenant: Tenant,
    owner: dict[str, str],
    keys: list[tuple[str, bool]],
) -> None:
    start = clock.now() - timedelta(days=1)
    before = await insert_users(
        db,
        tenant.organization_id,
        [(f"g{i:02d}", f"f{i:02d}", start + timedelta(seconds=10 * i)) for i in range(12)],
    )
    params = {"role": "nurse", "sort": sort_param(keys), "limit": "4"}
    first = (await client.get("/api/v1/users", params=params, headers=owner)).json()

    # New rows sorting before, among, and after the rows still to come.
    added = await insert_users(
        db,
        tenant.organization_id,
        [
            ("g00", "f00", start - timedelta(seconds=5)),
            ("g05", "f05a", start + timedelta(seconds=55)),
            ("g99", "f99", start + timedelta(seconds=500)),
            ("a", "a", start + timedelta(seconds=10)),
        ],
    )
    rest = await walk(client, "/api/v1/users", owner, {**params, "cursor": first["page"]["next_cursor"]})

    seen = ids_of([first, *rest])
    assert len(seen) == len(set(seen)), "an item appeared twice"
    old = [i for i in seen if i in {str(r["id"]) for r in before}]
    assert old == expected_order(before, keys), "an existing item was skipped or moved"
    # What the walk saw is the current order of everything from the cursor on, plus page one.
    everything = expected_order([*before, *added], keys)
    last_of_first = first["items"][-1]["id"]
    after_cursor = everything[everything.index(last_of_first) + 1 :]
    assert ids_of(rest) == after_cursor


# --- cursors, filters and sort keys -----------------------------------------------------


async def _a_cursor(client: Client, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str], sort: str) -> str:
    now = datetime.now().astimezone()
    await insert_users(db, tenant.organization_id, [("ann", "lee", now), ("bob", "moss", now), ("cy", "ng", now)])
    response = await client.get("/api/v1/users", params={"limit": "1", "sort": sort}, headers=owner)
    cursor: str = response.json()["page"]["next_cursor"]
    assert cursor
    return cursor


@pytest.mark.parametrize(
    ("made_for", "used_with"),
    [
        ("family_name", "given_name"),
        ("family_name", "-family_name"),
        ("created_at", "-created_at"),
        ("family_name,given_name", "family_name"),
        ("email", "created_at"),
    ],
)
async def test_a_cursor_used_with_another_sort_is_refused(
    client: Client, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str], made_for: str, used_with: str
) -> None:
    cursor = await _a_cursor(client, db, tenant, owner, made_for)

    response = await client.get("/api/v1/users", params={"sort": used_with, "cursor": cursor}, headers=owner)

    assert_problem_fields(response, "pagination.invalid_cursor", {"cursor"})


def _encode(document: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def _decode(cursor: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


SOME_ID = "01900000-0000-7000-8000-000000000000"


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", "%%%", "AAAA", "e30", _encode([1, 2]), _encode({"s": "created_at"})]
)
async def test_a_garbage_cursor_is_refused(client: Client, owner: dict[str, str], cursor: str) -> None:
    response = await client.get("/api/v1/users", params={"cursor": cursor}, headers=owner)

    assert_problem_fields(response, "pagination.invalid_cursor", {"cursor"})


# Changes to a genuine cursor's values: (sort, change).
TAMPERING = [
    ("created_at", lambda v: ["yesterday", v[1]]),
    ("created_at", lambda v: [v[0]]),
    ("created_at", lambda v: [*v, v[1]]),
    ("created_at", lambda v: [v[0], "not-a-uuid"]),
    ("created_at", lambda v: [{"a": 1}, v[1]]),
    ("created_at", lambda v: [[v[0]], v[1]]),
    ("created_at", lambda v: [12345, v[1]]),
    ("created_at", lambda v: [v[0], 12345]),
    ("created_at", lambda v: [None, v[1]]),
    ("family_name", lambda v: [7, v[1]]),
    ("family_name", lambda v: [True, v[1]]),
    ("family_name", lambda v: [1.5, v[1]]),
    ("family_name", lambda v: [None, v[1]]),
    ("family_name", lambda v: ["\u0000", v[1]]),
    ("family_name", lambda v: "lee"),
]


@pytest.mark.parametrize(("sort", "tamper"), TAMPERING)
async def test_a_tampered_cursor_is_a_422_never_a_500(
    client: Client, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str], sort: str, tamper: Any
) -> None:
    document = _decode(await _a_cursor(client, db, tenant, owner, sort))
    assert document["s"] == f"users:{sort},id"
    cursor = _encode({**document, "v": tamper(document["v"])})

    response = await client.get("/api/v1/users", params={"sort": sort, "cursor": cursor}, headers=owner)

    assert_problem_fields(response, "pagination.invalid_cursor", {"cursor"})


async def test_an_overlong_cursor_is_refused(client: Client, owner: dict[str, str]) -> None:
    response = await client.get("/api/v1/users", params={"cursor": "A" * 3000}, headers=owner)

    assert_problem_fields(response, "validation_failed", {"cursor"})


async def test_unknown_filters_are_refused_naming_each_of_them(client: Client, owner: dict[str, str]) -> None:
    response = await client.get("/api/v1/users", params={"colour": "red", "organization_id": SOME_ID}, headers=owner)

    body = assert_problem_fields(response, "validation_failed", {"colour", "organization_id"})
    assert all("role" in e["message"] for e in body["errors"])  # the message lists the filters there are


@pytest.mark.parametrize("sort", ["password_hash", "-password_hash", "created_at,secret", "+nope"])
async def test_an_unknown_sort_key_is_refused_naming_it(client: Client, owner: dict[str, str], sort: str) -> None:
    response = await client.get("/api/v1/users", params={"sort": sort}, headers=owner)

    body = assert_problem_fields(response, "validation_failed", {"sort"})
    unknown = [k.lstrip("+-") for k in sort.split(",") if k.lstrip("+-") not in USER_SORTS]
    assert all(name in body["errors"][0]["message"] for name in unknown)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "email,-email"}, "sort"),
        ({"role": "emperor"}, "role"),
        ({"status": "sleeping"}, "status"),
        ({"q": " "}, "q"),
    ],
)
async def test_invalid_filter_or_sort_values_are_refused(
    client: Client, owner: dict[str, str], params: dict[str, str], field: str
) -> None:
    response = await client.get("/api/v1/users", params=params, headers=owner)

    assert_problem_fields(response, "validation_failed", {field})


@pytest.mark.parametrize("params", [{"email": "nul\u0000@example.test"}, {"role": "nurse\u0000"}])
async def test_a_nul_character_in_a_filter_is_a_422_not_a_500(
    client: Client, owner: dict[str, str], params: dict[str, str]
) -> None:
    response = await client.get("/api/v1/users", params=params, headers=owner)

    assert_problem_fields(response, "validation_failed", set(params))


async def test_a_filter_given_twice_is_refused(client: Client, owner: dict[str, str]) -> None:
    response = await client.get("/api/v1/users?role=nurse&role=admin", headers=owner)

    assert_problem_fields(response, "validation_failed", {"role"})


async def test_total_counts_the_filtered_rows_on_every_page(
    client: Client, clock: ControlledClock, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str]
) -> None:
    now = clock.now() - timedelta(hours=1)
    await insert_users(db, tenant.organization_id, [("n", f"nurse{i}", now) for i in range(5)], role="nurse")
    await insert_users(db, tenant.organization_id, [("r", f"recep{i}", now) for i in range(3)], role="receptionist")
    await insert_users(db, tenant.organization_id, [("d", "gone", now)], role="receptionist", status="deactivated")

    nurses = await walk(client, "/api/v1/users", owner, {"role": "nurse", "limit": "2"})
    receptionists = await walk(client, "/api/v1/users", owner, {"role": "receptionist", "limit": "2"})
    active_receptionists = await walk(
        client, "/api/v1/users", owner, {"role": "receptionist", "status": "active", "limit": "2"}
    )
    everyone = (await client.get("/api/v1/users", params={"limit": "1"}, headers=owner)).json()

    assert [p["page"]["total"] for p in nurses] == [5, 5, 5]
    assert len(ids_of(nurses)) == 5
    assert all(item["role"] == "nurse" for p in nurses for item in p["items"])
    assert {p["page"]["total"] for p in receptionists} == {4}
    assert {p["page"]["total"] for p in active_receptionists} == {3}
    assert everyone["page"]["total"] == 10
    assert len(everyone["items"]) == 1


async def test_a_list_never_shows_another_organizations_rows(
    client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase, owner: dict[str, str]
) -> None:
    other = await make_tenant(container)
    await insert_users(db, other.organization_id, [("x", "elsewhere", clock.now())])

    pages = await walk(client, "/api/v1/users", owner, {"limit": "1"})

    assert ids_of(pages) != []
    assert str(other.owner_id) not in ids_of(pages)
    assert all(item["family_name"] != "elsewhere" for p in pages for item in p["items"])
    assert {p["page"]["total"] for p in pages} == {1}


# --- API keys ---------------------------------------------------------------------------


async def create_api_keys(client: Client, owner: dict[str, str], names: Sequence[str]) -> list[dict[str, Any]]:
    created = []
    for name in names:
        response = await client.post("/api/v1/api-keys", json={"name": name, "scopes": ["users:read"]}, headers=owner)
        assert response.status_code == 201, response.text
        created.append(response.json()["api_key"])
    return created


API_KEY_SORTS = [
    [("created_at", False)],
    [("created_at", True)],
    [("name", False)],
    [("name", True)],
    [("name", False), ("created_at", True)],
]


@pytest.mark.parametrize("keys", API_KEY_SORTS, ids=[sort_param(k) for k in API_KEY_SORTS])
async def test_api_key_pages_visit_every_key_once_in_order(
    client: Client, owner: dict[str, str], keys: list[tuple[str, bool]]
) -> None:
    created = await create_api_keys(client, owner, ["beta", "alpha", "gamma", "alpha", "delta", "beta", "alpha"])
    rows = [{**k, "id": UUID(k["id"]), "created_at": datetime.fromisoformat(k["created_at"])} for k in created]

    for limit in ("1", "3", "50"):
        pages = await walk(client, "/api/v1/api-keys", owner, {"sort": sort_param(keys), "limit": limit})

        assert ids_of(pages) == expected_order(rows, keys)
        assert {p["page"]["total"] for p in pages} == {7}


async def test_api_key_list_filters_by_activity_and_refuses_unknown_parameters(
    client: Client, owner: dict[str, str]
) -> None:
    created = await create_api_keys(client, owner, ["one", "two", "three"])
    revoked = await client.delete(f"/api/v1/api-keys/{created[0]['id']}", headers=owner)
    assert revoked.status_code == 204

    active = (await client.get("/api/v1/api-keys", params={"active": "true"}, headers=owner)).json()
    inactive = (await client.get("/api/v1/api-keys", params={"active": "false"}, headers=owner)).json()
    default = (await client.get("/api/v1/api-keys", headers=owner)).json()

    assert active["page"]["total"] == 2
    assert {k["name"] for k in active["items"]} == {"two", "three"}
    assert inactive["page"]["total"] == 1
    assert [k["id"] for k in inactive["items"]] == [created[0]["id"]]
    assert default["page"]["limit"] == 50
    assert default["page"]["total"] == 3
    for params, field in [
        ({"limit": "201"}, "limit"),
        ({"active": "maybe"}, "active"),
        ({"sort": "email"}, "sort"),
        ({"role": "nurse"}, "role"),
        ({"q": "one"}, "q"),
    ]:
        response = await client.get("/api/v1/api-keys", params=params, headers=owner)
        assert_problem_fields(response, "validation_failed", {field})


async def test_a_user_list_cursor_is_not_accepted_by_the_api_key_list_with_another_sort(
    client: Client, db: SavepointDatabase, tenant: Tenant, owner: dict[str, str]
) -> None:
    cursor = await _a_cursor(client, db, tenant, owner, "family_name")

    response = await client.get("/api/v1/api-keys", params={"sort": "name", "cursor": cursor}, headers=owner)

    assert_problem_fields(response, "pagination.invalid_cursor", {"cursor"})
