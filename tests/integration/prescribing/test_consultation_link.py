"""A prescription links only to a consultation of its own patient."""

from __future__ import annotations

import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.helpers import Client
from tests.integration.prescribing.support import Clinic, open_clinic


@pytest.fixture
async def clinic(client: Client, container: Container, db: SavepointDatabase) -> Clinic:
    return await open_clinic(client, container)


async def test_a_draft_links_to_its_own_patients_consultation_only(clinic: Clinic) -> None:
    response = await clinic.post("/api/v1/consultations", {"patient_id": clinic.patient["id"]})
    assert response.status_code == 201, response.text
    consultation = response.json()
    other = await clinic.new_patient()

    linked = await clinic.draft(consultation_id=consultation["id"])
    assert linked.status_code == 201, linked.text
    assert linked.json()["consultation_id"] == consultation["id"]

    foreign = await clinic.draft(patient=other, consultation_id=consultation["id"])
    assert foreign.status_code == 422, foreign.text
    assert "consultation_id" in foreign.text

    unknown = await clinic.draft(consultation_id="0190f2c4-8a2b-7c3d-9e4f-5a6b7c8d9e0f")
    assert unknown.status_code == 422, unknown.text
    assert "consultation_id" in unknown.text

    drafted = await clinic.draft(patient=other)
    assert drafted.status_code == 201, drafted.text
    moved = await clinic.patch(
        f"/api/v1/prescriptions/{drafted.json()['id']}", {"consultation_id": consultation["id"]}, **{"If-Match": '"1"'}
    )
    assert moved.status_code == 422, moved.text
    assert "consultation_id" in moved.text
    kept = await clinic.get(f"/api/v1/prescriptions/{drafted.json()['id']}")
    assert kept.json()["consultation_id"] is None
