from __future__ import annotations

import pytest

from tests.unit.clinical.world import Clinic, ClinicalWorld, open_clinic


@pytest.fixture
def world() -> ClinicalWorld:
    return ClinicalWorld()


@pytest.fixture
async def clinic(world: ClinicalWorld) -> Clinic:
    return await open_clinic(world)
