"""The audit benchmarks' own embedded PostgreSQL (durable: fsync and synchronous commit on,
as in production), databases migrated to head, organizations, machine state, results.
Nothing here belongs to medcore."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "benchmarks" / ".data" / "audit"  # gitignored
RESULTS = ROOT / "benchmarks" / "results" / "audit"
PG_DIR = DATA / "postgres"
SECRET_KEY = "audit-benchmark-secret-key-not-for-production-0123456789"
SIGNING_SEED = "bWVkY29yZS1hdWRpdC1iZW5jaG1hcmstc2lnbmluZyE="  # 32 bytes, benchmarks only


def server() -> Any:
    from medcore.adapters.postgres.embedded import EmbeddedPostgres

    return EmbeddedPostgres(PG_DIR)


def start_postgres() -> Any:
    pg = server()
    pg.start(durable=True)
    return pg


def url(database: str) -> str:
    return str(server().url(database))


def dsn(database: str) -> str:
    return f"host={server().socket_dir} port=5432 user=postgres dbname={database}"


def fresh_database(name: str) -> str:
    """Drop and recreate ``name``, migrated to head; its URL."""
    import psycopg

    from medcore.adapters.postgres import migrate

    with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]
        conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    migrate.upgrade(url(name))
    return url(name)


def container(database_url: str) -> Any:
    from medcore.container import build_container
    from medcore.settings import load_settings

    environ = {
        "MEDCORE_DATA_DIR": str(DATA / "medcore"),
        "MEDCORE_AUDIT_SIGNING_KEY": SIGNING_SEED,
        "MEDCORE_LOG_LEVEL": "WARNING",
        "MEDCORE_DB_POOL_SIZE": "20",
    }
    return build_container(load_settings(environ), database_url=database_url, secret_key=SECRET_KEY.encode())


async def organization(container: Any, slug: str) -> Any:
    """A new organization; the owner as a system actor (with request metadata)."""
    from medcore.application.identity.create_organization import CreateOrganizationCommand
    from medcore.application.shared.actor import RequestMeta, system_actor
    from medcore.domain.identity.organization import OrganizationSettings

    created = (
        await container.use_cases.create_organization().execute(
            CreateOrganizationCommand(
                slug=slug,
                name=f"Benchmark {slug}",
                owner_email=f"owner@{slug}.bench",
                owner_password="Quiet-Harbour-Lantern-73",
                settings=OrganizationSettings(mfa_required_roles=frozenset()),
            )
        )
    ).unwrap()
    meta = RequestMeta(request_id="bench", ip="192.0.2.44", user_agent="medcore-benchmark/1")
    return system_actor(created.organization.id, created.owner.id, meta)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))
    return ordered[index]


def machine_state() -> dict[str, Any]:
    load = Path("/proc/loadavg").read_text().split()[:3]
    top = ""
    if shutil.which("top"):
        top = subprocess.run(["top", "-bn1", "-w", "160"], capture_output=True, text=True, check=False).stdout
    return {"loadavg": load, "cpus": os.cpu_count(), "top": "\n".join(top.splitlines()[:12])}


def write_result(name: str, result: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
