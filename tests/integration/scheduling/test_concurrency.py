"""Concurrent bookings on a database with real commits: exactly one wins, the others get the
same 409 a sequential request would; and the exclusion constraints hold by themselves."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.scheduling_tables import appointments
from tests.integration.scheduling.committed import appointment_rows, committed_clinic
from tests.integration.scheduling.support import Clinic, paris

SLOT = paris(2027, 3, 16, 10)


@pytest.mark.slow
async def test_twenty_concurrent_requests_for_one_slot_book_it_exactly_once(
    fresh_database_url: str, tmp_path: Path
) -> None:
    async with committed_clinic(fresh_database_url, tmp_path) as clinic:
        patients = [await clinic.add_patient(given_name=f"Patient{i}", email=f"p{i}@example.test") for i in range(20)]

        responses = await asyncio.gather(*(clinic.book(SLOT, patient_id=p["id"]) for p in patients))

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [409] * 19, [r.text for r in responses if r.status_code not in (201, 409)]
        [winner] = [r.json() for r in responses if r.status_code == 201]
        for response in responses:
            if response.status_code == 409:
                body = response.json()
                assert body["code"] == "appointment.conflict"
                assert [c["appointment_id"] for c in body["conflicts"]] == [winner["id"]]
        assert await appointment_rows(clinic) == 1


@pytest.mark.slow
async def test_one_patient_booked_with_twenty_practitioners_at_once_gets_one_appointment(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """Different practitioners do not wait for each other: the patient's exclusion constraint
    decides, and the losers, retried once, name the winner."""
    async with committed_clinic(fresh_database_url, tmp_path) as clinic:
        doctors = [await clinic.add_practitioner(given_name=f"Doctor{i}", family_name="Concurrent") for i in range(20)]

        responses = await asyncio.gather(
            *(clinic.book(SLOT, practitioner_id=d["id"], room_id=clinic.room["id"]) for d in doctors)
        )

        assert sorted(r.status_code for r in responses) == [201] + [409] * 19
        [winner] = [r.json() for r in responses if r.status_code == 201]
        for response in responses:
            if response.status_code == 409:
                # Each statement of a READ COMMITTED transaction has its own snapshot: a loser
                # may have read the patient's calendar just before the winner committed and the
                # room's just after, so it names at least one of the two clashes, each the winner.
                named = {(c["kind"], c["appointment_id"]) for c in response.json()["conflicts"]}
                assert named, response.text
                assert named <= {("patient", winner["id"]), ("room", winner["id"])}
        assert await appointment_rows(clinic) == 1


def _copy(row: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**row, "id": uuid.uuid4(), **changes}


async def _refused(db: SavepointDatabase, row: dict[str, Any]) -> str | None:
    """The constraint that refuses inserting ``row`` (None when it is accepted)."""
    try:
        async with db.connection.begin_nested():
            await db.connection.execute(insert(appointments).values(**row))
    except IntegrityError as error:
        return str(error.orig.diag.constraint_name)  # type: ignore[union-attr]
    return None


async def test_the_exclusion_constraints_refuse_overlaps_inserted_directly(
    clinic: Clinic, db: SavepointDatabase
) -> None:
    booked = await clinic.booked(SLOT, room_id=clinic.room["id"])  # 10:00-10:30, 10 minutes of buffer
    other_patient = await clinic.add_patient(given_name="Anne", email="anne@example.test")
    other_doctor = await clinic.add_practitioner(given_name="Hugo", family_name="Bernard", buffer_minutes=0)
    row = dict(
        (await db.connection.execute(select(appointments).where(appointments.c.id == uuid.UUID(booked["id"]))))
        .mappings()
        .one()
    )
    ends = row["ends_at"]

    def later(minutes: int) -> Any:
        return {"starts_at": ends + timedelta(minutes=minutes), "ends_at": ends + timedelta(minutes=minutes + 30)}

    elsewhere = {"patient_id": uuid.UUID(other_patient["id"]), "room_id": None}
    assert await _refused(db, _copy(row, **elsewhere)) == "ex_appointments_practitioner"
    # Starting inside the practitioner's buffer after the appointment.
    assert await _refused(db, _copy(row, **elsewhere, **later(5), blocked_until=ends + timedelta(minutes=35))) == (
        "ex_appointments_practitioner"
    )
    doctor = uuid.UUID(other_doctor["id"])
    assert await _refused(db, _copy(row, practitioner_id=doctor, room_id=None)) == "ex_appointments_patient"
    assert (
        await _refused(db, _copy(row, practitioner_id=doctor, patient_id=uuid.UUID(other_patient["id"])))
        == "ex_appointments_room"
    )
    # Not occupying, after the buffer, or a patient the organization lets overlap: accepted.
    assert await _refused(db, _copy(row, status="cancelled")) is None
    assert await _refused(db, _copy(row, status="no_show")) is None
    assert await _refused(db, _copy(row, **elsewhere, **later(10), blocked_until=ends + timedelta(minutes=40))) is None
    assert await _refused(db, _copy(row, practitioner_id=doctor, room_id=None, patient_exclusive=False)) is None
