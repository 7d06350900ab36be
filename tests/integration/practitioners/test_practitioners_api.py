"""The practitioner endpoints: create, read, list, update; who may do what; what patients
see; tenancy; versions; audit."""

from __future__ import annotations

import uuid

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.helpers import (
    Client,
    add_user,
    audit_events,
    bearer,
    make_tenant,
    owner_token,
    token_for,
)
from tests.integration.practitioners.helpers import MARTIN, WEEKDAY_HOURS, actions, create_practitioner

STAFF_ONLY = {
    "user_id",
    "licence_number",
    "licence_expires_on",
    "licence_valid",
    "can_prescribe",
    "controlled_substances",
    "buffer_minutes",
    "daily_capacity",
    "created_at",
    "updated_at",
}

# --- create -----------------------------------------------------------------------------


async def test_an_administrator_creates_a_practitioner_linked_to_an_account(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    account = await add_user(client, owner, "practitioner")

    response = await client.post(
        "/api/v1/practitioners",
        json={**MARTIN, "user_id": account["id"], "working_hours": WEEKDAY_HOURS},
        headers=bearer(owner),
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/practitioners/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["user_id"] == account["id"]
    assert body["specialties"] == ["general_practice"]
    assert body["licence_number"] == "RPPS 10001234567"
    assert body["licence_expires_on"] == "2030-12-31"
    assert body["licence_valid"] is True
    assert body["can_prescribe"] is True
    assert body["controlled_substances"] is False
    assert body["time_zone"] == "Europe/Paris"
    assert (body["buffer_minutes"], body["daily_capacity"]) == (10, 20)
    assert body["working_hours"] == WEEKDAY_HOURS
    assert body["active"] is True
    [event] = [e for e in await audit_events(db, tenant.organization_id) if e["action"] == "practitioner.create"]
    assert str(event["resource_id"]) == body["id"]
    assert event["details"]["user_id"] == account["id"]
    assert "Martin" not in str(event["details"])


async def test_the_minimal_request_takes_the_defaults(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    response = await client.post(
        "/api/v1/practitioners",
        json={"given_name": "Ana", "family_name": "Silva", "time_zone": "America/New_York"},
        headers=bearer(owner),
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user_id"] is None
    assert body["specialties"] == []
    assert body["licence_number"] is None
    assert body["licence_valid"] is False
    assert (body["can_prescribe"], body["controlled_substances"]) == (False, False)
    assert (body["buffer_minutes"], body["daily_capacity"]) == (0, None)
    assert body["working_hours"] == []


async def test_invalid_fields_are_each_named(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    response = await client.post(
        "/api/v1/practitioners",
        json={
            **MARTIN,
            "time_zone": "Mars/Olympus",
            "buffer_minutes": 121,
            "daily_capacity": 0,
            "specialties": ["ok", "not a code!"],
        },
        headers=bearer(owner),
    )

    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"time_zone", "buffer_minutes", "daily_capacity", "specialties.1"}


async def test_authorisations_need_a_licence_and_prescribing(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    no_licence = await client.post(
        "/api/v1/practitioners", json={**MARTIN, "licence_number": None}, headers=bearer(owner)
    )
    controlled_alone = await client.post(
        "/api/v1/practitioners",
        json={**MARTIN, "can_prescribe": False, "controlled_substances": True},
        headers=bearer(owner),
    )

    assert no_licence.status_code == 422
    assert {e["field"] for e in no_licence.json()["errors"]} == {"licence_expires_on", "can_prescribe"}
    assert controlled_alone.status_code == 422
    assert [e["field"] for e in controlled_alone.json()["errors"]] == ["controlled_substances"]


async def test_overlapping_working_hours_are_refused(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    response = await client.post(
        "/api/v1/practitioners",
        json={
            **MARTIN,
            "working_hours": [
                {"weekday": 1, "start": "09:00", "end": "12:00"},
                {"weekday": 1, "start": "11:00", "end": "13:00"},
            ],
        },
        headers=bearer(owner),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "practitioner.invalid_working_hours"


async def test_only_a_practitioner_or_nurse_account_of_the_organization_can_be_linked(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    other = await make_tenant(container)
    owner = await owner_token(client, tenant)
    receptionist = await add_user(client, owner, "receptionist")
    _, foreign = await token_for(client, other, "practitioner")

    for user_id in (receptionist["id"], foreign["id"], str(uuid.uuid4())):
        response = await client.post(
            "/api/v1/practitioners", json={**MARTIN, "user_id": user_id}, headers=bearer(owner)
        )
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "practitioner.invalid_user"
        assert response.json()["errors"][0]["field"] == "user_id"


async def test_an_account_is_linked_to_one_practitioner_only(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    nurse = await add_user(client, owner, "nurse")
    await create_practitioner(client, owner, user_id=nurse["id"])

    again = await client.post("/api/v1/practitioners", json={**MARTIN, "user_id": nurse["id"]}, headers=bearer(owner))

    assert again.status_code == 409
    assert again.json()["code"] == "practitioner.user_taken"


async def test_creating_needs_practitioners_write_and_the_refusal_is_audited(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    for role in ("practitioner", "receptionist", "patient"):
        token, _ = await token_for(client, tenant, role)
        response = await client.post("/api/v1/practitioners", json=MARTIN, headers=bearer(token))
        assert response.status_code == 403, role
    denied = [e for e in await audit_events(db, tenant.organization_id) if e["action"] == "practitioner.create"]
    assert [e["outcome"] for e in denied] == ["denied"] * 3


# --- read -------------------------------------------------------------------------------


async def test_staff_read_the_whole_profile_and_patients_the_directory_entry(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    created = await create_practitioner(client, owner, working_hours=WEEKDAY_HOURS)
    receptionist, _ = await token_for(client, tenant, "receptionist")
    patient, _ = await token_for(client, tenant, "patient")

    as_staff = await client.get(f"/api/v1/practitioners/{created['id']}", headers=bearer(receptionist))
    as_patient = await client.get(f"/api/v1/practitioners/{created['id']}", headers=bearer(patient))

    assert as_staff.status_code == 200
    assert as_staff.json() == created
    assert as_staff.headers["etag"] == '"1"'
    assert as_patient.status_code == 200
    directory = as_patient.json()
    assert set(directory) == set(created) - STAFF_ONLY
    assert directory["family_name"] == "Martin"
    assert directory["specialties"] == ["general_practice"]
    assert directory["time_zone"] == "Europe/Paris"
    assert directory["working_hours"] == WEEKDAY_HOURS
    patient_list = (await client.get("/api/v1/practitioners", headers=bearer(patient))).json()
    assert [set(p) for p in patient_list["items"]] == [set(directory)]


async def test_an_auditor_cannot_read_practitioners(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    created = await create_practitioner(client, owner)
    auditor, _ = await token_for(client, tenant, "auditor")

    assert (await client.get(f"/api/v1/practitioners/{created['id']}", headers=bearer(auditor))).status_code == 403
    assert (await client.get("/api/v1/practitioners", headers=bearer(auditor))).status_code == 403


async def test_another_organizations_practitioner_is_not_found(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    other = await make_tenant(container)
    theirs = await create_practitioner(client, await owner_token(client, other))
    owner = await owner_token(client, tenant)

    for method, path, body in (
        ("GET", f"/api/v1/practitioners/{theirs['id']}", None),
        ("PATCH", f"/api/v1/practitioners/{theirs['id']}", {"given_name": "X"}),
        ("GET", f"/api/v1/practitioners/{theirs['id']}/working-hours", None),
        ("PUT", f"/api/v1/practitioners/{theirs['id']}/working-hours", {"rules": []}),
        ("GET", f"/api/v1/practitioners/{theirs['id']}/time-off", None),
        (
            "POST",
            f"/api/v1/practitioners/{theirs['id']}/time-off",
            {"starts_at": "2026-03-02T08:00:00Z", "ends_at": "2026-03-02T12:00:00Z"},
        ),
    ):
        foreign = await client.request(method, path, json=body, headers=bearer(owner))
        unknown = await client.request(
            method, path.replace(theirs["id"], str(uuid.uuid4())), json=body, headers=bearer(owner)
        )
        assert foreign.status_code == unknown.status_code == 404, (method, path, foreign.text)
        assert foreign.json()["code"] == unknown.json()["code"] == "practitioner.not_found"
    assert (await client.get("/api/v1/practitioners", headers=bearer(owner))).json()["items"] == []


# --- list -------------------------------------------------------------------------------


async def test_the_list_filters_searches_sorts_and_pages(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    nurse = await add_user(client, owner, "nurse")
    martin = await create_practitioner(client, owner, user_id=nurse["id"])
    bernard = await create_practitioner(
        client, owner, given_name="Hugo", family_name="Bernard", specialties=["paediatrics"]
    )
    dupont = await create_practitioner(
        client, owner, given_name="Zoé", family_name="Dupont", specialties=["paediatrics", "dermatology"]
    )
    await client.patch(f"/api/v1/practitioners/{dupont['id']}", json={"active": False}, headers=bearer(owner))

    async def ids(query: str) -> list[str]:
        response = await client.get(f"/api/v1/practitioners{query}", headers=bearer(owner))
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert await ids("") == [bernard["id"], dupont["id"], martin["id"]]  # by family name
    assert await ids("?sort=-given_name") == [dupont["id"], bernard["id"], martin["id"]]
    assert await ids("?specialty=Paediatrics") == [bernard["id"], dupont["id"]]
    assert await ids("?specialty=paediatrics&active=true") == [bernard["id"]]
    assert await ids("?has_user=true") == [martin["id"]]
    assert await ids("?has_user=false&active=false") == [dupont["id"]]
    assert await ids("?q=cla") == [martin["id"]]
    assert await ids("?q=hugo%20bern") == [bernard["id"]]
    first = (await client.get("/api/v1/practitioners?limit=2", headers=bearer(owner))).json()
    assert first["page"]["total"] == 3
    second = (
        await client.get(f"/api/v1/practitioners?limit=2&cursor={first['page']['next_cursor']}", headers=bearer(owner))
    ).json()
    assert [p["id"] for p in first["items"] + second["items"]] == [bernard["id"], dupont["id"], martin["id"]]
    assert second["page"]["next_cursor"] is None


async def test_unknown_filters_and_sorts_are_refused(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    for query in ("?licence_number=1", "?sort=licence_number", "?active=perhaps"):
        response = await client.get(f"/api/v1/practitioners{query}", headers=bearer(owner))
        assert response.status_code == 422, query


# --- update -----------------------------------------------------------------------------


async def test_an_update_merges_and_clears_with_null(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    created = await create_practitioner(client, owner, can_prescribe=False)

    response = await client.patch(
        f"/api/v1/practitioners/{created['id']}",
        json={
            "licence_number": None,
            "licence_expires_on": None,
            "daily_capacity": None,
            "controlled_substances": False,
            "family_name": "  Martin-Durand ",
        },
        headers={**bearer(owner), "If-Match": '"1"'},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["etag"] == '"2"'
    assert body["family_name"] == "Martin-Durand"
    assert (body["licence_number"], body["licence_expires_on"], body["daily_capacity"]) == (None, None, None)
    assert body["buffer_minutes"] == 10  # untouched
    [event] = [e for e in await audit_events(db, tenant.organization_id) if e["action"] == "practitioner.update"]
    assert event["details"]["fields"] == "daily_capacity,family_name,licence_expires_on,licence_number"


async def test_a_stale_if_match_is_412_and_changes_nothing(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    created = await create_practitioner(client, owner)
    path = f"/api/v1/practitioners/{created['id']}"
    await client.patch(path, json={"buffer_minutes": 5}, headers=bearer(owner))

    stale = await client.patch(path, json={"buffer_minutes": 15}, headers={**bearer(owner), "If-Match": '"1"'})

    assert stale.status_code == 412
    assert (await client.get(path, headers=bearer(owner))).json()["buffer_minutes"] == 5


async def test_linking_and_unlinking_an_account(client: Client, container: Container, db: SavepointDatabase) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    nurse = await add_user(client, owner, "nurse")
    first = await create_practitioner(client, owner, user_id=nurse["id"])
    second = await create_practitioner(client, owner, given_name="Hugo")

    taken = await client.patch(
        f"/api/v1/practitioners/{second['id']}", json={"user_id": nurse["id"]}, headers=bearer(owner)
    )
    unlinked = await client.patch(f"/api/v1/practitioners/{first['id']}", json={"user_id": None}, headers=bearer(owner))
    linked = await client.patch(
        f"/api/v1/practitioners/{second['id']}", json={"user_id": nurse["id"]}, headers=bearer(owner)
    )

    assert taken.status_code == 409
    assert unlinked.json()["user_id"] is None
    assert linked.json()["user_id"] == nurse["id"]
    updates = [
        e["details"] for e in await audit_events(db, tenant.organization_id) if e["action"] == "practitioner.update"
    ]
    assert updates == [{"fields": "user_id", "user_id": None}, {"fields": "user_id", "user_id": nurse["id"]}]


async def test_updating_needs_practitioners_write_even_for_ones_own_profile(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    token, account = await token_for(client, tenant, "practitioner")
    created = await create_practitioner(client, owner, user_id=account["id"])

    response = await client.patch(
        f"/api/v1/practitioners/{created['id']}", json={"buffer_minutes": 0}, headers=bearer(token)
    )

    assert response.status_code == 403


async def test_an_update_that_changes_nothing_keeps_the_version(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    created = await create_practitioner(client, owner)

    response = await client.patch(
        f"/api/v1/practitioners/{created['id']}", json={"buffer_minutes": 10}, headers=bearer(owner)
    )

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert "practitioner.update" not in actions(await audit_events(db, tenant.organization_id))
