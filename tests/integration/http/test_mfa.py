"""Two-factor authentication: TOTP enrolment, the second sign-in step, recovery codes, and
organizations that require MFA for some roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyotp

from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import (
    PASSWORD,
    Client,
    Tenant,
    add_user,
    bearer,
    login,
    make_tenant,
    owner_token,
)


def code_at(secret: str, when: datetime) -> str:
    return str(pyotp.TOTP(secret).at(when))


def wrong_code(secret: str, when: datetime) -> str:
    """A six-digit code that no step the server accepts around ``when`` produces."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(when)
    valid = {totp.generate_otp(step) for step in range(current - 2, current + 3)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in valid)


async def enrol(client: Client, token: str, clock: ControlledClock) -> tuple[str, list[str]]:
    """Turn TOTP on for the bearer of ``token``: (secret, recovery codes)."""
    enrolled = await client.post("/api/v1/auth/mfa/totp/enroll", headers=bearer(token))
    assert enrolled.status_code == 200, enrolled.text
    secret = enrolled.json()["secret"]
    confirmed = await client.post(
        "/api/v1/auth/mfa/totp/confirm", json={"code": code_at(secret, clock.now())}, headers=bearer(token)
    )
    assert confirmed.status_code == 200, confirmed.text
    codes: list[str] = confirmed.json()["recovery_codes"]
    return secret, codes


async def challenge(client: Client, tenant: Tenant, email: str) -> str:
    body = await login(client, tenant.slug, email)
    assert body["mfa_required"] is True, body
    assert "access_token" not in body
    return str(body["mfa_token"])


async def verify(client: Client, mfa_token: str, code: str) -> Any:
    return await client.post("/api/v1/auth/mfa/verify", json={"mfa_token": mfa_token, "code": code})


