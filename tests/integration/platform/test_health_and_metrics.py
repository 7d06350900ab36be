"""Operations: liveness, readiness (database reachable, schema current), and Prometheus metrics
labelled by route template, with the database pool's usage."""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from medcore.adapters.postgres.embedded import EmbeddedPostgres
from tests.integration.helpers import Client, bearer, make_tenant, owner_token
from tests.integration.platform.conftest import AppFactory

UUID_TEXT = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE)


def samples(text: str, name: str) -> Iterator[Sample]:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                yield sample


def is_user_read(sample: Sample) -> bool:
    """A successful GET of one user, counted under the route template."""
    wanted = {"path": "/api/v1/users/{user_id}", "method": "GET", "status_code": "200"}
    return all(sample.labels.get(k) == v for k, v in wanted.items())


# --- health -----------------------------------------------------------------------------


async def test_liveness_answers_ok(client: Client) -> None:
    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_readiness_answers_ok_when_the_database_answers_and_its_schema_is_current(client: Client) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


async def test_readiness_fails_on_a_database_that_was_never_migrated(
    custom_app: AppFactory, postgres: EmbeddedPostgres
) -> None:
    postgres.ensure_database("medcore_platform_unmigrated")
    _, client = await custom_app(database_url=postgres.url("medcore_platform_unmigrated"))

    ready = await client.get("/health/ready")
    live = await client.get("/health/live")

    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "checks": {"database": "ok", "migrations": "pending"}}
    assert live.status_code == 200


async def test_readiness_fails_while_migrations_are_pending(custom_app: AppFactory, fresh_database_url: str) -> None:
    with psycopg.connect(fresh_database_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0000_older_schema'")
    _, client = await custom_app(database_url=fresh_database_url)

    ready = await client.get("/health/ready")

    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "checks": {"database": "ok", "migrations": "pending"}}


async def test_readiness_fails_when_the_database_is_unreachable_while_liveness_holds(
    custom_app: AppFactory, postgres: EmbeddedPostgres
) -> None:
    _, client = await custom_app(database_url=postgres.url("medcore_no_such_database"))

    ready = await client.get("/health/ready")
    live = await client.get("/health/live")

    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "checks": {"database": "unreachable", "migrations": "unknown"}}
    assert "medcore_no_such_database" not in ready.text
    assert live.status_code == 200


async def test_health_probes_are_not_cached(client: Client) -> None:
    for path in ("/health/live", "/health/ready"):
        response = await client.get(path)
        assert response.headers["cache-control"] == "no-store"


# --- metrics ----------------------------------------------------------------------------


async def test_metrics_count_requests_by_route_template_never_by_id(
    custom_app: AppFactory, fresh_database_url: str
) -> None:
    built, client = await custom_app(database_url=fresh_database_url)
    tenant = await make_tenant(built)
    owner = bearer(await owner_token(client, tenant))
    user_url = f"/api/v1/users/{tenant.owner_id}"
    before = await client.get("/metrics")
    counted_before = sum(s.value for s in samples(before.text, "medcore_requests_total") if is_user_read(s))
    for _ in range(3):
        assert (await client.get(user_url, headers=owner)).status_code == 200
    assert (await client.get("/api/v1/users/01900000-0000-7000-8000-000000000000", headers=owner)).status_code == 404
    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    requests = list(samples(response.text, "medcore_requests_total"))
    by_user = [s for s in requests if s.labels.get("path") == "/api/v1/users/{user_id}"]
    assert sum(s.value for s in by_user if is_user_read(s)) - counted_before == 3
    assert any(s.labels["status_code"] == "404" for s in by_user)
    assert list(samples(response.text, "medcore_request_duration_seconds_count"))
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            assert not any(UUID_TEXT.search(value) for value in sample.labels.values()), sample
    assert not any(s.labels.get("path", "").startswith(("/health", "/metrics")) for s in requests)


async def test_metrics_report_the_database_pool(custom_app: AppFactory, fresh_database_url: str) -> None:
    _, client = await custom_app(database_url=fresh_database_url)
    assert (await client.get("/health/ready")).status_code == 200  # borrows a connection and gives it back

    response = await client.get("/metrics")

    pool = {s.labels["state"]: s.value for s in samples(response.text, "medcore_db_pool_connections")}
    assert set(pool) == {"checked_out", "idle", "overflow"}
    assert pool["checked_out"] == 0
    assert pool["idle"] >= 1
