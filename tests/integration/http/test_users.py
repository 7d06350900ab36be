"""User administration: listing, creating (with a password or by invitation), reading,
updating, deactivating, and who may do it."""

from __future__ import annotations

from typing import Any

import pytest

from medcore.container import Container
from tests.integration.conftest import Outbox
from tests.integration.helpers import (
    PASSWORD,
    Client,
    Tenant,
    add_user,
    bearer,
    login,
    make_tenant,
    owner_token,
    token_for,
)

NEW_USER = {"email": "new.person@example.test", "role": "nurse", "given_name": "New", "family_name": "Person"}


async def login_status(client: Client, tenant: Tenant, email: str, password: str = PASSWORD) -> int:
    response = await client.post(
        "/api/v1/auth/login", json={"organization": tenant.slug, "email": email, "password": password}
    )
    return response.status_code


async def create(client: Client, token: str, **fields: Any) -> Any:
    return await client.post("/api/v1/users", json={**NEW_USER, **fields}, headers=bearer(token))


async def listed(client: Client, token: str, query: str = "") -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/users{query}", headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


# --- create -----------------------------------------------------------------------------


async def test_a_user_created_with_a_password_can_log_in_at_once(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    response = await create(client, owner, password=PASSWORD)

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/api/v1/users/{body['id']}"
    assert response.headers["etag"] == f'"{body["version"]}"'
    assert body["email"] == NEW_USER["email"]
    assert body["role"] == "nurse"
    assert body["status"] == "active"
    assert "password" not in body
    assert "password_hash" not in body
    tokens = await login(client, tenant.slug, NEW_USER["email"])
    me = (await client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))).json()
    assert me["user"]["id"] == body["id"]
    assert me["role"] == "nurse"


