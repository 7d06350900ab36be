"""The waitlist over HTTP: joining, listing, leaving, and the freed slot offered to the oldest
matching entry through the notifier (the outbox directory)."""

from __future__ import annotations

import json
from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from tests.integration.conftest import Outbox
from tests.integration.helpers import audit_events
from tests.integration.scheduling.support import Clinic, iso, paris, text_of

DAY = {"window_start": iso(paris(2027, 3, 16, 8)), "window_end": iso(paris(2027, 3, 16, 19))}


async def join(clinic: Clinic, token: str | None = None, **fields: Any) -> dict[str, Any]:
    response = await clinic.post("/api/v1/waitlist", {**DAY, **fields}, token)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/api/v1/waitlist/{response.json()['id']}"
    body: dict[str, Any] = response.json()
    return body


async def entries(clinic: Clinic, token: str | None = None, **params: Any) -> dict[str, dict[str, Any]]:
    response = await clinic.get("/api/v1/waitlist", token, **params)
    assert response.status_code == 200, response.text
    return {e["id"]: e for e in response.json()["items"]}


async def test_join_list_and_leave(clinic: Clinic) -> None:
    entry = await join(
        clinic, patient_id=clinic.patient["id"], practitioner_id=clinic.practitioner["id"], note="Mornings"
    )
    by_specialty = await join(clinic, patient_id=clinic.patient["id"], specialty="General practice")

    assert entry["status"] == "waiting"
    assert entry["window_start"] == "2027-03-16T07:00:00Z"
    assert by_specialty["specialty"] == "general_practice"
    assert set(await entries(clinic)) == {entry["id"], by_specialty["id"]}
    assert (await clinic.delete(f"/api/v1/waitlist/{entry['id']}")).status_code == 204
    assert (await entries(clinic))[entry["id"]]["status"] == "cancelled"
    assert set(await entries(clinic, status="waiting")) == {by_specialty["id"]}
    again = await clinic.delete(f"/api/v1/waitlist/{entry['id']}")
    assert again.status_code == 409
    assert (await clinic.delete("/api/v1/waitlist/01900000-0000-7000-8000-000000000000")).status_code == 404


async def test_invalid_entries_are_refused(clinic: Clinic) -> None:
    practitioner = {"patient_id": clinic.patient["id"], "practitioner_id": clinic.practitioner["id"]}
    cases = [
        {"patient_id": clinic.patient["id"]},  # neither practitioner nor specialty
        {**practitioner, "specialty": "general_practice"},  # both
        {**practitioner, "window_end": DAY["window_start"]},  # empty window
        {**practitioner, "window_start": iso(paris(2027, 3, 1)), "window_end": iso(paris(2027, 3, 2))},  # past
        {**practitioner, "window_start": "2027-03-16T08:00:00"},  # no offset
        {"patient_id": clinic.patient["id"], "specialty": "   "},  # not a specialty
    ]
    for body in cases:
        response = await clinic.post("/api/v1/waitlist", {**DAY, **body})
        assert response.status_code == 422, (body, response.text)
    unknown = await clinic.post(
        "/api/v1/waitlist", {**DAY, **practitioner, "practitioner_id": "01900000-0000-7000-8000-000000000000"}
    )
    assert unknown.status_code == 404


