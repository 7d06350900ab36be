"""The status machine over HTTP (confirm, check-in, start, complete, no-show, cancel), late
cancellations, and rescheduling as one atomic move."""

from __future__ import annotations

from typing import Any

import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from tests.integration.helpers import audit_events, owner_token
from tests.integration.scheduling.support import Clinic, iso, paris

ILLEGAL = "appointment.invalid_transition"


async def status_of(clinic: Clinic, appointment_id: str) -> str:
    status: str = (await clinic.get(f"/api/v1/appointments/{appointment_id}")).json()["status"]
    return status


async def test_an_appointment_goes_from_requested_to_completed_step_by_step(clinic: Clinic) -> None:
    requested = await clinic.booked(paris(2027, 3, 16, 10), token=clinic.patient_token, patient_id=None)
    seen: list[str] = [requested["status"]]

    for action in ("confirm", "check-in", "start", "complete"):
        response = await clinic.transition(requested["id"], action)
        assert response.status_code == 200, (action, response.text)
        seen.append(response.json()["status"])

    assert seen == ["requested", "confirmed", "checked_in", "in_progress", "completed"]
    assert response.headers["etag"] == '"5"'
    assert response.json()["version"] == 5


@pytest.mark.parametrize(
    ("path", "action", "from_status"),
    [
        ((), "check-in", "requested"),
        ((), "start", "requested"),
        ((), "no-show", "requested"),
        (("confirm",), "confirm", "confirmed"),
        (("confirm",), "start", "confirmed"),
        (("confirm",), "complete", "confirmed"),
        (("confirm", "check-in"), "no-show", "checked_in"),
        (("confirm", "check-in", "start"), "cancel", "in_progress"),
        (("confirm", "check-in", "start", "complete"), "cancel", "completed"),
        (("confirm", "no-show"), "check-in", "no_show"),
        (("cancel",), "confirm", "cancelled"),
        (("cancel",), "cancel", "cancelled"),
    ],
)
async def test_illegal_transitions_are_409(
    clinic: Clinic, path: tuple[str, ...], action: str, from_status: str
) -> None:
    appointment = await clinic.booked(paris(2027, 3, 16, 10), token=clinic.patient_token, patient_id=None)
    for step in path:
        body = {"reason": "other"} if step == "cancel" else {}
        assert (await clinic.transition(appointment["id"], step, **body)).status_code == 200, step

    response = await clinic.transition(appointment["id"], action, **({"reason": "other"} if action == "cancel" else {}))

    assert response.status_code == 409, response.text
    assert response.json()["code"] == ILLEGAL
    assert await status_of(clinic, appointment["id"]) == from_status


async def test_no_show_follows_a_confirmation_and_a_patient_may_only_confirm(clinic: Clinic) -> None:
    mine = await clinic.booked(paris(2027, 3, 16, 10), token=clinic.patient_token, patient_id=None)

    check_in = await clinic.transition(mine["id"], "check-in", clinic.patient_token)
    confirm = await clinic.transition(mine["id"], "confirm", clinic.patient_token)
    no_show = await clinic.transition(mine["id"], "no-show", clinic.reception)

    assert check_in.status_code == 403
    assert confirm.status_code == 200
    assert no_show.json()["status"] == "no_show"


async def test_if_match_makes_a_transition_conditional(clinic: Clinic) -> None:
    appointment = await clinic.booked(paris(2027, 3, 16, 10))
    path = f"/api/v1/appointments/{appointment['id']}"

    stale = await clinic.post(f"{path}/check-in", {}, **{"If-Match": '"7"'})
    current = await clinic.post(f"{path}/check-in", {}, **{"If-Match": '"1"'})
    refused = await clinic.post(f"{path}/start", {}, **{"If-Match": '"1"'})
    cancel = await clinic.post(f"{path}/cancel", {"reason": "other"}, **{"If-Match": '"1"'})
    move = await clinic.post(f"{path}/reschedule", {"starts_at": iso(paris(2027, 3, 17, 10))}, **{"If-Match": '"1"'})

    assert stale.status_code == 412
    assert current.status_code == 200, current.text
    assert current.headers["etag"] == '"2"'
    assert [r.status_code for r in (refused, cancel, move)] == [412, 412, 412]
    assert await status_of(clinic, appointment["id"]) == "checked_in"


