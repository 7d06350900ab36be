from __future__ import annotations

import pytest

from tests.unit.application.world import World


@pytest.fixture
def world() -> World:
    """The identity use cases on fresh in-memory fakes."""
    return World()
