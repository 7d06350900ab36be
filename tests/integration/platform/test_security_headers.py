"""Headers on every response: the request id, and the security headers of api-conventions.md."""

from __future__ import annotations

import re

import httpx
import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from medcore.entrypoints.http.headers import API_CSP, DOCS_CSP
from tests.integration.helpers import Client, audit_events, bearer, make_tenant, owner_token
from tests.integration.platform.conftest import AppFactory

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")

# Answers of every kind: a success, a problem from a handler, an unmatched route, the docs.
PATHS = ["/health/live", "/api/v1/users", "/api/v1/nothing-here", "/schema/openapi.json"]


def assert_security_headers(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert "server" not in headers


# --- request id -------------------------------------------------------------------------


async def test_a_request_id_is_generated_for_each_request(client: Client) -> None:
    first = await client.get("/health/live")
    second = await client.get("/health/live")

    assert GENERATED_ID.match(first.headers["x-request-id"])
    assert GENERATED_ID.match(second.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize("offered", ["abc-123", "req:2026.03.01_09-00", "A" * 128])
async def test_a_well_formed_request_id_is_echoed(client: Client, offered: str) -> None:
    response = await client.get("/api/v1/users", headers={"X-Request-ID": offered})

    assert response.headers["x-request-id"] == offered
    assert response.json()["request_id"] == offered


@pytest.mark.parametrize(
    "offered",
    ["has spaces in it", "A" * 129, "semi;colon", "<script>", 'quote"d', "ünïcode"],
)
async def test_a_malformed_request_id_is_replaced_by_a_generated_one(client: Client, offered: str) -> None:
    response = await client.get("/api/v1/users", headers={"X-Request-ID": offered.encode()})

    replaced = response.headers["x-request-id"]
    assert GENERATED_ID.match(replaced)
    assert response.json()["request_id"] == replaced
    assert offered not in response.text


async def test_the_request_id_is_recorded_in_the_audit_trail(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    token = await owner_token(client, tenant)

    response = await client.post(
        "/api/v1/users",
        json={"email": "traced@example.test", "role": "nurse", "given_name": "T", "family_name": "Raced"},
        headers={**bearer(token), "X-Request-ID": "trace-create-user-1"},
    )

    assert response.status_code == 201
    events = await audit_events(db, tenant.organization_id)
    traced = [e for e in events if e["request_id"] == "trace-create-user-1"]
    assert traced
    assert any(e["action"].startswith("user.") for e in traced)


# --- security headers -------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
async def test_every_response_carries_the_security_headers_and_no_server_version(client: Client, path: str) -> None:
    response = await client.get(path)

    assert_security_headers(response)


async def test_post_and_error_responses_carry_the_security_headers(client: Client) -> None:
    response = await client.post("/api/v1/auth/login", json={"organization": "x"})

    assert response.status_code == 422
    assert_security_headers(response)


async def test_the_api_forbids_all_content_while_the_docs_page_may_load_its_viewer(client: Client) -> None:
    api = await client.get("/health/live")
    docs = await client.get("/schema")

    assert api.headers["content-security-policy"] == API_CSP
    assert "default-src 'none'" in API_CSP
    assert docs.status_code == 200
    assert docs.headers["content-security-policy"] == DOCS_CSP
    assert "script-src" in DOCS_CSP


async def test_hsts_is_not_sent_over_plain_http(client: Client) -> None:
    response = await client.get("/health/live")

    assert "strict-transport-security" not in response.headers


async def test_a_forwarded_proto_header_is_ignored_unless_proxies_are_trusted(client: Client) -> None:
    response = await client.get("/health/live", headers={"X-Forwarded-Proto": "https"})

    assert "strict-transport-security" not in response.headers


async def test_hsts_is_sent_over_https(custom_app: AppFactory) -> None:
    _, client = await custom_app(base_url="https://medcore.test")

    for path in ("/health/live", "/api/v1/users", "/api/v1/nothing-here"):
        response = await client.get(path)
        assert response.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"


async def test_hsts_is_sent_behind_a_trusted_tls_proxy(custom_app: AppFactory) -> None:
    _, client = await custom_app(MEDCORE_TRUST_FORWARDED_HEADERS="true")

    behind_tls = await client.get("/health/live", headers={"X-Forwarded-Proto": "https"})
    plain = await client.get("/health/live")

    assert "max-age=" in behind_tls.headers["strict-transport-security"]
    assert "strict-transport-security" not in plain.headers