async def test_enrolment_gives_a_secret_and_confirmation_gives_ten_recovery_codes(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    token = await owner_token(client, tenant)

    enrolled = await client.post("/api/v1/auth/mfa/totp/enroll", headers=bearer(token))
    assert enrolled.status_code == 200
    secret = enrolled.json()["secret"]
    assert enrolled.json()["otpauth_uri"].startswith("otpauth://totp/")
    assert f"secret={secret}" in enrolled.json()["otpauth_uri"]
    before = await client.get("/api/v1/auth/me", headers=bearer(token))
    assert before.json()["user"]["mfa_enabled"] is False

    confirmed = await client.post(
        "/api/v1/auth/mfa/totp/confirm", json={"code": code_at(secret, clock.now())}, headers=bearer(token)
    )

    assert confirmed.status_code == 200
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    after = await client.get("/api/v1/auth/me", headers=bearer(token))
    assert after.json()["user"]["mfa_enabled"] is True
    sessions = (await client.get("/api/v1/auth/sessions", headers=bearer(token))).json()["items"]
    assert [s["mfa_verified"] for s in sessions if s["current"]] == [True]


async def test_confirming_with_a_wrong_code_is_refused_and_leaves_mfa_off(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    token = await owner_token(client, tenant)
    secret = (await client.post("/api/v1/auth/mfa/totp/enroll", headers=bearer(token))).json()["secret"]

    response = await client.post(
        "/api/v1/auth/mfa/totp/confirm", json={"code": wrong_code(secret, clock.now())}, headers=bearer(token)
    )

    assert response.status_code == 422
    assert response.json()["code"] == "auth.invalid_mfa_code"
    assert [e["field"] for e in response.json()["errors"]] == ["code"]
    me = await client.get("/api/v1/auth/me", headers=bearer(token))
    assert me.json()["user"]["mfa_enabled"] is False
    again = await client.post(
        "/api/v1/auth/login", json={"organization": tenant.slug, "email": tenant.owner_email, "password": PASSWORD}
    )
    assert "access_token" in again.json()


async def test_confirming_without_enrolling_and_enrolling_twice_are_conflicts(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    token = await owner_token(client, tenant)

    early = await client.post("/api/v1/auth/mfa/totp/confirm", json={"code": "123456"}, headers=bearer(token))
    assert early.status_code == 409
    assert early.json()["code"] == "mfa.not_enrolling"

    await enrol(client, token, clock)

    twice = await client.post("/api/v1/auth/mfa/totp/enroll", headers=bearer(token))
    assert twice.status_code == 409
    assert twice.json()["code"] == "mfa.already_enabled"
    confirm_again = await client.post("/api/v1/auth/mfa/totp/confirm", json={"code": "123456"}, headers=bearer(token))
    assert confirm_again.status_code == 409


async def test_enrolment_needs_authentication(client: Client) -> None:
    response = await client.post("/api/v1/auth/mfa/totp/enroll")

    assert response.status_code == 401


async def test_with_mfa_on_login_answers_a_challenge_that_a_totp_code_completes(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    secret, _ = await enrol(client, await owner_token(client, tenant), clock)
    clock.advance(seconds=30)

    mfa_token = await challenge(client, tenant, tenant.owner_email)
    response = await verify(client, mfa_token, code_at(secret, clock.now()))

    assert response.status_code == 200
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    me = await client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    sessions = (await client.get("/api/v1/auth/sessions", headers=bearer(tokens["access_token"]))).json()["items"]
    assert [s["mfa_verified"] for s in sessions if s["current"]] == [True]


async def test_the_mfa_token_is_not_an_access_token(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    await enrol(client, await owner_token(client, tenant), clock)

    mfa_token = await challenge(client, tenant, tenant.owner_email)

    assert (await client.get("/api/v1/auth/me", headers=bearer(mfa_token))).status_code == 401


async def test_a_totp_code_works_once(client: Client, container: Container, clock: ControlledClock) -> None:
    tenant = await make_tenant(container)
    secret, _ = await enrol(client, await owner_token(client, tenant), clock)
    clock.advance(seconds=30)
    code = code_at(secret, clock.now())
    assert (await verify(client, await challenge(client, tenant, tenant.owner_email), code)).status_code == 200

    replay = await verify(client, await challenge(client, tenant, tenant.owner_email), code)

    assert replay.status_code == 401
    assert replay.json()["code"] == "auth.invalid_mfa_code"


async def test_the_code_used_to_confirm_enrolment_cannot_sign_in(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    token = await owner_token(client, tenant)
    secret = (await client.post("/api/v1/auth/mfa/totp/enroll", headers=bearer(token))).json()["secret"]
    code = code_at(secret, clock.now())
    confirmed = await client.post("/api/v1/auth/mfa/totp/confirm", json={"code": code}, headers=bearer(token))
    assert confirmed.status_code == 200

    response = await verify(client, await challenge(client, tenant, tenant.owner_email), code)

    assert response.status_code == 401


async def test_a_recovery_code_works_once(client: Client, container: Container, clock: ControlledClock) -> None:
    tenant = await make_tenant(container)
    _, codes = await enrol(client, await owner_token(client, tenant), clock)

    first = await verify(client, await challenge(client, tenant, tenant.owner_email), codes[0])
    assert first.status_code == 200
    # Typed differently (upper case, no dash) another code works too.
    other = await verify(client, await challenge(client, tenant, tenant.owner_email), codes[1].upper().replace("-", ""))
    assert other.status_code == 200

    reused = await verify(client, await challenge(client, tenant, tenant.owner_email), codes[0])

    assert reused.status_code == 401
    assert reused.json()["code"] == "auth.invalid_mfa_code"


async def test_wrong_codes_count_towards_the_lockout(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    secret, _ = await enrol(client, await owner_token(client, tenant), clock)
    clock.advance(seconds=30)
    mfa_token = await challenge(client, tenant, tenant.owner_email)
    bad = wrong_code(secret, clock.now())

    statuses = [(await verify(client, mfa_token, bad)).status_code for _ in range(5)]

    assert statuses == [401, 401, 401, 401, 423]
    # Even the right code is refused now, and so is the password step.
    assert (await verify(client, mfa_token, code_at(secret, clock.now()))).status_code == 423
    locked = await client.post(
        "/api/v1/auth/login", json={"organization": tenant.slug, "email": tenant.owner_email, "password": PASSWORD}
    )
    assert locked.status_code == 423


async def test_a_forged_or_expired_mfa_token_is_refused(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    secret, _ = await enrol(client, await owner_token(client, tenant), clock)
    mfa_token = await challenge(client, tenant, tenant.owner_email)

    forged = await verify(client, mfa_token[:-4] + "AAAA", code_at(secret, clock.now()))
    assert forged.status_code == 401
    assert forged.json()["code"] == "auth.invalid_mfa_token"

    clock.advance(minutes=6)
    expired = await verify(client, mfa_token, code_at(secret, clock.now()))
    assert expired.status_code == 401
    assert expired.json()["code"] == "auth.invalid_mfa_token"


async def require_mfa_for(client: Client, owner: str, *roles: str) -> None:
    response = await client.patch(
        "/api/v1/organizations/current", json={"settings": {"mfa_required_roles": list(roles)}}, headers=bearer(owner)
    )
    assert response.status_code == 200, response.text
    assert response.json()["settings"]["mfa_required_roles"] == sorted(roles)


async def test_a_role_that_requires_mfa_must_enrol_before_doing_anything_else(
    client: Client, container: Container, clock: ControlledClock
) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    admin = await add_user(client, owner, "admin")
    await require_mfa_for(client, owner, "admin")

    tokens = await login(client, tenant.slug, admin["email"])

    assert tokens["mfa_enrollment_required"] is True
    token = tokens["access_token"]
    me = await client.get("/api/v1/auth/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["mfa_enrollment_required"] is True
    refusals = [
        await client.get("/api/v1/users", headers=bearer(token)),
        await client.get(f"/api/v1/users/{tenant.owner_id}", headers=bearer(token)),
        await client.post(
            "/api/v1/users",
            json={"email": "new@example.test", "role": "nurse", "given_name": "N", "family_name": "N"},
            headers=bearer(token),
        ),
        await client.get("/api/v1/organizations/current", headers=bearer(token)),
        await client.patch("/api/v1/organizations/current", json={"name": "Renamed"}, headers=bearer(token)),
        await client.get("/api/v1/api-keys", headers=bearer(token)),
        await client.post("/api/v1/api-keys", json={"name": "k", "scopes": ["users:read"]}, headers=bearer(token)),
    ]
    assert [r.status_code for r in refusals] == [403] * len(refusals)
    assert {r.json()["code"] for r in refusals} == {"auth.mfa_enrollment_required"}

    await enrol(client, token, clock)

    assert (await client.get("/api/v1/users", headers=bearer(token))).status_code == 200
    assert (await client.get("/api/v1/organizations/current", headers=bearer(token))).status_code == 200
    me_after = await client.get("/api/v1/auth/me", headers=bearer(token))
    assert me_after.json()["mfa_enrollment_required"] is False
    next_login = await login(client, tenant.slug, admin["email"])
    assert next_login["mfa_required"] is True


async def test_roles_outside_the_required_list_are_not_asked_to_enrol(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    receptionist = await add_user(client, owner, "receptionist")
    await require_mfa_for(client, owner, "admin", "practitioner")

    tokens = await login(client, tenant.slug, receptionist["email"])

    assert tokens["mfa_enrollment_required"] is False
    assert (
        await client.get("/api/v1/organizations/current", headers=bearer(tokens["access_token"]))
    ).status_code == 200


async def test_requiring_mfa_takes_effect_on_tokens_already_issued(client: Client, container: Container) -> None:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    admin = await add_user(client, owner, "admin")
    admin_token = (await login(client, tenant.slug, admin["email"]))["access_token"]
    assert (await client.get("/api/v1/users", headers=bearer(admin_token))).status_code == 200

    await require_mfa_for(client, owner, "admin")

    refused = await client.get("/api/v1/users", headers=bearer(admin_token))
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.mfa_enrollment_required"
