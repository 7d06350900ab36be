"""A clinic on a database of its own where commits are real: an app with a pooled engine
behind httpx's ASGI transport on the test's own event loop, so that requests gathered with
asyncio really run at the same time, each in its own transaction. (Litestar's
AsyncTestClient runs each request to completion through a blocking portal: gathered
requests would be served one after the other.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx
from dependency_injector import providers
from sqlalchemy import func, select

from medcore.adapters.postgres.scheduling_tables import appointments
from medcore.container import build_container
from tests.integration.conftest import SECRET_KEY, ControlledClock, Outbox, settings_for
from tests.integration.scheduling.support import NOW, Clinic, open_clinic
from tests.integration.system_helpers import own_app


@asynccontextmanager
async def committed_clinic(database_url: str, directory: Path, now: datetime = NOW) -> AsyncIterator[Clinic]:
    """The clinic of ``open_clinic`` on ``database_url``, with its own clock and outbox
    (``clinic.extra["outbox"]``)."""
    outbox = Outbox(directory / "outbox")
    clock = ControlledClock()
    settings = settings_for(outbox, directory / "data", MEDCORE_DB_POOL_SIZE="25", MEDCORE_DB_MAX_OVERFLOW="5")
    container = build_container(settings, database_url=database_url, secret_key=SECRET_KEY)
    container.core.clock.override(providers.Object(clock))
    try:
        with own_app(container) as app:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://medcore.test") as client:
                clinic = await open_clinic(client, container, clock, now)  # type: ignore[arg-type]
                clinic.extra["outbox"] = outbox
                yield clinic
    finally:
        await container.gateways.engine().dispose()


async def appointment_rows(clinic: Clinic) -> int:
    """Rows in the appointments table of this clinic, whatever their status."""
    async with clinic.container.gateways.engine().connect() as connection:
        count = await connection.scalar(
            select(func.count())
            .select_from(appointments)
            .where(appointments.c.organization_id == clinic.organization_id)
        )
    return int(count or 0)
