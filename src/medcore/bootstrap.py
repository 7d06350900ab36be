"""Start-up: settings, the database (embedded or by URL), migrations, the container.

Shared by the CLI commands and the HTTP server workers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import structlog

from medcore.adapters.postgres import migrate, roles
from medcore.adapters.postgres.embedded import EmbeddedPostgres
from medcore.container import Container, build_container
from medcore.settings import Settings

log = structlog.get_logger("medcore")


@dataclass(frozen=True, slots=True)
class DatabaseHandle:
    url: str
    embedded: EmbeddedPostgres | None


@contextmanager
def database(settings: Settings) -> Iterator[DatabaseHandle]:
    """The configured database, or an embedded server under ``data_dir`` for the time of
    the block (left running if another medcore process started it)."""
    if settings.database_url:
        yield DatabaseHandle(url=settings.database_url, embedded=None)
        return
    server = EmbeddedPostgres(Path(settings.data_dir).resolve() / "postgres")
    started = server.start()
    try:
        server.ensure_database()
        yield DatabaseHandle(url=server.url(), embedded=server)
    finally:
        if started:
            server.stop()


class PendingMigrations(Exception):
    def __init__(self, state: migrate.SchemaState) -> None:
        current = ", ".join(state.current) or "empty"
        super().__init__(
            f"The database schema is at {current}, this medcore expects {state.head}. "
            "Run `medcore db upgrade` first, or start with --migrate (or MEDCORE_AUTO_MIGRATE=true)."
        )
        self.state = state


def ensure_schema(url: str, *, apply: bool) -> migrate.SchemaState:
    state = migrate.state(url)
    if state.pending:
        if not apply:
            raise PendingMigrations(state)
        log.info("migrations.apply", current=list(state.current), head=state.head)
        migrate.upgrade(url)
        state = migrate.state(url)
    return state


def container_for(settings: Settings, url: str, *, allow_generated_key: bool = False) -> Container:
    return build_container(settings, database_url=url, allow_generated_key=allow_generated_key)


def export_for_workers(url: str, secret_key: bytes) -> None:
    """Server workers are separate processes: hand them the resolved database URL and key."""
    os.environ["MEDCORE_DATABASE_URL"] = url
    os.environ["MEDCORE_SECRET_KEY"] = secret_key.decode()


def schema_state(url: str) -> migrate.SchemaState:
    return migrate.state(url)


def upgrade_schema(url: str, revision: str = "head") -> None:
    migrate.upgrade(url, revision)


def downgrade_schema(url: str, revision: str = "-1") -> None:
    migrate.downgrade(url, revision)


def app_role_sql(role: str, password: str | None = None) -> list[str]:
    """The SQL that creates or updates the application's database role."""
    return roles.app_role_sql(role, password)


def apply_app_role(url: str, role: str, password: str | None = None) -> None:
    roles.apply_app_role(url, role, password)


RoleNameError = roles.RoleNameError
