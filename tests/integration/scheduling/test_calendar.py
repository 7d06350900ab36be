"""iCalendar: an appointment's .ics and a practitioner's feed at a secret, revocable URL,
both valid RFC 5545 (parsed with ``icalendar``) and without clinical details."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar

from medcore.adapters.postgres.database import SavepointDatabase
from tests.integration.helpers import audit_events, token_for
from tests.integration.scheduling.support import PARIS, Clinic, paris

REASON = "Suspected melanoma on the left shoulder"


def parse(response: Any) -> Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar.get("PRODID")
    return calendar


def events(calendar: Calendar) -> list[Any]:
    return list(calendar.walk("VEVENT"))


async def issue_feed(clinic: Clinic, token: str | None = None) -> str:
    response = await clinic.post(f"/api/v1/practitioners/{clinic.practitioner['id']}/calendar-feed", None, token)
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    public = clinic.container.settings().public_url.rstrip("/")  # where calendar clients reach the API
    assert url.startswith(f"{public}/api/v1/calendar/") and url.endswith(".ics")
    return urlsplit(url).path


async def test_an_appointment_as_an_ics_file(clinic: Clinic, db: SavepointDatabase) -> None:
    appointment = await clinic.booked(paris(2027, 3, 16, 10), reason=REASON)

    response = await clinic.get(f"/api/v1/appointments/{appointment['id']}/ics")

    calendar = parse(response)
    [event] = events(calendar)
    assert str(event["UID"]) == f"{appointment['id']}@medcore"
    assert event.get("DTSTAMP") is not None
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == paris(2027, 3, 16, 10)
    assert event.decoded("DTEND") == paris(2027, 3, 16, 10, 30)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Claire Martin" in str(event["SUMMARY"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert b"melanoma" not in response.content
    assert "attachment" in response.headers["content-disposition"]
    [read] = [e for e in await audit_events(db, clinic.organization_id) if e["details"].get("format") == "ics"]
    assert (read["action"], str(read["patient_id"])) == ("appointment.read", clinic.patient["id"])


async def test_a_cancelled_or_requested_appointment_says_so(clinic: Clinic) -> None:
    requested = await clinic.booked(paris(2027, 3, 16, 10), token=clinic.patient_token, patient_id=None)
    cancelled = await clinic.booked(paris(2027, 3, 16, 11))
    await clinic.transition(cancelled["id"], "cancel", reason="other")

    mine = parse(await clinic.get(f"/api/v1/appointments/{requested['id']}/ics", clinic.patient_token))
    gone = parse(await clinic.get(f"/api/v1/appointments/{cancelled['id']}/ics"))

    assert str(events(mine)[0]["STATUS"]) == "TENTATIVE"
    assert str(events(gone)[0]["STATUS"]) == "CANCELLED"
    assert (await clinic.get(f"/api/v1/appointments/{cancelled['id']}/ics", clinic.patient_token)).status_code == 404


async def test_the_practitioner_feed_lists_their_appointments_without_clinical_details(clinic: Clinic) -> None:
    first = await clinic.booked(paris(2027, 3, 16, 10), reason=REASON)
    second = await clinic.booked(paris(2027, 3, 30, 10))  # after the change to summer time
    cancelled = await clinic.booked(paris(2027, 3, 17, 10))
    await clinic.transition(cancelled["id"], "cancel", reason="other")
    bernard = await clinic.add_practitioner(given_name="Hugo", family_name="Bernard")
    await clinic.booked(paris(2027, 3, 18, 10), practitioner_id=bernard["id"])
    path = await issue_feed(clinic)

    response = await clinic.client.get(path)  # no credentials: the URL is the secret

    calendar = parse(response)
    feed = events(calendar)
    assert sorted(str(e["UID"]) for e in feed) == sorted(f"{a['id']}@medcore" for a in (first, second))
    assert all(e["DTSTART"].params["TZID"] == "Europe/Paris" for e in feed)
    assert sorted(e.decoded("DTSTART") for e in feed) == [paris(2027, 3, 16, 10), paris(2027, 3, 30, 10)]
    assert {str(e["SUMMARY"]) for e in feed} == {"Appointment"}  # the default: busy only
    assert {str(e["STATUS"]) for e in feed} == {"CONFIRMED"}
    assert all(e.get("DTSTAMP") is not None and e.get("DTEND") is not None for e in feed)
    assert b"melanoma" not in response.content
    assert b"Dupont" not in response.content
    assert "Claire Martin" in str(calendar["X-WR-CALNAME"])


async def test_patient_names_appear_only_as_far_as_the_organization_allows(
    clinic: Clinic, db: SavepointDatabase
) -> None:
    await clinic.booked(paris(2027, 3, 16, 10), reason=REASON)
    path = await issue_feed(clinic)

    await clinic.set_scheduling(calendar_detail="patient_initials")
    initials = events(parse(await clinic.client.get(path)))
    await clinic.set_scheduling(calendar_detail="patient_name")
    names = events(parse(await clinic.client.get(path)))

    assert [str(e["SUMMARY"]) for e in initials] == ["Appointment: J. D."]
    assert [str(e["SUMMARY"]) for e in names] == ["Appointment: Jean Dupont"]
    reads = [e for e in await audit_events(db, clinic.organization_id) if e["action"] == "calendar_feed.read"]
    assert [str(e["patient_id"]) for e in reads] == [clinic.patient["id"]] * 2


async def test_issuing_a_new_url_or_deleting_it_revokes_the_old_one(clinic: Clinic) -> None:
    first = await issue_feed(clinic)
    second = await issue_feed(clinic)

    assert first != second
    old = await clinic.client.get(first)
    assert old.status_code == 404
    assert old.json()["code"] == "calendar_feed.not_found"
    assert (await clinic.client.get(second)).status_code == 200
    revoked = await clinic.delete(f"/api/v1/practitioners/{clinic.practitioner['id']}/calendar-feed")
    assert revoked.status_code == 204
    assert (await clinic.client.get(second)).status_code == 404
    again = await clinic.delete(f"/api/v1/practitioners/{clinic.practitioner['id']}/calendar-feed")
    assert again.status_code == 404
    for nonsense in ("/api/v1/calendar/not-a-token.ics", "/api/v1/calendar/whatever", "/api/v1/calendar/" + "a" * 300):
        assert (await clinic.client.get(nonsense)).status_code == 404


async def test_a_practitioner_manages_their_own_feed_others_need_practitioners_write(clinic: Clinic) -> None:
    doctor_token, doctor_user = await token_for(clinic.client, clinic.tenant, "practitioner")
    own = await clinic.add_practitioner(given_name="Ines", family_name="Leroy", user_id=doctor_user["id"])
    own_path = f"/api/v1/practitioners/{own['id']}/calendar-feed"

    mine = await clinic.post(own_path, None, doctor_token)
    someone_elses = await clinic.post(
        f"/api/v1/practitioners/{clinic.practitioner['id']}/calendar-feed", None, doctor_token
    )
    reception = await clinic.post(own_path, None, clinic.reception)
    patient = await clinic.post(own_path, None, clinic.patient_token)

    assert mine.status_code == 201
    assert [r.status_code for r in (someone_elses, reception, patient)] == [403, 403, 403]
    assert (await clinic.delete(own_path, doctor_token)).status_code == 204


async def test_the_feed_shows_times_in_the_practitioners_zone(clinic: Clinic) -> None:
    await clinic.booked(paris(2027, 3, 16, 17, 30))
    path = await issue_feed(clinic)

    [event] = events(parse(await clinic.client.get(path)))

    start: datetime = event.decoded("DTSTART")
    assert start.tzinfo is not None
    assert start.astimezone(PARIS).strftime("%H:%M") == "17:30"
    assert start.utcoffset().total_seconds() == 3600  # type: ignore[union-attr]
