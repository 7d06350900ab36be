"""The audit trail after the identity flows: every authentication event and admin action is
there, with its outcome, actor and resource; sequences have no gaps; no secret leaks in."""

from __future__ import annotations

import json
from typing import Any

import pyotp

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock, Outbox
from tests.integration.helpers import (
    PASSWORD,
    Client,
    add_user,
    audit_events,
    bearer,
    login,
    make_tenant,
    owner_token,
)

WRONG_PASSWORD = "definitely-not-the-password"
NEW_PASSWORD = "a fresh pass phrase for audit"


def only(rows: list[dict[str, Any]], action: str, outcome: str | None = None) -> list[dict[str, Any]]:
    return [r for r in rows if r["action"] == action and (outcome is None or r["outcome"] == outcome)]


def one(rows: list[dict[str, Any]], action: str, outcome: str) -> dict[str, Any]:
    found = only(rows, action, outcome)
    assert len(found) == 1, (action, outcome, [(r["action"], r["outcome"]) for r in rows])
    return found[0]


def uid(value: object) -> str:
    return str(value)


async def test_the_identity_flows_leave_a_complete_gapless_trail_without_secrets(
    client: Client, container: Container, db: SavepointDatabase, clock: ControlledClock, outbox: Outbox
) -> None:
    tenant = await make_tenant(container)
    secrets: list[str] = [PASSWORD, WRONG_PASSWORD, NEW_PASSWORD]

    # Sign-in: success, failure, unknown account.
    owner_tokens = await login(client, tenant.slug, tenant.owner_email)
    owner = owner_tokens["access_token"]
    secrets += [owner, owner_tokens["refresh_token"]]
    failed = await client.post(
        "/api/v1/auth/login",
        json={"organization": tenant.slug, "email": tenant.owner_email, "password": WRONG_PASSWORD},
        headers={"X-Request-ID": "audit-failed-login-1"},
    )
    assert failed.status_code == 401
    await client.post(
        "/api/v1/auth/login",
        json={"organization": tenant.slug, "email": "ghost@example.test", "password": WRONG_PASSWORD},
    )

    # Organization settings.
    updated_org = await client.patch(
        "/api/v1/organizations/current", json={"name": "Audited Clinic"}, headers=bearer(owner)
    )
    assert updated_org.status_code == 200

    # User administration.
    nurse = await add_user(client, owner, "nurse")
    receptionist = await add_user(client, owner, "receptionist")
    invited = await add_user(client, owner, "practitioner", password=None)
    secrets.append(outbox.token_for(invited["email"]))
    patched = await client.patch(f"/api/v1/users/{nurse['id']}", json={"family_name": "Audit"}, headers=bearer(owner))
    assert patched.status_code == 200
    deactivated = await client.post(f"/api/v1/users/{nurse['id']}/deactivate", headers=bearer(owner))
    assert deactivated.status_code == 200

    # A permission denial.
    receptionist_tokens = await login(client, tenant.slug, receptionist["email"])
    secrets += [receptionist_tokens["access_token"], receptionist_tokens["refresh_token"]]
    denied = await client.get("/api/v1/users", headers=bearer(receptionist_tokens["access_token"]))
    assert denied.status_code == 403

    # Lockout of the receptionist.
    wrong = {"organization": tenant.slug, "email": receptionist["email"], "password": WRONG_PASSWORD}
    statuses = [(await client.post("/api/v1/auth/login", json=wrong)).status_code for _ in range(5)]
    assert statuses[-1] == 423

    # Refresh, reuse, logout.
    second = await login(client, tenant.slug, tenant.owner_email)
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert rotated.status_code == 200
    secrets += [second["access_token"], second["refresh_token"], rotated.json()["refresh_token"]]
    reused = await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert reused.status_code == 401
    third = await login(client, tenant.slug, tenant.owner_email)
    secrets += [third["access_token"], third["refresh_token"]]
    assert (await client.post("/api/v1/auth/logout", headers=bearer(third["access_token"]))).status_code == 204

    # API keys.
    created_key = await client.post(
        "/api/v1/api-keys", json={"name": "Lab", "scopes": ["users:read"]}, headers=bearer(owner)
    )
    assert created_key.status_code == 201
    key_id = created_key.json()["api_key"]["id"]
    rotated_key = await client.post(f"/api/v1/api-keys/{key_id}/rotate", headers=bearer(owner))
    assert rotated_key.status_code == 200
    for key in (created_key.json()["key"], rotated_key.json()["key"]):
        secrets += [key, key.rsplit("_", 1)[1]]
    key_denied = await client.post(
        "/api/v1/users",
        json={"email": "k@example.test", "role": "nurse", "given_name": "K", "family_name": "K"},
        headers={"X-API-Key": rotated_key.json()["key"]},
    )
    assert key_denied.status_code == 403
    assert (await client.delete(f"/api/v1/api-keys/{key_id}", headers=bearer(owner))).status_code == 204

    # MFA for the owner: enrol, then a wrong code and a right one.
    secret = (await client.post("/api/v1/auth/mfa/totp/enroll", headers=bearer(owner))).json()["secret"]
    confirmed = await client.post(
        "/api/v1/auth/mfa/totp/confirm", json={"code": pyotp.TOTP(secret).at(clock.now())}, headers=bearer(owner)
    )
    assert confirmed.status_code == 200
    secrets += [secret, *confirmed.json()["recovery_codes"]]
    clock.advance(seconds=30)
    challenge = await login(client, tenant.slug, tenant.owner_email)
    secrets.append(challenge["mfa_token"])
    right_code = pyotp.TOTP(secret).at(clock.now())
    wrong_code = next(c for c in ("000000", "111111", "222222") if c != right_code)
    bad = await client.post("/api/v1/auth/mfa/verify", json={"mfa_token": challenge["mfa_token"], "code": wrong_code})
    assert bad.status_code == 401
    good = await client.post("/api/v1/auth/mfa/verify", json={"mfa_token": challenge["mfa_token"], "code": right_code})
    assert good.status_code == 200
    secrets += [good.json()["access_token"], good.json()["refresh_token"]]

    # Password reset.
    await client.post("/api/v1/auth/password/forgot", json={"organization": tenant.slug, "email": tenant.owner_email})
    reset_token = outbox.token_for(tenant.owner_email)
    secrets.append(reset_token)
    reset = await client.post(
        "/api/v1/auth/password/reset",
        json={"organization": tenant.slug, "token": reset_token, "new_password": NEW_PASSWORD},
    )
    assert reset.status_code == 204

    rows = await audit_events(db, tenant.organization_id)

    # Sequences are 1..n without gaps.
    assert [r["sequence"] for r in rows] == list(range(1, len(rows) + 1))
    assert {r["organization_id"] for r in rows} == {tenant.organization_id}

    owner_id = uid(tenant.owner_id)

    login_ok = [r for r in only(rows, "auth.login", "success") if uid(r["actor_id"]) == owner_id]
    assert login_ok
    assert login_ok[0]["resource_type"] == "session"
    assert login_ok[0]["actor_type"] == "user"

    failures = only(rows, "auth.login", "failure")
    wrong_owner = next(r for r in failures if r["request_id"] == "audit-failed-login-1")
    assert uid(wrong_owner["actor_id"]) == owner_id
    assert uid(wrong_owner["resource_id"]) == owner_id
    assert wrong_owner["details"]["reason"] == "bad_credentials"
    unknown = [r for r in failures if r["actor_id"] is None]
    assert len(unknown) == 1
    assert unknown[0]["actor_type"] == "anonymous"
    assert unknown[0]["details"] == {"reason": "unknown_account"}
    receptionist_failures = [r for r in failures if uid(r["actor_id"]) == receptionist["id"]]
    assert len(receptionist_failures) == 5

    lockout = one(rows, "auth.lockout", "success")
    assert uid(lockout["actor_id"]) == receptionist["id"]
    assert uid(lockout["resource_id"]) == receptionist["id"]

    mfa_fail = one(rows, "auth.mfa", "failure")
    mfa_ok = one(rows, "auth.mfa", "success")
    assert uid(mfa_fail["actor_id"]) == uid(mfa_ok["actor_id"]) == owner_id
    assert mfa_ok["sequence"] > mfa_fail["sequence"]

    reuse = one(rows, "auth.refresh_token_reuse", "failure")
    assert uid(reuse["actor_id"]) == owner_id
    assert reuse["resource_type"] == "session"

    logout = one(rows, "auth.logout", "success")
    assert uid(logout["actor_id"]) == owner_id
    assert logout["resource_type"] == "session"

    created = [r for r in only(rows, "user.create", "success") if uid(r["actor_id"]) == owner_id]
    assert {uid(r["resource_id"]) for r in created} == {nurse["id"], receptionist["id"], invited["id"]}
    assert next(r for r in created if uid(r["resource_id"]) == invited["id"])["details"]["invited"] is True

    user_update = one(rows, "user.update", "success")
    assert (uid(user_update["actor_id"]), uid(user_update["resource_id"])) == (owner_id, nurse["id"])
    assert user_update["details"]["fields"] == "family_name"

    deactivation = one(rows, "user.deactivate", "success")
    assert (uid(deactivation["actor_id"]), uid(deactivation["resource_id"])) == (owner_id, nurse["id"])

    for action in ("api_key.create", "api_key.rotate", "api_key.revoke"):
        event = one(rows, action, "success")
        assert uid(event["actor_id"]) == owner_id
        assert event["resource_type"] == "api_key"
        assert uid(event["resource_id"]) == key_id

    organization_update = one(rows, "organization.update", "success")
    assert uid(organization_update["actor_id"]) == owner_id
    assert uid(organization_update["resource_id"]) == uid(tenant.organization_id)
    assert organization_update["details"] == {"name": True}

    denial = one(rows, "user.list", "denied")
    assert uid(denial["actor_id"]) == receptionist["id"]
    assert denial["actor_type"] == "user"
    assert denial["details"] == {"permission": "users:read"}
    key_denial = one(rows, "user.create", "denied")
    assert key_denial["actor_type"] == "api_key"
    assert uid(key_denial["actor_id"]) == key_id

    assert one(rows, "auth.password_reset", "success")["actor_id"] == tenant.owner_id

    serialized = json.dumps(rows, default=str)
    leaked = [s for s in secrets if s and s in serialized]
    assert leaked == []