@pytest.mark.parametrize(
    "reason", ["patient_request", "practitioner_unavailable", "clinic_closed", "no_longer_needed", "other"]
)
async def test_cancel_reasons_are_the_fixed_list_and_the_note_is_kept(clinic: Clinic, reason: str) -> None:
    appointment = await clinic.booked(paris(2027, 3, 17, 10))

    response = await clinic.transition(appointment["id"], "cancel", reason=reason, note="Called the front desk")

    assert response.status_code == 200, response.text
    [cancelled] = response.json()["appointments"]
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancellation"]["reason"] == reason
    assert cancelled["cancellation"]["note"] == "Called the front desk"


async def test_rescheduled_or_unknown_reasons_are_refused(clinic: Clinic) -> None:
    appointment = await clinic.booked(paris(2027, 3, 17, 10))

    for body in ({"reason": "rescheduled"}, {"reason": "bored"}, {}):
        response = await clinic.post(f"/api/v1/appointments/{appointment['id']}/cancel", body)
        assert response.status_code == 422, (body, response.text)
    assert await status_of(clinic, appointment["id"]) == "confirmed"


async def test_cancelling_within_24_hours_of_the_start_is_flagged_late(clinic: Clinic, db: SavepointDatabase) -> None:
    tuesday = await clinic.booked(paris(2027, 3, 16, 10))  # 27 hours ahead of the clock
    wednesday = await clinic.booked(paris(2027, 3, 17, 10))

    early = await clinic.transition(tuesday["id"], "cancel", reason="patient_request")
    clinic.clock.advance(hours=28)  # Tuesday 11:00: Wednesday 10:00 is 23 hours away
    token = await owner_token(clinic.client, clinic.tenant)
    late = await clinic.transition(wednesday["id"], "cancel", token, reason="patient_request")

    assert early.json()["appointments"][0]["cancellation"]["late"] is False
    assert late.json()["appointments"][0]["cancellation"]["late"] is True
    events = [e for e in await audit_events(db, clinic.organization_id) if e["action"] == "appointment.cancel"]
    assert [e["details"]["late"] for e in events] == [False, True]
    assert [str(e["patient_id"]) for e in events] == [clinic.patient["id"]] * 2


async def test_a_patient_cancels_its_own_appointments_only(clinic: Clinic) -> None:
    mine = await clinic.booked(paris(2027, 3, 16, 10), token=clinic.patient_token, patient_id=None)
    theirs = await clinic.booked(paris(2027, 3, 16, 11))

    assert (await clinic.transition(theirs["id"], "cancel", clinic.patient_token, reason="other")).status_code == 404
    own = await clinic.transition(mine["id"], "cancel", clinic.patient_token, reason="patient_request")
    assert own.status_code == 200
    assert await status_of(clinic, theirs["id"]) == "confirmed"


async def test_rescheduling_answers_201_with_a_new_linked_appointment_and_cancels_the_old(clinic: Clinic) -> None:
    old = await clinic.booked(paris(2027, 3, 16, 10), room_id=clinic.room["id"], reason="Check-up")

    response = await clinic.post(
        f"/api/v1/appointments/{old['id']}/reschedule",
        {"starts_at": iso(paris(2027, 3, 18, 15)), "duration_minutes": 45},
    )

    assert response.status_code == 201, response.text
    new = response.json()
    assert response.headers["location"] == f"/api/v1/appointments/{new['id']}"
    assert response.headers["etag"] == '"1"'
    assert new["id"] != old["id"]
    assert new["rescheduled_from_id"] == old["id"]
    assert (new["starts_at"], new["ends_at"]) == ("2027-03-18T14:00:00Z", "2027-03-18T14:45:00Z")
    assert (new["status"], new["room_id"], new["reason"], new["patient_id"]) == (
        "confirmed",
        clinic.room["id"],
        "Check-up",
        clinic.patient["id"],
    )
    previous = (await clinic.get(f"/api/v1/appointments/{old['id']}")).json()
    assert previous["status"] == "cancelled"
    assert previous["cancellation"]["reason"] == "rescheduled"
    assert previous["cancellation"]["late"] is False
    # The old slot is free again.
    assert (await clinic.book(paris(2027, 3, 16, 10))).status_code == 201


