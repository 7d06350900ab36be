"""Fixtures of the scheduling integration tests."""

from __future__ import annotations

import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client
from tests.integration.scheduling.support import Clinic, open_clinic


@pytest.fixture
async def clinic(client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase) -> Clinic:
    """A clinic in Europe/Paris on Monday 15 March 2027, 07:00 local time."""
    return await open_clinic(client, container, clock)
