"""Tenancy and ownership on every appointment endpoint (foreign ids are 404, a patient sees
only its own), and the audit trail of every read and change, with the patient's id."""

from __future__ import annotations

import json
from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import audit_events
from tests.integration.scheduling.support import Clinic, iso, open_clinic, paris

REASON = "Follow-up of a depressive episode"


async def every_appointment_endpoint(clinic: Clinic, appointment_id: str, token: str) -> dict[str, int]:
    """The status each appointment endpoint answers ``token`` for ``appointment_id``."""
    base = f"/api/v1/appointments/{appointment_id}"
    answers = {
        "get": await clinic.get(base, token),
        "ics": await clinic.get(f"{base}/ics", token),
        "cancel": await clinic.post(f"{base}/cancel", {"reason": "other"}, token),
        "reschedule": await clinic.post(f"{base}/reschedule", {"starts_at": iso(paris(2027, 3, 17, 15))}, token),
    }
    for action in ("confirm", "check-in", "start", "complete", "no-show"):
        answers[action] = await clinic.post(f"{base}/{action}", {}, token)
    return {name: response.status_code for name, response in answers.items()}


async def test_another_organizations_appointments_are_not_found_anywhere(
    clinic: Clinic, container: Container, clock: ControlledClock
) -> None:
    theirs = await open_clinic(clinic.client, container, clock)
    foreign = await theirs.booked(paris(2027, 3, 16, 10))
    foreign_entry = (
        await theirs.post(
            "/api/v1/waitlist",
            {
                "patient_id": theirs.patient["id"],
                "practitioner_id": theirs.practitioner["id"],
                "window_start": iso(paris(2027, 3, 16, 8)),
                "window_end": iso(paris(2027, 3, 16, 18)),
            },
        )
    ).json()

    for token in (clinic.owner, clinic.reception, clinic.patient_token):
        answers = every_appointment_endpoint(clinic, foreign["id"], token)
        assert set((await answers).values()) == {404}
    listed = await clinic.get("/api/v1/appointments", practitioner_id=theirs.practitioner["id"])
    assert listed.json()["items"] == []
    theirs_practitioner = theirs.practitioner["id"]
    window = {"from": iso(paris(2027, 3, 16)), "to": iso(paris(2027, 3, 17)), "duration_minutes": 30}
    assert (await clinic.get(f"/api/v1/practitioners/{theirs_practitioner}/availability", **window)).status_code == 404
    assert (await clinic.delete(f"/api/v1/waitlist/{foreign_entry['id']}")).status_code == 404
    assert (await clinic.get("/api/v1/waitlist", patient_id=theirs.patient["id"])).json()["items"] == []
    assert (await clinic.post(f"/api/v1/practitioners/{theirs_practitioner}/calendar-feed")).status_code == 404
    for fields in (
        {"practitioner_id": theirs_practitioner},
        {"patient_id": theirs.patient["id"]},
        {"room_id": theirs.room["id"]},
        {"appointment_type_id": theirs.appointment_type["id"]},
    ):
        assert (await clinic.book(paris(2027, 3, 16, 10), **fields)).status_code == 404, fields
    # Nothing of theirs moved.
    assert (await theirs.get(f"/api/v1/appointments/{foreign['id']}")).json()["status"] == "confirmed"
    assert (await theirs.get("/api/v1/waitlist")).json()["items"][0]["status"] == "waiting"


async def test_a_patient_cannot_see_or_touch_another_patients_appointments(clinic: Clinic) -> None:
    theirs = await clinic.booked(paris(2027, 3, 16, 10))
    mine = await clinic.booked(paris(2027, 3, 16, 11), token=clinic.patient_token, patient_id=None)

    answers = await every_appointment_endpoint(clinic, theirs["id"], clinic.patient_token)

    assert set(answers.values()) == {404}
    own = await clinic.get("/api/v1/appointments", clinic.patient_token)
    forced = await clinic.get("/api/v1/appointments", clinic.patient_token, patient_id=clinic.patient["id"])
    assert [a["id"] for a in own.json()["items"]] == [mine["id"]]
    assert [a["id"] for a in forced.json()["items"]] == [mine["id"]]
    assert (await clinic.get(f"/api/v1/appointments/{mine['id']}", clinic.patient_token)).status_code == 200
    assert (await clinic.get(f"/api/v1/appointments/{theirs['id']}")).json()["status"] == "confirmed"


