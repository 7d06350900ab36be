"""Expiry of signed prescriptions past their validity: counted in the prescriber's time zone,
once per prescription even when runs overlap, and through ``medcore prescriptions expire``."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from dependency_injector import providers
from sqlalchemy import func, select

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.prescribing_tables import prescriptions
from medcore.adapters.postgres.tables import audit_events as audit_table
from medcore.application.prescribing import expire_prescriptions as expire_module
from medcore.container import Container, build_container
from tests.integration.conftest import SECRET_KEY, ControlledClock, Outbox, settings_for
from tests.integration.helpers import Client, token_for
from tests.integration.prescribing.support import DOCTOR, Clinic, open_clinic
from tests.integration.system_helpers import flat, own_app, run_cli

SIGNED_AT = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)  # 13:00 in Paris, 05:00 in Los Angeles


def pin(clock: ControlledClock, instant: datetime) -> None:
    clock.offset = instant - datetime.now(UTC)


async def status_of(db: SavepointDatabase, prescription_id: str) -> str:
    """Read from the table (the clock has moved past the access tokens' lifetime)."""
    found = await db.connection.scalar(
        select(prescriptions.c.status).where(prescriptions.c.id == UUID(prescription_id))
    )
    return str(found)


async def test_validity_ends_at_midnight_in_the_prescribers_time_zone(
    client: Client, container: Container, db: SavepointDatabase, clock: ControlledClock
) -> None:
    pin(clock, SIGNED_AT)
    clinic = await open_clinic(client, container)
    west_token, west_user = await token_for(client, clinic.tenant, "practitioner")
    created = await clinic.post(
        "/api/v1/practitioners",
        {**DOCTOR, "family_name": "West", "time_zone": "America/Los_Angeles", "user_id": west_user["id"]},
        clinic.owner,
    )
    assert created.status_code == 201, created.text
    paris = await clinic.signed()
    west_draft = await clinic.drafted(prescriber_id=created.json()["id"], token=west_token)
    west = (await clinic.sign(west_draft["id"], token=west_token)).json()
    assert paris["valid_until"] == west["valid_until"] == "2027-06-13"

    expiry = container.use_cases.expire_prescriptions()
    pin(clock, datetime(2027, 6, 13, 21, 30, tzinfo=UTC))  # 23:30 on 13 June in Paris: still valid
    assert await expiry.due_count() == 0
    pin(clock, datetime(2027, 6, 14, 0, 30, tzinfo=UTC))  # 02:30 on 14 June in Paris, 17:30 on 13 June in LA
    assert await expiry.due_count() == 1
    assert (await expiry.execute()).expired == 1
    assert await status_of(db, paris["id"]) == "expired"
    assert await status_of(db, west["id"]) == "signed"

    pin(clock, datetime(2027, 6, 14, 7, 30, tzinfo=UTC))  # 00:30 on 14 June in LA
    assert (await expiry.execute()).expired == 1
    assert await status_of(db, west["id"]) == "expired"
    assert (await expiry.execute()).expired == 0


# --- with real commits ------------------------------------------------------------------


@asynccontextmanager
async def committed_clinic(database_url: str, directory: Path, now: datetime) -> AsyncIterator[Clinic]:
    """A clinic on a database of its own, whose clock reads ``now`` (and runs on)."""
    clock = ControlledClock()
    pin(clock, now)
    container = build_container(
        settings_for(Outbox(directory / "outbox"), directory / "data"), database_url=database_url, secret_key=SECRET_KEY
    )
    container.core.clock.override(providers.Object(clock))
    try:
        with own_app(container) as app:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://medcore.test") as client:
                yield await open_clinic(client, container)  # type: ignore[arg-type]
    finally:
        await container.gateways.engine().dispose()


async def statuses(clinic: Clinic) -> dict[str, int]:
    async with clinic.container.gateways.engine().connect() as connection:
        rows = await connection.execute(
            select(prescriptions.c.status, func.count())
            .where(prescriptions.c.organization_id == clinic.organization_id)
            .group_by(prescriptions.c.status)
        )
        return {str(status): int(count) for status, count in rows.all()}


async def expiry_events(clinic: Clinic) -> list[Any]:
    async with clinic.container.gateways.engine().connect() as connection:
        rows = await connection.execute(
            select(audit_table.c.resource_id).where(
                audit_table.c.organization_id == clinic.organization_id, audit_table.c.action == "prescription.expire"
            )
        )
        return [row[0] for row in rows.all()]


@pytest.mark.slow
async def test_overlapping_runs_expire_each_prescription_once(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(expire_module, "BATCH", 3)  # small batches: the runs interleave
    async with committed_clinic(fresh_database_url, tmp_path, datetime.now(UTC) - timedelta(days=100)) as clinic:
        for _ in range(14):
            await clinic.signed()
        await clinic.drafted()
        clinic.container.core.clock().offset = timedelta(0)  # today: all fourteen are past validity
        first, second = (
            clinic.container.use_cases.expire_prescriptions(),
            clinic.container.use_cases.expire_prescriptions(),
        )
        runs = await asyncio.gather(first.execute(), second.execute())

        assert sum(run.expired for run in runs) == 14
        assert await statuses(clinic) == {"expired": 14, "draft": 1}
        events = await expiry_events(clinic)
        assert len(events) == len(set(events)) == 14


@pytest.mark.slow
async def test_the_expire_command_reports_and_is_idempotent(fresh_database_url: str, tmp_path: Path) -> None:
    # The command runs on the machine's own clock: sign 100 days ago.
    async with committed_clinic(fresh_database_url, tmp_path, datetime.now(UTC) - timedelta(days=100)) as clinic:
        expiring = await clinic.signed()
        dispensed = await clinic.signed()
        pharmacy = await clinic.api_key("prescriptions:dispense")
        response = await clinic.client.post(
            f"/api/v1/prescriptions/{dispensed['id']}/dispense", json={}, headers=pharmacy
        )
        assert response.status_code == 200, response.text
        env = {
            "MEDCORE_DATABASE_URL": fresh_database_url,
            "MEDCORE_DATA_DIR": str(tmp_path / "cli"),
            "MEDCORE_LOG_LEVEL": "WARNING",
        }
        first = await asyncio.to_thread(run_cli, ["prescriptions", "expire"], env)
        second = await asyncio.to_thread(run_cli, ["prescriptions", "expire"], env)

        assert first.exit_code == 0, first.output
        assert "Prescription expiry" in first.stdout
        assert re.search(r"\bexpired\W+1\b", flat(first.stdout)), first.stdout
        assert re.search(r"\borganizations\W+1\b", flat(first.stdout)), first.stdout
        assert second.exit_code == 0, second.output
        assert re.search(r"\bexpired\W+0\b", flat(second.stdout)), second.stdout
        assert await statuses(clinic) == {"expired": 1, "dispensed": 1}
        assert [str(e) for e in await expiry_events(clinic)] == [expiring["id"]]
