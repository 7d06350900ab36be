"""Rate limits per client IP (strict on authentication endpoints), per user or API key and
per organization, with ``RateLimit-*`` headers; health probes and metrics are exempt.

Each app built here has its own in-memory counters. Windows are an hour long, so that no
window can end while a test runs.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from medcore.container import Container
from tests.integration.helpers import PASSWORD, Client, bearer, login, make_tenant
from tests.integration.platform.conftest import AppFactory

GENEROUS = "10000/hour"
RATE_HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")


def limits(**overrides: str) -> dict[str, str]:
    settings = {
        "MEDCORE_RATE_LIMITS_ENABLED": "true",
        "MEDCORE_RATE_LIMIT_AUTH": GENEROUS,
        "MEDCORE_RATE_LIMIT_IP": GENEROUS,
        "MEDCORE_RATE_LIMIT_USER": GENEROUS,
        "MEDCORE_RATE_LIMIT_ORGANIZATION": GENEROUS,
    }
    settings.update({f"MEDCORE_RATE_LIMIT_{name.upper()}": value for name, value in overrides.items()})
    return settings


def assert_rate_limited(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["status"] == 429
    assert body["request_id"] == response.headers["x-request-id"]
    assert 1 <= int(response.headers["retry-after"]) <= 3600
    assert response.headers["ratelimit-limit"] == str(limit)
    assert response.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(response.headers["ratelimit-reset"]) <= 3600


def remaining(response: httpx.Response) -> int:
    return int(response.headers["ratelimit-remaining"])


def wrong_login(slug: str = "nowhere", email: str = "someone@example.test") -> dict[str, Any]:
    return {"organization": slug, "email": email, "password": "not the password at all"}


async def sign_in(client: Client, container: Container) -> tuple[Any, dict[str, str]]:
    tenant = await make_tenant(container)
    tokens = await login(client, tenant.slug, tenant.owner_email)
    return tenant, bearer(tokens["access_token"])


async def add_staff(client: Client, owner: dict[str, str], email: str) -> dict[str, str]:
    """A nurse of the owner's organization, signed in (costs the owner one request)."""
    created = await client.post(
        "/api/v1/users",
        json={"email": email, "role": "nurse", "given_name": "N", "family_name": "Urse", "password": PASSWORD},
        headers=owner,
    )
    assert created.status_code == 201, created.text
    me = await client.get("/api/v1/auth/me", headers=owner)
    slug = me.json()["organization"]["slug"]
    return bearer((await login(client, slug, email))["access_token"])


# --- authentication endpoints -----------------------------------------------------------


async def test_login_is_strictly_limited_per_ip(custom_app: AppFactory) -> None:
    built, client = await custom_app(**limits(auth="3/hour"))
    tenant = await make_tenant(built)

    attempts = [await client.post("/api/v1/auth/login", json=wrong_login()) for _ in range(3)]
    refused = await client.post(
        "/api/v1/auth/login",
        json={"organization": tenant.slug, "email": tenant.owner_email, "password": PASSWORD},
    )

    assert [a.status_code for a in attempts] == [401, 401, 401]
    assert [remaining(a) for a in attempts] == [2, 1, 0]
    assert_rate_limited(refused, 3)
    assert "access_token" not in refused.text


async def test_the_authentication_endpoints_share_one_budget_per_ip(custom_app: AppFactory) -> None:
    _, client = await custom_app(**limits(auth="2/hour"))

    await client.post("/api/v1/auth/login", json=wrong_login())
    await client.post("/api/v1/auth/password/forgot", json={"organization": "nowhere", "email": "x@example.test"})
    refused = await client.post("/api/v1/auth/refresh", json={"refresh_token": "whatever"})

    assert_rate_limited(refused, 2)


async def test_other_addresses_and_other_routes_keep_their_budget(custom_app: AppFactory) -> None:
    _, client = await custom_app(MEDCORE_TRUST_FORWARDED_HEADERS="true", **limits(auth="2/hour"))
    first_ip = {"X-Forwarded-For": "203.0.113.7"}
    other_ip = {"X-Forwarded-For": "198.51.100.23"}

    for _ in range(2):
        await client.post("/api/v1/auth/login", json=wrong_login(), headers=first_ip)
    refused = await client.post("/api/v1/auth/login", json=wrong_login(), headers=first_ip)
    elsewhere = await client.post("/api/v1/auth/login", json=wrong_login(), headers=other_ip)
    not_auth = await client.get("/api/v1/users", headers=first_ip)

    assert_rate_limited(refused, 2)
    assert elsewhere.status_code == 401
    assert remaining(elsewhere) == 1
    assert not_auth.status_code == 401  # refused for want of credentials, not for the rate
    assert int(not_auth.headers["ratelimit-limit"]) == 10000


# --- per IP, per user, per organization -------------------------------------------------