async def test_a_cancelled_slot_is_offered_to_the_oldest_matching_entry(
    clinic: Clinic, outbox: Outbox, db: SavepointDatabase
) -> None:
    anne = await clinic.add_patient(given_name="Anne", family_name="Moreau", email="anne@example.test")
    bruno = await clinic.add_patient(given_name="Bruno", email="bruno@example.test")
    chloe = await clinic.add_patient(given_name="Chloe", email="chloe@example.test")
    bernard = await clinic.add_practitioner(given_name="Hugo", family_name="Bernard", specialties=["paediatrics"])
    appointment = await clinic.booked(paris(2027, 3, 16, 10))
    # Not matching: another practitioner, another specialty, a window that misses the slot.
    await join(clinic, patient_id=chloe["id"], practitioner_id=bernard["id"])
    await join(clinic, patient_id=chloe["id"], specialty="paediatrics")
    await join(
        clinic,
        patient_id=chloe["id"],
        practitioner_id=clinic.practitioner["id"],
        window_start=iso(paris(2027, 3, 16, 15)),
    )
    first = await join(clinic, patient_id=anne["id"], specialty="General practice")
    second = await join(clinic, patient_id=bruno["id"], practitioner_id=clinic.practitioner["id"])
    outbox.clear()

    response = await clinic.transition(appointment["id"], "cancel", reason="patient_request")

    assert response.status_code == 200
    listed = await entries(clinic)
    offered = listed[first["id"]]
    assert offered["status"] == "offered"
    assert offered["offered_slot"] == {"starts_at": appointment["starts_at"], "ends_at": appointment["ends_at"]}
    assert offered["offered_practitioner_id"] == clinic.practitioner["id"]
    assert [e["status"] for e in listed.values()].count("offered") == 1
    assert listed[second["id"]]["status"] == "waiting"
    [message] = outbox.messages("anne@example.test")
    assert message["Subject"] == "An earlier appointment is available"
    assert message["X-Medcore-Kind"] == "waitlist.offer"
    assert "Tuesday 16 March 2027 at 10:00 (Europe/Paris)" in text_of(message)  # in the practitioner's time
    assert outbox.messages("bruno@example.test") == []
    [event] = [e for e in await audit_events(db, clinic.organization_id) if e["action"] == "waitlist.offer"]
    assert str(event["patient_id"]) == anne["id"]
    assert str(event["resource_id"]) == first["id"]

    # The next freed slot goes to the next in line, by SMS when that is the patient's channel.
    dora = await clinic.add_patient(given_name="Dora", email=None, phone="+33 6 00 00 00 01", preferred_channel="sms")
    await join(clinic, patient_id=dora["id"], practitioner_id=clinic.practitioner["id"])
    other = await clinic.booked(paris(2027, 3, 16, 14))
    await clinic.transition(other["id"], "cancel", reason="practitioner_unavailable")
    assert (await entries(clinic))[second["id"]]["status"] == "offered"
    assert len(outbox.messages("bruno@example.test")) == 1


async def test_an_sms_offer_lands_in_the_outbox_as_json(clinic: Clinic, outbox: Outbox) -> None:
    dora = await clinic.add_patient(given_name="Dora", email=None, phone="+33 6 00 00 00 01", preferred_channel="sms")
    entry = await join(clinic, patient_id=dora["id"], practitioner_id=clinic.practitioner["id"])
    appointment = await clinic.booked(paris(2027, 3, 16, 11))
    before = set(outbox.directory.glob("*.sms.json")) if outbox.directory.exists() else set()

    await clinic.transition(appointment["id"], "cancel", reason="other")

    [sms] = set(outbox.directory.glob("*.sms.json")) - before
    body = json.loads(sms.read_text())
    assert body["kind"] == "waitlist.offer"
    assert body["to"] == dora["phone"]
    assert (await entries(clinic))[entry["id"]]["status"] == "offered"


async def test_a_move_offers_the_slot_it_frees(clinic: Clinic, outbox: Outbox) -> None:
    anne = await clinic.add_patient(given_name="Anne", email="anne@example.test")
    appointment = await clinic.booked(paris(2027, 3, 16, 10))
    entry = await join(clinic, patient_id=anne["id"], practitioner_id=clinic.practitioner["id"])
    outbox.clear()

    # Overlapping its old time: that slot is not free, nothing is offered.
    nudged = await clinic.post(
        f"/api/v1/appointments/{appointment['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 16, 10, 15))}
    )
    assert (await entries(clinic))[entry["id"]]["status"] == "waiting"
    moved = await clinic.post(
        f"/api/v1/appointments/{nudged.json()['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 17, 10))}
    )

    assert moved.status_code == 201
    offered = (await entries(clinic))[entry["id"]]
    assert offered["status"] == "offered"
    assert offered["offered_slot"]["starts_at"] == nudged.json()["starts_at"]
    assert len(outbox.messages("anne@example.test")) == 1


async def test_a_patient_joins_for_itself_and_sees_only_its_own_entries(clinic: Clinic) -> None:
    theirs = await join(clinic, patient_id=clinic.patient["id"], practitioner_id=clinic.practitioner["id"])
    mine = await join(clinic, clinic.patient_token, practitioner_id=clinic.practitioner["id"])
    for_another = await clinic.post(
        "/api/v1/waitlist",
        {**DAY, "patient_id": clinic.patient["id"], "practitioner_id": clinic.practitioner["id"]},
        clinic.patient_token,
    )

    assert mine["patient_id"] == clinic.own_record["id"]
    assert for_another.status_code == 404
    assert set(await entries(clinic, clinic.patient_token)) == {mine["id"]}
    assert set(await entries(clinic, clinic.patient_token, patient_id=clinic.patient["id"])) == {mine["id"]}
    assert (await clinic.delete(f"/api/v1/waitlist/{theirs['id']}", clinic.patient_token)).status_code == 404
    assert (await clinic.delete(f"/api/v1/waitlist/{mine['id']}", clinic.patient_token)).status_code == 204
    assert (await entries(clinic))[theirs["id"]]["status"] == "waiting"
