"""CORS with an explicit allow-list from settings (none by default, never ``*``), and the
request body size limit."""

from __future__ import annotations

import httpx
import pytest

from medcore.container import Container
from tests.integration.helpers import Client, bearer, make_tenant, owner_token
from tests.integration.platform.conftest import AppFactory

APP_ORIGIN = "https://app.example.test"
ADMIN_ORIGIN = "https://admin.example.test"
FOREIGN_ORIGIN = "https://evil.example.test"


def preflight(origin: str, method: str = "PATCH", headers: str = "authorization, if-match") -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


@pytest.fixture
async def cors_client(custom_app: AppFactory) -> Client:
    _, client = await custom_app(MEDCORE_CORS_ORIGINS=f"{APP_ORIGIN}, {ADMIN_ORIGIN}")
    return client


# --- CORS -------------------------------------------------------------------------------


async def test_no_cors_headers_are_sent_by_default(client: Client) -> None:
    simple = await client.get("/health/live", headers={"Origin": APP_ORIGIN})
    checked = await client.options("/api/v1/users", headers=preflight(APP_ORIGIN, "POST"))

    assert simple.status_code == 200
    assert cors_headers(simple) == {}
    assert cors_headers(checked) == {}


@pytest.mark.parametrize("origin", [APP_ORIGIN, ADMIN_ORIGIN])
async def test_an_allowed_origin_is_named_back_without_credentials(cors_client: Client, origin: str) -> None:
    response = await cors_client.get("/health/live", headers={"Origin": origin})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers.get("access-control-allow-credentials") != "true"
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "location", "x-request-id", "retry-after", "ratelimit-remaining"} <= exposed


async def test_cors_headers_also_accompany_errors(cors_client: Client) -> None:
    response = await cors_client.get("/api/v1/users", headers={"Origin": APP_ORIGIN})

    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN


async def test_a_preflight_from_an_allowed_origin_allows_the_api_methods_and_headers(cors_client: Client) -> None:
    response = await cors_client.options(
        "/api/v1/users/01900000-0000-7000-8000-000000000000", headers=preflight(APP_ORIGIN)
    )

    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE"} <= methods
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "if-match"} <= allowed


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": FOREIGN_ORIGIN},
        {"Origin": "https://app.example.test.evil.test"},
        {"Origin": "http://app.example.test"},
        {"Origin": "null"},
    ],
)
async def test_a_foreign_origin_gets_no_cors_permission(cors_client: Client, headers: dict[str, str]) -> None:
    simple = await cors_client.get("/health/live", headers=headers)
    checked = await cors_client.options("/api/v1/users", headers=preflight(headers["Origin"], "POST"))

    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers
    assert "access-control-allow-origin" not in checked.headers
    assert "*" not in simple.headers.get("access-control-allow-origin", "")


async def test_a_preflight_asking_for_an_unlisted_header_is_not_allowed(cors_client: Client) -> None:
    response = await cors_client.options("/api/v1/users", headers=preflight(APP_ORIGIN, "POST", "x-secret-header"))

    assert response.status_code >= 400
    assert "x-secret-header" not in response.headers.get("access-control-allow-headers", "").lower()


# --- request body size ------------------------------------------------------------------


@pytest.fixture
async def small_body_app(custom_app: AppFactory) -> tuple[Container, Client]:
    return await custom_app(MEDCORE_MAX_BODY_BYTES="2048")


def padded_user(size: int) -> bytes:
    """A valid create-user body of exactly ``size`` bytes (padded with JSON whitespace)."""
    body = b'{"email":"big@example.test","role":"nurse","given_name":"B","family_name":"Ig"'
    return body + b" " * (size - len(body) - 1) + b"}"


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "body_too_large"
    assert body["request_id"] == response.headers["x-request-id"]


async def test_a_body_over_max_body_bytes_is_a_413_problem(small_body_app: tuple[Container, Client]) -> None:
    built, client = small_body_app
    owner = bearer(await owner_token(client, await make_tenant(built)))

    response = await client.post(
        "/api/v1/users", content=padded_user(2049), headers={**owner, "Content-Type": "application/json"}
    )

    assert_too_large(response)


async def test_a_body_within_max_body_bytes_is_processed(small_body_app: tuple[Container, Client]) -> None:
    built, client = small_body_app
    owner = bearer(await owner_token(client, await make_tenant(built)))

    response = await client.post(
        "/api/v1/users", content=padded_user(1000), headers={**owner, "Content-Type": "application/json"}
    )

    assert response.status_code == 201, response.text


async def test_the_body_limit_holds_before_authentication(small_body_app: tuple[Container, Client]) -> None:
    _, client = small_body_app

    response = await client.post(
        "/api/v1/auth/login",
        content=b'{"organization":"' + b"a" * 4000 + b'"}',
        headers={"Content-Type": "application/json"},
    )

    assert_too_large(response)


async def test_the_body_limit_holds_for_idempotent_requests(small_body_app: tuple[Container, Client]) -> None:
    built, client = small_body_app
    owner = bearer(await owner_token(client, await make_tenant(built)))

    response = await client.post(
        "/api/v1/users",
        content=padded_user(5000),
        headers={**owner, "Content-Type": "application/json", "Idempotency-Key": "large-1"},
    )
    retried = await client.post(
        "/api/v1/users",
        content=padded_user(1000),
        headers={**owner, "Content-Type": "application/json", "Idempotency-Key": "large-1"},
    )

    assert_too_large(response)
    assert retried.status_code == 201, "a refused oversized request must not hold its key"


async def post_in_chunks(client: Client, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """POST ``body`` to the app in 500-byte chunks without Content-Length, as a chunked
    upload arrives (the test transport cannot stream a request): (status, response body)."""
    chunks = [body[i : i + 500] for i in range(0, len(body), 500)]
    incoming: list[dict[str, object]] = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    incoming.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("192.0.2.1", 50000),
        "server": ("medcore.test", 80),
        "state": {},
    }
    await client.app(scope, receive, send)  # type: ignore[arg-type]
    start = next(m for m in sent if m["type"] == "http.response.start")
    body_out = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")  # type: ignore[misc]
    return int(start["status"]), body_out  # type: ignore[call-overload]


@pytest.mark.parametrize("extra", [{}, {"Idempotency-Key": "streamed-1"}], ids=["plain", "idempotent"])
async def test_a_streamed_body_without_content_length_is_cut_off_at_the_limit(
    small_body_app: tuple[Container, Client], extra: dict[str, str]
) -> None:
    built, client = small_body_app
    owner = bearer(await owner_token(client, await make_tenant(built)))
    headers = {**owner, "Content-Type": "application/json", **extra}

    status, body = await post_in_chunks(client, "/api/v1/users", headers, padded_user(6000))
    accepted, _ = await post_in_chunks(client, "/api/v1/users", headers, padded_user(1500))

    assert status == 413
    assert b'"code":"body_too_large"' in body
    assert accepted == 201