async def test_every_route_is_limited_per_ip(custom_app: AppFactory) -> None:
    _, client = await custom_app(**limits(ip="4/hour"))

    answers = [await client.get("/api/v1/users") for _ in range(4)]
    refused = await client.get("/api/v1/organizations/current")

    assert [a.status_code for a in answers] == [401] * 4
    assert [remaining(a) for a in answers] == [3, 2, 1, 0]
    assert_rate_limited(refused, 4)


async def test_each_user_has_a_budget_of_their_own(custom_app: AppFactory) -> None:
    built, client = await custom_app(**limits(user="5/hour"))
    _, owner = await sign_in(client, built)
    nurse = await add_staff(client, owner, "nurse.budget@example.test")  # the owner's 1st and 2nd requests

    owner_answers = [await client.get("/api/v1/organizations/current", headers=owner) for _ in range(3)]
    refused = await client.get("/api/v1/organizations/current", headers=owner)
    nurse_answer = await client.get("/api/v1/organizations/current", headers=nurse)

    assert [a.status_code for a in owner_answers] == [200, 200, 200]
    assert [remaining(a) for a in owner_answers] == [2, 1, 0]
    assert owner_answers[0].headers["ratelimit-limit"] == "5"
    assert_rate_limited(refused, 5)
    assert nurse_answer.status_code == 200
    assert remaining(nurse_answer) == 4


async def test_an_organization_shares_one_budget_across_its_users(custom_app: AppFactory) -> None:
    built, client = await custom_app(**limits(organization="6/hour"))
    _, owner = await sign_in(client, built)
    nurse = await add_staff(client, owner, "nurse.shared@example.test")  # 2 of the organization's 6
    _, elsewhere = await sign_in(client, built)

    answers = [await client.get("/api/v1/organizations/current", headers=who) for who in (owner, nurse, owner, nurse)]
    refused_owner = await client.get("/api/v1/organizations/current", headers=owner)
    refused_nurse = await client.get("/api/v1/organizations/current", headers=nurse)
    other_organization = await client.get("/api/v1/organizations/current", headers=elsewhere)

    assert [a.status_code for a in answers] == [200] * 4
    assert [remaining(a) for a in answers] == [3, 2, 1, 0]
    assert_rate_limited(refused_owner, 6)
    assert_rate_limited(refused_nurse, 6)
    assert other_organization.status_code == 200
    assert remaining(other_organization) == 5


async def test_an_api_key_has_a_budget_of_its_own(custom_app: AppFactory) -> None:
    built, client = await custom_app(**limits(user="3/hour"))
    _, owner = await sign_in(client, built)
    issued = await client.post(
        "/api/v1/api-keys", json={"name": "Import", "scopes": ["organization:read"]}, headers=owner
    )
    key = {"X-API-Key": issued.json()["key"]}

    answers = [await client.get("/api/v1/organizations/current", headers=key) for _ in range(3)]
    refused = await client.get("/api/v1/organizations/current", headers=key)
    owner_answer = await client.get("/api/v1/organizations/current", headers=owner)

    assert [a.status_code for a in answers] == [200] * 3
    assert_rate_limited(refused, 3)
    assert owner_answer.status_code == 200  # the owner's budget is their own: 2 used of 3
    assert remaining(owner_answer) == 1


# --- headers and exemptions -------------------------------------------------------------


async def test_successful_answers_carry_ratelimit_headers_for_the_tightest_limit(custom_app: AppFactory) -> None:
    built, client = await custom_app(**limits(ip="50/hour", user="20/hour", organization="30/hour"))
    _, owner = await sign_in(client, built)  # one request from this IP

    first = await client.get("/api/v1/auth/me", headers=owner)
    second = await client.get("/api/v1/auth/me", headers=owner)

    assert first.status_code == second.status_code == 200
    for response in (first, second):
        assert all(name in response.headers for name in RATE_HEADERS)
        assert response.headers["ratelimit-limit"] == "20"
        assert 1 <= int(response.headers["ratelimit-reset"]) <= 3600
    assert remaining(first) == 19
    assert remaining(second) == 18


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/metrics"])
async def test_health_and_metrics_are_exempt_and_do_not_spend_the_budget(custom_app: AppFactory, path: str) -> None:
    _, client = await custom_app(**limits(ip="2/hour"))

    answers = [await client.get(path) for _ in range(6)]
    api = await client.get("/api/v1/users")

    assert [a.status_code for a in answers] == [200] * 6
    assert not any(name in a.headers for a in answers for name in RATE_HEADERS)
    assert api.status_code == 401
    assert remaining(api) == 1


async def test_without_rate_limits_no_ratelimit_headers_are_sent(client: Client) -> None:
    response = await client.post("/api/v1/auth/login", json=wrong_login())

    assert response.status_code == 401
    assert not any(name in response.headers for name in RATE_HEADERS)
