"""Applications of their own, for platform tests that need settings the session-wide app
does not have (rate limits on, CORS origins, a small body limit, https, another database)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Protocol

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container, build_container
from medcore.entrypoints.http.app import create_app
from tests.integration.conftest import (
    SECRET_KEY,
    ControlledClock,
    Outbox,
    SwitchableDatabase,
    settings_for,
)

Client = AsyncTestClient[Litestar]


class AppFactory(Protocol):
    def __call__(
        self,
        *,
        base_url: str = ...,
        database_url: str | None = ...,
        **settings: str,
    ) -> Awaitable[tuple[Container, Client]]: ...


@pytest.fixture
async def custom_app(
    db: SavepointDatabase,
    database_url: str,
    switchable_database: SwitchableDatabase,
    clock: ControlledClock,
    outbox: Outbox,
    tmp_path: Path,
) -> AsyncIterator[AppFactory]:
    """Build a container and app with ``MEDCORE_*`` overrides. By default it shares this
    test's transaction and clock, as the ``container`` fixture does; with ``database_url`` it
    uses that database for real. Returns (container, client)."""
    shared_url = database_url
    async with AsyncExitStack() as stack:

        async def build(
            *,
            base_url: str = "http://medcore.test",
            database_url: str | None = None,
            **settings: str,
        ) -> tuple[Container, Client]:
            built = build_container(
                settings_for(outbox, tmp_path, **settings),
                database_url=database_url or shared_url,
                secret_key=SECRET_KEY,
            )
            if database_url is None:
                built.gateways.database.override(providers.Object(switchable_database))
            built.core.clock.override(providers.Object(clock))
            client: Client = AsyncTestClient(app=create_app(built), base_url=base_url)
            await stack.enter_async_context(client)
            return built, client

        yield build
