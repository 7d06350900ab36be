"""Every error is an RFC 9457 problem document with a stable code and the request id."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import structlog
import structlog.testing
from dependency_injector import providers

from medcore.container import Container
from medcore.entrypoints.http.problems import PROBLEM_MEDIA_TYPE, TYPE_BASE
from tests.integration.helpers import Client, add_user, bearer, make_tenant, owner_token, token_for
from tests.integration.platform.conftest import AppFactory

VALID_USER = {"email": "new.person@example.test", "role": "nurse", "given_name": "New", "family_name": "Person"}


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is a complete problem document for ``status`` (and ``code``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "code", "request_id", "instance"} <= body.keys(), body
    assert body["status"] == status
    assert body["type"] == TYPE_BASE + body["code"]
    assert isinstance(body["title"], str)
    assert body["title"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["instance"] == response.request.url.path
    if code is not None:
        assert body["code"] == code
    return body


@pytest.fixture
async def owner(client: Client, container: Container) -> dict[str, str]:
    tenant = await make_tenant(container)
    return bearer(await owner_token(client, tenant))


# --- 400, 413, 415 ----------------------------------------------------------------------


async def test_malformed_json_is_a_400_problem(client: Client, owner: dict[str, str]) -> None:
    response = await client.post(
        "/api/v1/users", content=b'{"email": "a@b.test",', headers={**owner, "Content-Type": "application/json"}
    )

    assert_problem(response, 400, "malformed_request")


async def test_a_body_over_the_size_limit_is_a_413_problem(client: Client, owner: dict[str, str]) -> None:
    payload = b'{"email": "' + b"a" * 1_100_000 + b'"}'

    response = await client.post(
        "/api/v1/users", content=payload, headers={**owner, "Content-Type": "application/json"}
    )

    assert_problem(response, 413, "body_too_large")


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/x-www-form-urlencoded", b"email=a%40b.test&role=nurse"),
        ("text/plain", b"just some text"),
        ("application/xml", b"<user><email>a@b.test</email></user>"),
    ],
)
async def test_a_body_in_another_content_type_is_refused_with_a_4xx_problem(
    client: Client, owner: dict[str, str], content_type: str, content: bytes
) -> None:
    response = await client.post("/api/v1/users", content=content, headers={**owner, "Content-Type": content_type})

    assert_problem(response, 415, "unsupported_media_type")


async def test_a_json_body_declared_as_text_is_refused_too(client: Client, owner: dict[str, str]) -> None:
    body = b'{"email": "typed@example.test", "role": "nurse", "given_name": "A", "family_name": "B"}'
    response = await client.post("/api/v1/users", content=body, headers={**owner, "Content-Type": "text/plain"})

    assert_problem(response, 415, "unsupported_media_type")
    listed = await client.get("/api/v1/users", params={"email": "typed@example.test"}, headers=owner)
    assert listed.json()["items"] == []


# --- 401, 403 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "auth.unauthenticated"),
        ({"Authorization": "Bearer not-a-token"}, "auth.invalid_token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "auth.unsupported_scheme"),
        ({"Authorization": "Bearer"}, "auth.unsupported_scheme"),
    ],
)
async def test_missing_bad_or_unsupported_credentials_are_a_401_with_www_authenticate(
    client: Client, headers: dict[str, str], code: str
) -> None:
    response = await client.get("/api/v1/users", headers=headers)

    assert_problem(response, 401, code)
    assert response.headers["www-authenticate"] == 'Bearer realm="medcore"'


async def test_an_unknown_api_key_is_a_401_problem(client: Client) -> None:
    response = await client.get("/api/v1/users", headers={"X-API-Key": "mc_live_nothing_like_a_real_key"})

    body = assert_problem(response, 401)
    assert body["code"].startswith("auth.")
    assert response.headers["www-authenticate"] == 'Bearer realm="medcore"'


async def test_an_authenticated_caller_without_the_permission_gets_a_403_problem(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    nurse, _ = await token_for(client, tenant, "nurse")

    response = await client.post("/api/v1/users", json=VALID_USER, headers=bearer(nurse))

    assert_problem(response, 403)


# --- 404, 405 ---------------------------------------------------------------------------


async def test_an_unknown_route_is_a_404_problem_with_a_request_id(client: Client) -> None:
    response = await client.get("/api/v1/no-such-thing")

    assert_problem(response, 404, "not_found")


async def test_an_unknown_id_and_another_tenants_id_answer_the_same_404(
    client: Client, container: Container, owner: dict[str, str]
) -> None:
    other = await make_tenant(container)
    foreign_id = str(other.owner_id)
    unknown_id = "01900000-0000-7000-8000-000000000000"

    foreign = await client.get(f"/api/v1/users/{foreign_id}", headers=owner)
    unknown = await client.get(f"/api/v1/users/{unknown_id}", headers=owner)

    foreign_body = assert_problem(foreign, 404)
    unknown_body = assert_problem(unknown, 404)
    assert (foreign_body["code"], foreign_body["detail"]) == (unknown_body["code"], unknown_body["detail"])
    assert foreign_id not in foreign.text.replace(foreign_body["instance"], "")


async def test_a_malformed_id_in_the_path_is_a_404_problem(client: Client, owner: dict[str, str]) -> None:
    response = await client.get("/api/v1/users/not-a-uuid", headers=owner)

    assert_problem(response, 404, "not_found")


async def test_an_unsupported_method_is_a_405_problem_naming_the_allowed_ones(client: Client) -> None:
    response = await client.delete("/api/v1/users")

    assert_problem(response, 405, "method_not_allowed")
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert {"GET", "POST"} <= allowed
    assert "DELETE" not in allowed


# --- 422 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({k: v for k, v in VALID_USER.items() if k != "role"}, "role"),
        ({k: v for k, v in VALID_USER.items() if k != "email"}, "email"),
        ({**VALID_USER, "email": 42}, "email"),
        ({**VALID_USER, "role": "emperor"}, "role"),
        ({**VALID_USER, "given_name": ["a", "list"]}, "given_name"),
        ({**VALID_USER, "nickname": "Sneaky"}, "nickname"),
    ],
    ids=["missing-role", "missing-email", "email-wrong-type", "role-not-allowed", "name-wrong-type", "unknown-field"],
)
async def test_an_invalid_body_is_a_422_naming_the_field(
    client: Client, owner: dict[str, str], payload: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/v1/users", json=payload, headers=owner)

    body = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == [field]
    assert all(e["message"] for e in body["errors"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"settings": {"lockout_threshold": "many"}}, "settings.lockout_threshold"),
        ({"settings": {"colour": "blue"}}, "settings.colour"),
        ({"settings": "none"}, "settings"),
    ],
)
async def test_a_nested_invalid_field_is_named_by_its_path(
    client: Client, owner: dict[str, str], payload: dict[str, Any], field: str
) -> None:
    response = await client.patch("/api/v1/organizations/current", json=payload, headers=owner)

    body = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize(
    ("method", "url", "payload", "field"),
    [
        ("post", "/api/v1/users", {**VALID_USER, "given_name": "Nul\u0000Byte"}, "given_name"),
        ("post", "/api/v1/users", {**VALID_USER, "email": "nul\u0000@example.test"}, "email"),
        ("patch", "/api/v1/organizations/current", {"name": "Clinic\u0000"}, "name"),
    ],
)
async def test_a_nul_character_in_a_text_field_is_a_422_not_a_500(
    client: Client, owner: dict[str, str], method: str, url: str, payload: dict[str, Any], field: str
) -> None:
    response = await client.request(method.upper(), url, json=payload, headers=owner)

    body = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == [field]


async def test_a_nul_character_in_the_login_form_is_a_422(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"organization": "clinic\u0000", "email": "a@b.test", "password": "x"}
    )

    body = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["organization"]


async def test_nul_characters_in_secrets_and_credentials_are_refused_without_a_5xx(
    client: Client, container: Container
) -> None:
    tenant = await make_tenant(container)
    owner = bearer(await owner_token(client, tenant))
    nul = "a\u0000b"
    attempts: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        ("/api/v1/auth/login", {"organization": tenant.slug, "email": tenant.owner_email, "password": nul}, {}),
        ("/api/v1/auth/refresh", {"refresh_token": nul}, {}),
        ("/api/v1/auth/mfa/verify", {"mfa_token": nul, "code": nul}, {}),
        ("/api/v1/auth/password/reset", {"organization": tenant.slug, "token": nul, "new_password": nul * 8}, {}),
        ("/api/v1/auth/email/verify", {"organization": tenant.slug, "token": nul}, {}),
        ("/api/v1/auth/password/change", {"current_password": nul, "new_password": nul * 8}, owner),
        ("/api/v1/api-keys", {"name": "key", "scopes": [nul]}, owner),
    ]
    for url, payload, headers in attempts:
        response = await client.post(url, json=payload, headers=headers)
        assert 400 <= response.status_code < 500, (url, response.text)
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    for headers in ({"X-API-Key": nul}, {"Authorization": f"Bearer {nul}"}):
        assert_problem(await client.get("/api/v1/users", headers=headers), 401)


async def test_a_domain_rule_violation_is_a_422_naming_the_field(client: Client, owner: dict[str, str]) -> None:
    response = await client.post("/api/v1/users", json={**VALID_USER, "email": "not-an-email"}, headers=owner)

    body = assert_problem(response, 422)
    assert "email" in [e["field"] for e in body["errors"]]


async def test_a_list_with_bad_parameters_is_a_422_naming_each_of_them(client: Client, owner: dict[str, str]) -> None:
    response = await client.get("/api/v1/users?limit=0&sort=password&colour=red", headers=owner)

    body = assert_problem(response, 422, "validation_failed")
    assert {e["field"] for e in body["errors"]} == {"limit", "sort", "colour"}


# --- 409, 429, 500 ----------------------------------------------------------------------


async def test_a_conflict_is_a_409_problem(client: Client, owner: dict[str, str]) -> None:
    await add_user(client, owner["Authorization"].split()[1], "nurse", email="twice@example.test")

    response = await client.post("/api/v1/users", json={**VALID_USER, "email": "twice@example.test"}, headers=owner)

    assert_problem(response, 409)


async def test_too_many_requests_is_a_429_problem_with_retry_after(custom_app: AppFactory) -> None:
    _, client = await custom_app(MEDCORE_RATE_LIMITS_ENABLED="true", MEDCORE_RATE_LIMIT_AUTH="1/minute")
    attempt = {"organization": "nowhere", "email": "x@example.test", "password": "wrong password"}

    first = await client.post("/api/v1/auth/login", json=attempt)
    second = await client.post("/api/v1/auth/login", json=attempt)

    assert first.status_code == 401
    assert_problem(second, 429, "rate_limited")
    assert int(second.headers["retry-after"]) >= 1


class Boom:
    async def execute(self, *args: object, **kwargs: object) -> object:
        raise RuntimeError("secret internals at /srv/medcore/app.py: SELECT * FROM users")


async def test_an_unexpected_error_is_a_500_problem_revealing_nothing_but_the_request_id(
    client: Client, container: Container, owner: dict[str, str]
) -> None:
    container.use_cases.get_organization.override(providers.Object(Boom()))
    try:
        response = await client.get("/api/v1/organizations/current", headers={**owner, "X-Request-ID": "trace-500-abc"})
    finally:
        container.use_cases.get_organization.reset_override()

    body = assert_problem(response, 500, "internal_error")
    assert body["request_id"] == "trace-500-abc"
    for leak in ("secret", "internals", "RuntimeError", "Traceback", "SELECT", "/srv", ".py"):
        assert leak not in response.text
    assert (await client.get("/api/v1/organizations/current", headers=owner)).status_code == 200


class LeakyBoom:
    """Fails as a database error does: quoting the values it refused."""

    message = 'DETAIL: Key (family_name, note)=(Dupont, "HIV positive") already exists'

    async def execute(self, *args: object, **kwargs: object) -> object:
        raise RuntimeError(self.message)


async def test_the_log_of_an_unexpected_error_names_where_it_failed_not_what_it_held(
    client: Client, container: Container, owner: dict[str, str]
) -> None:
    container.use_cases.get_organization.override(providers.Object(LeakyBoom()))
    try:
        with structlog.testing.capture_logs() as logs:
            response = await client.get("/api/v1/organizations/current", headers=owner)
    finally:
        container.use_cases.get_organization.reset_override()

    assert response.status_code == 500
    [error] = [entry for entry in logs if entry["event"] == "http.unhandled_error"]
    assert error["error_type"] == "RuntimeError"
    assert "raise RuntimeError(self.message)" in error["stack"]
    for leak in ("Dupont", "HIV", "DETAIL"):
        assert leak not in repr(logs)
