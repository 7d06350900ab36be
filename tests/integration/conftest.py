"""Integration fixtures: one embedded PostgreSQL per test session, migrated once into a
template database; each test runs inside a transaction that is rolled back (units of work
are savepoints on that connection). Tests that need real commits seen by other connections
(concurrency, the CLI, schemathesis, the tenancy state machine) get a database cloned from
the template."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from medcore.adapters.postgres import migrate
from medcore.adapters.postgres.database import Database, SavepointDatabase, Transaction
from medcore.adapters.postgres.embedded import EmbeddedPostgres
from medcore.adapters.postgres.engine import create_engine
from medcore.container import Container, build_container
from medcore.entrypoints.http.app import create_app
from medcore.settings import Settings, load_settings

SECRET_KEY = b"integration-tests-secret-key-0123456789"


class ControlledClock:
    """Real time plus an offset tests can move forward (lockout windows, expiries)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def reset(self) -> None:
        self.offset = timedelta(0)


class SwitchableDatabase:
    """The session-wide container's database: each test points it at its own transaction."""

    def __init__(self) -> None:
        self.current: Database | None = None

    async def begin(self) -> Transaction:
        assert self.current is not None, "this test has no database: use the `db` fixture"
        return await self.current.begin()


class Outbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def clear(self) -> None:
        if self.directory.exists():
            for path in self.directory.iterdir():  # emails (.eml) and text messages (.sms.json)
                if path.is_file():
                    path.unlink()

    def messages(self, to: str | None = None) -> list[Message]:
        if not self.directory.exists():
            return []
        found = [message_from_bytes(p.read_bytes()) for p in sorted(self.directory.glob("*.eml"))]
        return [m for m in found if to is None or m["To"] == to]

    def token_for(self, to: str) -> str:
        """The token in the newest email to ``to``."""
        messages = self.messages(to)
        assert messages, f"no email to {to}"
        body = messages[-1].get_payload(decode=True)
        assert isinstance(body, bytes)
        return body.decode().split("token=", 1)[1].split()[0]


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data")
    server.start(durable=False)
    yield server
    server.stop()


_clone_names = itertools.count(1)


@pytest.fixture(scope="session")
def template_url(postgres: EmbeddedPostgres) -> str:
    postgres.ensure_database("medcore_template")
    url = postgres.url("medcore_template")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def database_url(postgres: EmbeddedPostgres, template_url: str) -> str:
    postgres.ensure_database("medcore_test", template="medcore_template")
    return postgres.url("medcore_test")


@pytest.fixture
def fresh_database_url(postgres: EmbeddedPostgres, template_url: str) -> str:
    """A migrated database of its own, where commits are real (cloned from the template)."""
    name = f"medcore_clone_{os.getpid()}_{next(_clone_names)}"
    postgres.ensure_database(name, template="medcore_template")
    return postgres.url(name)


@pytest.fixture(scope="session")
def empty_database_url(postgres: EmbeddedPostgres) -> str:
    postgres.ensure_database("medcore_empty")
    return postgres.url("medcore_empty")


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2, max_overflow=2)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def clock() -> ControlledClock:
    return ControlledClock()


@pytest.fixture(scope="session")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> Outbox:
    return Outbox(tmp_path_factory.mktemp("outbox"))


def settings_for(outbox: Outbox, data_dir: Path, **overrides: str) -> Settings:
    environ = {
        "MEDCORE_DATA_DIR": str(data_dir),
        "MEDCORE_OUTBOX_DIR": str(outbox.directory),
        "MEDCORE_RATE_LIMITS_ENABLED": "false",
        "MEDCORE_APP_URL": "https://app.example.test",
    }
    environ.update(overrides)
    return load_settings(environ)


@pytest.fixture(scope="session")
def switchable_database() -> SwitchableDatabase:
    return SwitchableDatabase()


@pytest.fixture(scope="session")
def container(
    database_url: str,
    clock: ControlledClock,
    outbox: Outbox,
    switchable_database: SwitchableDatabase,
    tmp_path_factory: pytest.TempPathFactory,
) -> Container:
    settings = settings_for(outbox, tmp_path_factory.mktemp("data"))
    built = build_container(settings, database_url=database_url, secret_key=SECRET_KEY)
    built.gateways.database.override(providers.Object(switchable_database))
    built.core.clock.override(providers.Object(clock))
    return built


@pytest.fixture(scope="session")
def app(container: Container) -> Litestar:
    return create_app(container)


@pytest.fixture(scope="session")
async def session_client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://medcore.test") as client:
        yield client


@pytest.fixture
async def db(
    engine: AsyncEngine, switchable_database: SwitchableDatabase, clock: ControlledClock, outbox: Outbox
) -> AsyncIterator[SavepointDatabase]:
    """This test's transaction, rolled back at the end: nothing it writes outlives it."""
    clock.reset()
    outbox.clear()
    async with engine.connect() as connection:
        outer = await connection.begin()
        database = SavepointDatabase(connection)
        switchable_database.current = database
        try:
            yield database
        finally:
            switchable_database.current = None
            await outer.rollback()


@pytest.fixture
async def client(session_client: AsyncTestClient[Litestar], db: SavepointDatabase) -> AsyncTestClient[Litestar]:
    session_client.headers.clear()
    return session_client