async def test_a_user_created_without_a_password_is_invited_and_sets_it_with_the_link(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    response = await create(client, owner)

    assert response.status_code == 201
    assert response.json()["status"] == "invited"
    invitation = outbox.messages(NEW_USER["email"])
    assert len(invitation) == 1
    assert "invited" in invitation[0]["Subject"]
    assert await login_status(client, tenant, NEW_USER["email"]) == 401

    accepted = await client.post(
        "/api/v1/auth/password/reset",
        json={
            "organization": tenant.slug,
            "token": outbox.token_for(NEW_USER["email"]),
            "new_password": "the nurse chose this one",
        },
    )

    assert accepted.status_code == 204
    assert await login_status(client, tenant, NEW_USER["email"], "the nurse chose this one") == 200
    user = (await client.get(f"/api/v1/users/{response.json()['id']}", headers=bearer(owner))).json()
    assert user["status"] == "active"
    assert user["email_verified"] is True


async def test_an_invited_user_who_forgot_gets_a_fresh_invitation(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    await create(client, owner)
    first = outbox.token_for(NEW_USER["email"])

    await client.post("/api/v1/auth/password/forgot", json={"organization": tenant.slug, "email": NEW_USER["email"]})

    second = outbox.token_for(NEW_USER["email"])
    assert second != first
    assert "invited" in outbox.messages(NEW_USER["email"])[-1]["Subject"]
    response = await client.post(
        "/api/v1/auth/password/reset",
        json={"organization": tenant.slug, "token": second, "new_password": "the nurse chose this one"},
    )
    assert response.status_code == 204
    assert await login_status(client, tenant, NEW_USER["email"], "the nurse chose this one") == 200


async def test_creating_a_user_with_a_taken_email_is_a_conflict(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    response = await create(client, owner, email=tenant.owner_email.upper())

    assert response.status_code == 409
    assert response.json()["code"] == "user.email_taken"


async def test_creating_a_user_checks_the_fields_and_the_password_policy(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)

    bad_fields = await create(client, owner, email="not-an-email", given_name="   ")
    weak = await create(client, owner, password="short")
    unknown_role = await create(client, owner, role="superuser")

    assert bad_fields.status_code == 422
    assert {e["field"] for e in bad_fields.json()["errors"]} == {"email", "given_name"}
    assert weak.status_code == 422
    assert {e["field"] for e in weak.json()["errors"]} == {"password"}
    assert unknown_role.status_code == 422
    assert [e["field"] for e in unknown_role.json()["errors"]] == ["role"]
    assert [u["email"] for u in await listed(client, owner)] == [tenant.owner_email]


async def test_an_admin_cannot_create_an_owner_but_an_owner_can(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    admin, _ = await token_for(client, tenant, "admin")

    by_admin = await create(client, admin, role="owner")
    by_owner = await create(client, owner, role="owner", email="second.owner@example.test")

    assert by_admin.status_code == 422
    assert by_admin.json()["code"] == "validation_failed"
    assert [e["field"] for e in by_admin.json()["errors"]] == ["role"]
    assert by_owner.status_code == 201
    assert by_owner.json()["role"] == "owner"
    assert (await create(client, admin, role="admin")).status_code == 201


# --- read and list --------------------------------------------------------------------


async def test_get_a_user_answers_it_with_its_etag(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    user = await add_user(client, owner, "practitioner")

    response = await client.get(f"/api/v1/users/{user['id']}", headers=bearer(owner))

    assert response.status_code == 200
    assert response.json() == user
    assert response.headers["etag"] == f'"{user["version"]}"'


async def test_unknown_and_foreign_user_ids_answer_404(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    other = await make_tenant(container)
    owner = await owner_token(client, tenant)

    unknown = await client.get("/api/v1/users/01900000-0000-7000-8000-000000000000", headers=bearer(owner))
    foreign = await client.get(f"/api/v1/users/{other.owner_id}", headers=bearer(owner))
    foreign_patch = await client.patch(
        f"/api/v1/users/{other.owner_id}", json={"given_name": "X"}, headers=bearer(owner)
    )
    foreign_deactivate = await client.post(f"/api/v1/users/{other.owner_id}/deactivate", headers=bearer(owner))

    assert [r.status_code for r in (unknown, foreign, foreign_patch, foreign_deactivate)] == [404] * 4
    assert foreign.json()["code"] == unknown.json()["code"] == "user.not_found"


async def test_the_list_filters_by_role_and_status(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    nurse = await add_user(client, owner, "nurse")
    invited = await add_user(client, owner, "nurse", password=None)
    practitioner = await add_user(client, owner, "practitioner")

    nurses = await listed(client, owner, "?role=nurse")
    invited_only = await listed(client, owner, "?status=invited")
    active_nurses = await listed(client, owner, "?role=nurse&status=active")
    everyone = await listed(client, owner)

    assert {u["id"] for u in nurses} == {nurse["id"], invited["id"]}
    assert [u["id"] for u in invited_only] == [invited["id"]]
    assert [u["id"] for u in active_nurses] == [nurse["id"]]
    assert {u["id"] for u in everyone} == {str(tenant.owner_id), nurse["id"], invited["id"], practitioner["id"]}


async def test_q_searches_names_and_email(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    ada = (
        await create(
            client, owner, email="ada@lovelace.test", given_name="Ada", family_name="Lovelace", password=PASSWORD
        )
    ).json()
    grace = (
        await create(
            client, owner, email="grace@navy.test", given_name="Grace", family_name="Hopper", password=PASSWORD
        )
    ).json()

    assert [u["id"] for u in await listed(client, owner, "?q=lovelace")] == [ada["id"]]
    assert [u["id"] for u in await listed(client, owner, "?q=Grace")] == [grace["id"]]
    assert [u["id"] for u in await listed(client, owner, "?q=navy")] == [grace["id"]]
    assert [u["id"] for u in await listed(client, owner, "?q=hop")] == [grace["id"]]
    assert await listed(client, owner, "?q=nobodyhere") == []


async def test_the_list_never_shows_another_organizations_users(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    other = await make_tenant(container)
    owner = await owner_token(client, tenant)

    emails = {u["email"] for u in await listed(client, owner)}

    assert other.owner_email not in emails
    assert emails == {tenant.owner_email}


# --- update -----------------------------------------------------------------------------


async def test_patch_merges_names_and_role_and_bumps_the_version(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    user = await add_user(client, owner, "nurse")

    renamed = await client.patch(
        f"/api/v1/users/{user['id']}", json={"family_name": "Nightingale"}, headers=bearer(owner)
    )
    promoted = await client.patch(f"/api/v1/users/{user['id']}", json={"role": "practitioner"}, headers=bearer(owner))

    assert renamed.status_code == 200
    assert renamed.json()["family_name"] == "Nightingale"
    assert renamed.json()["given_name"] == user["given_name"]
    assert renamed.json()["version"] == user["version"] + 1
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "practitioner"
    assert promoted.json()["family_name"] == "Nightingale"
    assert promoted.headers["etag"] == f'"{promoted.json()["version"]}"'
    stored = (await client.get(f"/api/v1/users/{user['id']}", headers=bearer(owner))).json()
    assert (stored["role"], stored["family_name"]) == ("practitioner", "Nightingale")


async def test_a_role_change_applies_to_tokens_already_issued(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    token, user = await token_for(client, tenant, "admin")
    assert (await client.get("/api/v1/users", headers=bearer(token))).status_code == 200

    await client.patch(f"/api/v1/users/{user['id']}", json={"role": "receptionist"}, headers=bearer(owner))

    assert (await client.get("/api/v1/users", headers=bearer(token))).status_code == 403


async def test_patch_with_a_stale_if_match_is_refused(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    user = await add_user(client, owner, "nurse")
    etag = f'"{user["version"]}"'
    first = await client.patch(
        f"/api/v1/users/{user['id']}", json={"given_name": "First"}, headers={**bearer(owner), "If-Match": etag}
    )
    assert first.status_code == 200

    second = await client.patch(
        f"/api/v1/users/{user['id']}", json={"given_name": "Second"}, headers={**bearer(owner), "If-Match": etag}
    )

    assert second.status_code == 412
    stored = (await client.get(f"/api/v1/users/{user['id']}", headers=bearer(owner))).json()
    assert stored["given_name"] == "First"


async def test_nobody_changes_their_own_role(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    admin, admin_user = await token_for(client, tenant, "admin")

    own_owner = await client.patch(f"/api/v1/users/{tenant.owner_id}", json={"role": "admin"}, headers=bearer(owner))
    own_admin = await client.patch(f"/api/v1/users/{admin_user['id']}", json={"role": "auditor"}, headers=bearer(admin))

    for response in (own_owner, own_admin):
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["role"]
    me = (await client.get("/api/v1/auth/me", headers=bearer(owner))).json()
    assert me["role"] == "owner"
    # Their own names they may change.
    renamed = await client.patch(f"/api/v1/users/{admin_user['id']}", json={"given_name": "Ann"}, headers=bearer(admin))
    assert renamed.status_code == 200


async def test_only_an_owner_changes_an_owners_role_or_makes_an_owner(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    admin, _ = await token_for(client, tenant, "admin")
    nurse = await add_user(client, owner, "nurse")

    demote_owner = await client.patch(f"/api/v1/users/{tenant.owner_id}", json={"role": "nurse"}, headers=bearer(admin))
    promote_to_owner = await client.patch(f"/api/v1/users/{nurse['id']}", json={"role": "owner"}, headers=bearer(admin))

    assert demote_owner.status_code == 422
    assert promote_to_owner.status_code == 422
    assert [e["field"] for e in promote_to_owner.json()["errors"]] == ["role"]
    roles = {u["id"]: u["role"] for u in await listed(client, owner)}
    assert roles[str(tenant.owner_id)] == "owner"
    assert roles[nurse["id"]] == "nurse"


async def test_an_owner_can_demote_another_owner_while_one_owner_remains(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    second = await add_user(client, owner, "owner")

    demoted = await client.patch(f"/api/v1/users/{second['id']}", json={"role": "admin"}, headers=bearer(owner))

    assert demoted.status_code == 200
    assert demoted.json()["role"] == "admin"
    owners = await listed(client, owner, "?role=owner&status=active")
    assert [u["id"] for u in owners] == [str(tenant.owner_id)]


async def test_the_last_owner_cannot_be_demoted_or_deactivated(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    admin, _ = await token_for(client, tenant, "admin")

    attempts = [
        await client.patch(f"/api/v1/users/{tenant.owner_id}", json={"role": "admin"}, headers=bearer(owner)),
        await client.patch(f"/api/v1/users/{tenant.owner_id}", json={"role": "admin"}, headers=bearer(admin)),
        await client.post(f"/api/v1/users/{tenant.owner_id}/deactivate", headers=bearer(owner)),
        await client.post(f"/api/v1/users/{tenant.owner_id}/deactivate", headers=bearer(admin)),
    ]

    assert [r.status_code for r in attempts] == [422, 422, 409, 409]
    owners = await listed(client, owner, "?role=owner&status=active")
    assert [u["id"] for u in owners] == [str(tenant.owner_id)]


# --- deactivate -------------------------------------------------------------------------


async def test_deactivation_stops_the_users_tokens_on_the_very_next_request(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    user = await add_user(client, owner, "admin")
    tokens = await login(client, tenant.slug, user["email"])
    assert (await client.get("/api/v1/users", headers=bearer(tokens["access_token"]))).status_code == 200

    response = await client.post(f"/api/v1/users/{user['id']}/deactivate", headers=bearer(owner))

    assert response.status_code == 200
    assert response.json()["status"] == "deactivated"
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    next_request = await client.get("/api/v1/users", headers=bearer(tokens["access_token"]))
    assert next_request.status_code == 401
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    assert await login_status(client, tenant, user["email"]) == 401
    again = await client.post(f"/api/v1/users/{user['id']}/deactivate", headers=bearer(owner))
    assert again.status_code == 409
    assert again.json()["code"] == "user.already_deactivated"
    assert [u["id"] for u in await listed(client, owner, "?status=deactivated")] == [user["id"]]


async def test_nobody_deactivates_themselves(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    admin, admin_user = await token_for(client, tenant, "admin")

    response = await client.post(f"/api/v1/users/{admin_user['id']}/deactivate", headers=bearer(admin))

    assert response.status_code == 409
    assert response.json()["code"] == "user.cannot_deactivate_self"
    assert (await client.get("/api/v1/users", headers=bearer(admin))).status_code == 200


async def test_an_owner_deactivates_another_owner_but_an_admin_cannot(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    admin, _ = await token_for(client, tenant, "admin")
    second = await add_user(client, owner, "owner")

    by_admin = await client.post(f"/api/v1/users/{second['id']}/deactivate", headers=bearer(admin))
    by_owner = await client.post(f"/api/v1/users/{second['id']}/deactivate", headers=bearer(owner))

    assert by_admin.status_code == 409
    assert by_admin.json()["code"] == "user.owner_protected"
    assert by_owner.status_code == 200


# --- who may ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["receptionist", "practitioner", "patient", "nurse", "auditor"])
async def test_non_administrators_get_403_on_user_administration(
    client: Client, container: Container, role: str
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    token, _ = await token_for(client, tenant, role)
    target = await add_user(client, owner, "nurse")

    attempts = [
        await client.get("/api/v1/users", headers=bearer(token)),
        await client.get(f"/api/v1/users/{target['id']}", headers=bearer(token)),
        await create(client, token, password=PASSWORD),
        await client.patch(f"/api/v1/users/{target['id']}", json={"given_name": "Hacked"}, headers=bearer(token)),
        await client.post(f"/api/v1/users/{target['id']}/deactivate", headers=bearer(token)),
    ]

    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert {r.json()["code"] for r in attempts} == {"permission_denied"}
    stored = (await client.get(f"/api/v1/users/{target['id']}", headers=bearer(owner))).json()
    assert stored == target
    assert NEW_USER["email"] not in {u["email"] for u in await listed(client, owner)}


async def test_anyone_may_read_their_own_account(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    token, user = await token_for(client, tenant, "patient")

    response = await client.get(f"/api/v1/users/{user['id']}", headers=bearer(token))

    assert response.status_code == 200
    assert response.json()["email"] == user["email"]


async def test_user_administration_needs_authentication(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)

    responses = [
        await client.get("/api/v1/users"),
        await client.post("/api/v1/users", json=NEW_USER),
        await client.get(f"/api/v1/users/{tenant.owner_id}"),
        await client.patch(f"/api/v1/users/{tenant.owner_id}", json={"given_name": "X"}),
        await client.post(f"/api/v1/users/{tenant.owner_id}/deactivate"),
    ]

    assert [r.status_code for r in responses] == [401] * len(responses)


async def test_an_owner_can_withdraw_an_invitation_to_another_owner(
    client: Client, container: Container, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    invited = await add_user(client, owner, "owner", password=None)

    response = await client.post(f"/api/v1/users/{invited['id']}/deactivate", headers=bearer(owner))

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "deactivated"
    link = await client.post(
        "/api/v1/auth/password/reset",
        json={"organization": tenant.slug, "token": outbox.token_for(invited["email"]), "new_password": "x" * 20},
    )
    assert link.status_code == 422