async def test_moving_an_appointment_to_a_time_overlapping_itself_works(clinic: Clinic) -> None:
    old = await clinic.booked(paris(2027, 3, 16, 10), room_id=clinic.room["id"])

    later = await clinic.post(
        f"/api/v1/appointments/{old['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 16, 10, 15))}
    )
    earlier = await clinic.post(
        f"/api/v1/appointments/{later.json()['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 16, 9, 50))}
    )

    assert later.status_code == 201, later.text
    assert (later.json()["starts_at"], later.json()["ends_at"]) == ("2027-03-16T09:15:00Z", "2027-03-16T09:45:00Z")
    assert earlier.status_code == 201, earlier.text
    assert earlier.json()["rescheduled_from_id"] == later.json()["id"]


async def test_a_refused_move_changes_nothing(clinic: Clinic) -> None:
    other = await clinic.add_patient(given_name="Anne", email="anne@example.test")
    mine = await clinic.booked(paris(2027, 3, 16, 10))
    taken = await clinic.booked(paris(2027, 3, 16, 11), patient_id=other["id"])

    clash = await clinic.post(
        f"/api/v1/appointments/{mine['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 16, 11))}
    )
    past = await clinic.post(
        f"/api/v1/appointments/{mine['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 14, 11))}
    )

    assert clash.status_code == 409
    assert [(c["kind"], c["appointment_id"]) for c in clash.json()["conflicts"]] == [("practitioner", taken["id"])]
    assert past.status_code == 422
    assert past.json()["code"] == "appointment.in_past"
    current = (await clinic.get(f"/api/v1/appointments/{mine['id']}")).json()
    assert current["status"] == "confirmed"
    assert current["version"] == 1
    listed = (await clinic.get("/api/v1/appointments", patient_id=clinic.patient["id"])).json()["items"]
    assert [a["id"] for a in listed] == [mine["id"]]


async def test_rescheduling_to_another_practitioner_and_of_a_settled_appointment(clinic: Clinic) -> None:
    bernard = await clinic.add_practitioner(given_name="Hugo", family_name="Bernard", buffer_minutes=0)
    appointment = await clinic.booked(paris(2027, 3, 16, 10))
    moved = await clinic.post(
        f"/api/v1/appointments/{appointment['id']}/reschedule",
        {"starts_at": iso(paris(2027, 3, 16, 10)), "practitioner_id": bernard["id"]},
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["practitioner_id"] == bernard["id"]

    done = moved.json()["id"]
    for step in ("check-in", "start", "complete"):
        assert (await clinic.transition(done, step)).status_code == 200
    settled = await clinic.post(f"/api/v1/appointments/{done}/reschedule", {"starts_at": iso(paris(2027, 3, 17, 10))})
    assert settled.status_code == 409
    assert settled.json()["code"] == ILLEGAL


async def test_rescheduling_is_audited_with_both_ids(clinic: Clinic, db: SavepointDatabase) -> None:
    old = await clinic.booked(paris(2027, 3, 16, 10))
    new = (
        await clinic.post(f"/api/v1/appointments/{old['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 16, 14))})
    ).json()

    events: list[dict[str, Any]] = [
        e for e in await audit_events(db, clinic.organization_id) if e["action"] == "appointment.reschedule"
    ]
    [event] = events
    assert str(event["resource_id"]) == new["id"]
    assert event["details"]["rescheduled_from"] == old["id"]
    assert str(event["patient_id"]) == clinic.patient["id"]


async def test_a_patient_moves_its_own_appointment_within_the_rules(clinic: Clinic) -> None:
    mine = await clinic.booked(paris(2027, 3, 16, 10), token=clinic.patient_token, patient_id=None)
    path = f"/api/v1/appointments/{mine['id']}/reschedule"

    too_soon = await clinic.post(path, {"starts_at": iso(paris(2027, 3, 15, 9))}, clinic.patient_token)
    outside = await clinic.post(
        path, {"starts_at": iso(paris(2027, 3, 16, 20)), "override_reason": "Please"}, clinic.patient_token
    )
    moved = await clinic.post(path, {"starts_at": iso(paris(2027, 3, 17, 11))}, clinic.patient_token)

    assert too_soon.status_code == 422
    assert too_soon.json()["code"] == "appointment.too_short_notice"
    assert outside.status_code == 403
    assert moved.status_code == 201, moved.text
    assert (moved.json()["status"], moved.json()["booked_by_patient"]) == ("requested", True)
