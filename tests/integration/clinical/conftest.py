"""Fixtures of the clinical integration tests."""

from __future__ import annotations

import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.clinical.support import Ward, open_ward
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client


@pytest.fixture
async def ward(client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase) -> Ward:
    """A clinic in Europe/Paris on Monday 15 March 2027, 07:00 local time, with two doctors
    linked to their accounts and a nurse."""
    return await open_ward(client, container, clock)
