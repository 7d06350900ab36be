"""The caller's organization: reading it, renaming it, changing its settings."""

from __future__ import annotations

from typing import Any

import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import PASSWORD, Client, audit_events, bearer, make_tenant, owner_token, token_for


async def patch(client: Client, token: str, body: dict[str, Any], **headers: str) -> Any:
    return await client.patch("/api/v1/organizations/current", json=body, headers={**bearer(token), **headers})


async def test_get_current_answers_the_organization_and_its_settings(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    response = await client.get("/api/v1/organizations/current", headers=bearer(owner))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(tenant.organization_id)
    assert body["slug"] == tenant.slug
    assert _identity_settings(body) == {
        "self_registration": False,
        "mfa_required_roles": [],
        "lockout_threshold": 5,
        "lockout_minutes": 15,
    }
    assert response.headers["etag"] == f'"{body["version"]}"'


async def test_patch_renames_and_merges_settings(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    before = (await client.get("/api/v1/organizations/current", headers=bearer(owner))).json()

    renamed = await patch(client, owner, {"name": "  Harbour   Clinic "})
    tuned = await patch(
        client, owner, {"settings": {"self_registration": True, "mfa_required_roles": ["practitioner", "admin"]}}
    )

    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Harbour Clinic"
    assert renamed.json()["settings"] == before["settings"]
    assert tuned.status_code == 200
    assert tuned.json()["name"] == "Harbour Clinic"
    assert _identity_settings(tuned.json()) == {
        "self_registration": True,
        "mfa_required_roles": ["admin", "practitioner"],
        "lockout_threshold": 5,
        "lockout_minutes": 15,
    }
    assert tuned.json()["version"] > before["version"]
    assert tuned.headers["etag"] == f'"{tuned.json()["version"]}"'
    stored = (await client.get("/api/v1/organizations/current", headers=bearer(owner))).json()
    assert stored == tuned.json()
    me = (await client.get("/api/v1/auth/me", headers=bearer(owner))).json()
    assert me["organization"]["name"] == "Harbour Clinic"


async def test_patch_with_a_stale_if_match_is_refused(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    etag = (await client.get("/api/v1/organizations/current", headers=bearer(owner))).headers["etag"]
    assert (await patch(client, owner, {"name": "First"}, **{"If-Match": etag})).status_code == 200

    stale = await patch(client, owner, {"name": "Second"}, **{"If-Match": etag})

    assert stale.status_code == 412
    assert (await client.get("/api/v1/organizations/current", headers=bearer(owner))).json()["name"] == "First"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"settings": {"lockout_threshold": 2}}, "settings.lockout_threshold"),
        ({"settings": {"lockout_threshold": 21}}, "settings.lockout_threshold"),
        ({"settings": {"lockout_minutes": 0}}, "settings.lockout_minutes"),
        ({"settings": {"lockout_minutes": 1441}}, "settings.lockout_minutes"),
        ({"name": "   "}, "name"),
    ],
)
async def test_invalid_settings_are_refused_naming_the_field(
    client: Client, container: Container, body: dict[str, Any], field: str
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    before = (await client.get("/api/v1/organizations/current", headers=bearer(owner))).json()

    response = await patch(client, owner, body)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert (await client.get("/api/v1/organizations/current", headers=bearer(owner))).json() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"settings": {"mfa_required_roles": ["wizard"]}}, "settings.mfa_required_roles[0]"),
        ({"settings": {"lockout_threshold": "five"}}, "settings.lockout_threshold"),
        ({"settings": {"colour": "blue"}}, "settings.colour"),
        ({"slug": "renamed"}, "slug"),
    ],
)
async def test_malformed_settings_are_refused_naming_the_field(
    client: Client, container: Container, body: dict[str, Any], field: str
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    response = await patch(client, owner, body)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_lower_lockout_threshold_takes_effect_on_the_next_login(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    assert (await patch(client, owner, {"settings": {"lockout_threshold": 3}})).status_code == 200
    wrong = {"organization": tenant.slug, "email": tenant.owner_email, "password": "not it, not it"}

    statuses = [(await client.post("/api/v1/auth/login", json=wrong)).status_code for _ in range(3)]

    assert statuses == [401, 401, 423]


async def test_the_lockout_duration_follows_the_setting(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    assert (await patch(client, owner, {"settings": {"lockout_minutes": 2}})).status_code == 200
    wrong = {"organization": tenant.slug, "email": tenant.owner_email, "password": "not it, not it"}
    for _ in range(5):
        await client.post("/api/v1/auth/login", json=wrong)
    right = {**wrong, "password": PASSWORD}
    assert (await client.post("/api/v1/auth/login", json=right)).status_code == 423

    clock.advance(minutes=2, seconds=1)

    assert (await client.post("/api/v1/auth/login", json=right)).status_code == 200


async def test_staff_may_read_the_organization_but_not_change_it(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    token, _ = await token_for(client, tenant, "receptionist")

    read = await client.get("/api/v1/organizations/current", headers=bearer(token))
    change = await patch(client, token, {"name": "Taken over"})
    settings = await patch(client, token, {"settings": {"self_registration": True}})

    assert read.status_code == 200
    assert change.status_code == 403
    assert settings.status_code == 403
    assert change.json()["code"] == "permission_denied"
    assert (await client.get("/api/v1/organizations/current", headers=bearer(token))).json()["name"] != "Taken over"


async def test_patients_may_not_even_read_the_organization(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    token, _ = await token_for(client, tenant, "patient")

    assert (await client.get("/api/v1/organizations/current", headers=bearer(token))).status_code == 403
    assert (await patch(client, token, {"name": "Mine"})).status_code == 403


async def test_an_admin_may_change_the_organization(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    token, _ = await token_for(client, tenant, "admin")

    response = await patch(client, token, {"settings": {"self_registration": True}})

    assert response.status_code == 200
    assert response.json()["settings"]["self_registration"] is True


async def test_the_organization_needs_authentication(client: Client) -> None:
    assert (await client.get("/api/v1/organizations/current")).status_code == 401
    assert (await client.patch("/api/v1/organizations/current", json={"name": "X"})).status_code == 401


def _identity_settings(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body["settings"].items() if k not in ("scheduling", "patients")}


async def test_scheduling_and_patient_portal_settings_have_defaults_and_merge(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    headers = bearer(await owner_token(client, tenant))
    current = (await client.get("/api/v1/organizations/current", headers=headers)).json()["settings"]
    assert current["scheduling"] == {
        "slot_granularity_minutes": 5,
        "min_notice_minutes": 120,
        "max_horizon_days": 180,
        "patient_overlap_allowed": False,
        "late_cancel_window_minutes": 1440,
        "reminder_offsets_minutes": [1440, 120],
        "calendar_detail": "busy",
    }
    assert current["patients"]["history_visible"] is True

    changed = await client.patch(
        "/api/v1/organizations/current",
        json={
            "settings": {
                "scheduling": {"slot_granularity_minutes": 15, "reminder_offsets_minutes": [60, 2880]},
                "patients": {"editable_fields": ["phone"]},
            }
        },
        headers=headers,
    )

    assert changed.status_code == 200, changed.text
    settings = changed.json()["settings"]
    assert settings["scheduling"]["slot_granularity_minutes"] == 15
    assert settings["scheduling"]["reminder_offsets_minutes"] == [2880, 60]
    assert settings["scheduling"]["max_horizon_days"] == 180
    assert settings["patients"]["editable_fields"] == ["phone"]
    events = [e for e in await audit_events(db, tenant.organization_id) if e["action"] == "organization.update"]
    assert events[-1]["details"]["settings.scheduling.slot_granularity_minutes"] == 15


async def test_invalid_scheduling_settings_are_refused_naming_the_field(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    headers = bearer(await owner_token(client, tenant))

    response = await client.patch(
        "/api/v1/organizations/current",
        json={
            "settings": {"scheduling": {"slot_granularity_minutes": 7}, "patients": {"editable_fields": ["birth_date"]}}
        },
        headers=headers,
    )

    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"settings.scheduling.slot_granularity_minutes", "settings.patients.editable_fields"}