async def test_lists_filter_by_practitioner_patient_room_status_and_time(clinic: Clinic) -> None:
    bernard = await clinic.add_practitioner(given_name="Hugo", family_name="Bernard")
    anne = await clinic.add_patient(given_name="Anne", email="anne@example.test")
    a = await clinic.booked(paris(2027, 3, 16, 9), room_id=clinic.room["id"])
    b = await clinic.booked(paris(2027, 3, 16, 10), practitioner_id=bernard["id"], patient_id=anne["id"])
    c = await clinic.booked(paris(2027, 3, 17, 9))
    await clinic.transition(c["id"], "cancel", reason="other")

    async def ids(**params: Any) -> list[str]:
        response = await clinic.get("/api/v1/appointments", **params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids() == [a["id"], b["id"], c["id"]]
    assert await ids(practitioner_id=bernard["id"]) == [b["id"]]
    assert await ids(patient_id=clinic.patient["id"]) == [a["id"], c["id"]]
    assert await ids(room_id=clinic.room["id"]) == [a["id"]]
    assert await ids(status="cancelled") == [c["id"]]
    assert await ids(**{"from": iso(paris(2027, 3, 16, 9, 30)), "to": iso(paris(2027, 3, 17, 0))}) == [b["id"]]
    assert await ids(sort="-starts_at") == [c["id"], b["id"], a["id"]]
    first = await clinic.get("/api/v1/appointments", limit=2)
    rest = await clinic.get("/api/v1/appointments", limit=2, cursor=first.json()["page"]["next_cursor"])
    assert [i["id"] for i in first.json()["items"] + rest.json()["items"]] == [a["id"], b["id"], c["id"]]
    for params in ({"colour": "blue"}, {"status": "sleeping"}, {"sort": "reason"}, {"patient_id": "me"}):
        assert (await clinic.get("/api/v1/appointments", **params)).status_code == 422, params


async def test_every_read_and_change_of_an_appointment_is_audited_with_the_patient(
    clinic: Clinic, db: SavepointDatabase
) -> None:
    appointment = await clinic.booked(paris(2027, 3, 16, 10), reason=REASON)
    base = f"/api/v1/appointments/{appointment['id']}"
    await clinic.get(base)
    await clinic.get(f"{base}/ics")
    await clinic.get("/api/v1/appointments")
    moved = (await clinic.post(f"{base}/reschedule", {"starts_at": iso(paris(2027, 3, 16, 11))})).json()
    for action in ("check-in", "start", "complete"):
        await clinic.transition(moved["id"], action)
    other = await clinic.booked(paris(2027, 3, 17, 10))
    await clinic.transition(other["id"], "no-show")
    third = await clinic.booked(paris(2027, 3, 18, 10), token=clinic.patient_token, patient_id=None)
    await clinic.transition(third["id"], "confirm", clinic.patient_token)
    await clinic.transition(third["id"], "cancel", clinic.patient_token, reason="no_longer_needed")

    events = [e for e in await audit_events(db, clinic.organization_id) if e["resource_type"] == "appointment"]

    actions = [e["action"] for e in events]
    assert actions == [
        "appointment.create",
        "appointment.read",
        "appointment.read",  # the .ics
        "appointment.list",
        "appointment.reschedule",
        "appointment.checked_in",
        "appointment.in_progress",
        "appointment.completed",
        "appointment.create",
        "appointment.no_show",
        "appointment.create",
        "appointment.confirmed",
        "appointment.cancel",
    ]
    patients = [str(e["patient_id"]) for e in events]
    assert patients == [clinic.patient["id"]] * 10 + [clinic.own_record["id"]] * 3
    assert all(e["outcome"] == "success" for e in events)
    assert REASON not in json.dumps([e["details"] for e in events])
    by_resource = {(e["action"], str(e["resource_id"])) for e in events}
    assert ("appointment.create", appointment["id"]) in by_resource
    assert ("appointment.reschedule", moved["id"]) in by_resource
    assert ("appointment.completed", moved["id"]) in by_resource


async def test_a_denied_attempt_is_audited(clinic: Clinic, db: SavepointDatabase) -> None:
    auditor = await clinic.staff("auditor")

    response = await clinic.book(paris(2027, 3, 16, 10), token=auditor)

    assert response.status_code == 403
    [denied] = [e for e in await audit_events(db, clinic.organization_id) if e["outcome"] != "success"]
    assert denied["action"] == "appointment.create"