async def test_a_denied_request_is_audited_even_though_it_changes_nothing(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    patient = await add_user(client, owner, "patient")
    patient_token = (await login(client, tenant.slug, patient["email"]))["access_token"]

    response = await client.patch(
        "/api/v1/organizations/current",
        json={"name": "Patient Clinic"},
        headers={**bearer(patient_token), "X-Request-ID": "denied-org-update", "User-Agent": "audit-agent/2"},
    )

    assert response.status_code == 403
    rows = await audit_events(db, tenant.organization_id)
    denial = one(rows, "organization.update", "denied")
    assert uid(denial["actor_id"]) == patient["id"]
    assert denial["request_id"] == "denied-org-update"
    assert denial["user_agent"] == "audit-agent/2"
    assert denial["ip"]
    assert only(rows, "organization.update", "success") == []


async def test_each_organization_has_its_own_sequence(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    first = await make_tenant(container)
    second = await make_tenant(container)
    await login(client, first.slug, first.owner_email)
    await login(client, second.slug, second.owner_email)
    await login(client, first.slug, first.owner_email)

    first_rows = await audit_events(db, first.organization_id)
    second_rows = await audit_events(db, second.organization_id)

    assert [r["sequence"] for r in first_rows] == list(range(1, len(first_rows) + 1))
    assert [r["sequence"] for r in second_rows] == list(range(1, len(second_rows) + 1))
    assert len(only(first_rows, "auth.login", "success")) == 2
    assert len(only(second_rows, "auth.login", "success")) == 1
    assert {uid(r["actor_id"]) for r in only(second_rows, "auth.login")} == {uid(second.owner_id)}
