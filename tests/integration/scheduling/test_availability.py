"""Availability search agrees with booking: every offered slot books, no other start does,
booked slots disappear and cancelled ones come back, and daylight-saving days are right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client
from tests.integration.scheduling.support import PARIS, Clinic, iso, open_clinic, paris, utc


async def search(
    clinic: Clinic, start: datetime, end: datetime, token: str | None = None, **params: Any
) -> list[datetime]:
    response = await clinic.get(
        f"/api/v1/practitioners/{params.pop('practitioner_id', clinic.practitioner['id'])}/availability",
        token,
        **{"from": iso(start), "to": iso(end), "duration_minutes": 30, **params},
    )
    assert response.status_code == 200, response.text
    slots = response.json()["slots"]
    for slot in slots:
        assert utc(slot["ends_at"]) - utc(slot["starts_at"]) == timedelta(
            minutes=int(params.get("duration_minutes", 30))
        )
    return [utc(s["starts_at"]) for s in slots]


def local(instants: list[datetime]) -> list[str]:
    return [i.astimezone(PARIS).strftime("%H:%M") for i in instants]


def every(start: str, end: str, step: int = 5) -> list[str]:
    """Local HH:MM from ``start`` to ``end`` included."""

    def minutes(text: str) -> int:
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(minutes(start), minutes(end) + 1, step)]


async def test_the_slots_of_a_working_day_are_every_start_on_the_grid_within_its_hours(clinic: Clinic) -> None:
    slots = await search(clinic, paris(2027, 3, 16, 0), paris(2027, 3, 17, 0))

    assert local(slots) == every("09:00", "12:00") + every("14:00", "17:30")
    assert slots[0] == datetime(2027, 3, 16, 8, tzinfo=UTC)


async def test_every_offered_slot_books_and_no_other_start_does(clinic: Clinic) -> None:
    window = (paris(2027, 3, 16, 11, 30), paris(2027, 3, 16, 14, 30))
    offered = await search(clinic, *window)
    assert local(offered) == [*every("11:30", "12:00"), "14:00"]

    accepted: list[datetime] = []
    for start in (window[0] + timedelta(minutes=5 * i) for i in range(31)):
        response = await clinic.book(start)
        if response.status_code == 201:
            accepted.append(start)
            cancelled = await clinic.transition(response.json()["id"], "cancel", reason="other")
            assert cancelled.status_code == 200
        else:
            assert response.status_code == 409, response.text

    assert accepted == offered


async def test_a_booked_slot_disappears_and_comes_back_when_cancelled(clinic: Clinic) -> None:
    day = (paris(2027, 3, 16, 0), paris(2027, 3, 17, 0))
    before = await search(clinic, *day)

    booked = await clinic.booked(paris(2027, 3, 16, 10))  # 10:00-10:30 and 10 minutes of buffer
    during = await search(clinic, *day)
    await clinic.transition(booked["id"], "cancel", reason="patient_request")
    after = await search(clinic, *day)

    # Nothing may start from 09:25 (with its own buffer it would run into 10:00) to 10:35.
    assert local(during) == [t for t in local(before) if not "09:25" <= t <= "10:35"]
    assert after == before


async def test_a_sample_of_offered_slots_all_book(clinic: Clinic) -> None:
    offered = await search(clinic, paris(2027, 3, 16, 0), paris(2027, 3, 20, 0))
    sample = offered[::23]  # far enough apart not to clash with each other
    assert len(sample) >= 10
    patients = [await clinic.add_patient(given_name=f"P{i}", email=f"p{i}@example.test") for i in range(len(sample))]

    for start, patient in zip(sample, patients, strict=True):
        response = await clinic.book(start, patient_id=patient["id"])
        assert response.status_code == 201, (start, response.text)

    remaining = await search(clinic, paris(2027, 3, 16, 0), paris(2027, 3, 20, 0))
    assert not set(sample) & set(remaining)


async def test_a_patient_is_offered_only_what_the_minimum_notice_allows(clinic: Clinic) -> None:
    today = (paris(2027, 3, 15, 0), paris(2027, 3, 16, 0))
    staff = await search(clinic, *today)
    patient = await search(clinic, *today, token=clinic.patient_token)

    # The clock reads 07:00 and a patient books at least two hours ahead.
    assert local(staff)[0] == "09:00"
    assert local(patient)[0] == "09:05"
    assert patient == [s for s in staff if s >= paris(2027, 3, 15, 9, 5)]
    booked = await clinic.book(patient[0], token=clinic.patient_token, patient_id=None)
    assert booked.status_code == 201, booked.text


async def test_09_00_stays_09_00_in_paris_across_the_march_change(clinic: Clinic) -> None:
    slots = await search(clinic, paris(2027, 3, 26, 0), paris(2027, 3, 30, 0))

    by_day: dict[str, list[datetime]] = {}
    for slot in slots:
        by_day.setdefault(slot.astimezone(PARIS).date().isoformat(), []).append(slot)
    assert sorted(by_day) == ["2027-03-26", "2027-03-29"]  # Friday, then Monday
    assert by_day["2027-03-26"][0] == datetime(2027, 3, 26, 8, tzinfo=UTC)  # CET
    assert by_day["2027-03-29"][0] == datetime(2027, 3, 29, 7, tzinfo=UTC)  # CEST
    assert local(by_day["2027-03-26"]) == local(by_day["2027-03-29"])
    assert (await clinic.book(by_day["2027-03-29"][0])).status_code == 201


async def test_the_night_the_clocks_go_forward_has_an_hour_less(clinic: Clinic) -> None:
    night = await clinic.add_practitioner(
        given_name="Nadia",
        family_name="Nuit",
        buffer_minutes=0,
        working_hours=[{"weekday": 7, "start": "01:00", "end": "04:00"}],
    )

    slots = await search(
        clinic, paris(2027, 3, 28, 0), paris(2027, 3, 28, 6), practitioner_id=night["id"], duration_minutes=60
    )

    # 01:00-04:00 that night is 00:00-02:00 UTC: 02:00-03:00 does not exist in Paris.
    assert slots[0] == datetime(2027, 3, 28, 0, tzinfo=UTC)
    assert slots[-1] == datetime(2027, 3, 28, 1, tzinfo=UTC)
    assert len(slots) == 13
    assert not [t for t in local(slots) if "02:00" <= t < "03:00"]
    for start in (slots[0], slots[-1]):
        response = await clinic.book(start, practitioner_id=night["id"], duration_minutes=60)
        assert response.status_code == 201, response.text


async def test_the_night_the_clocks_go_back_has_an_hour_more(
    client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase
) -> None:
    autumn = await open_clinic(client, container, clock, datetime(2027, 10, 25, 5, tzinfo=UTC))
    night = await autumn.add_practitioner(
        given_name="Nadia",
        family_name="Nuit",
        buffer_minutes=0,
        working_hours=[{"weekday": 7, "start": "01:00", "end": "04:00"}],
    )

    slots = await search(
        autumn, paris(2027, 10, 31, 0), paris(2027, 10, 31, 6), practitioner_id=night["id"], duration_minutes=60
    )

    # 01:00 CEST is 23:00 UTC the day before; 04:00 CET is 03:00 UTC: four hours of work.
    assert slots[0] == datetime(2027, 10, 30, 23, tzinfo=UTC)
    assert slots[-1] == datetime(2027, 10, 31, 2, tzinfo=UTC)
    assert len(slots) == 37
    assert (await autumn.book(slots[-1], practitioner_id=night["id"], duration_minutes=60)).status_code == 201


async def test_several_practitioners_at_once(clinic: Clinic) -> None:
    bernard = await clinic.add_practitioner(
        given_name="Hugo", family_name="Bernard", working_hours=[{"weekday": 2, "start": "13:30", "end": "15:00"}]
    )
    window = {"from": iso(paris(2027, 3, 16, 0)), "to": iso(paris(2027, 3, 17, 0)), "duration_minutes": 30}

    response = await clinic.client.get(
        "/api/v1/availability",
        params=[("practitioner_id", clinic.practitioner["id"]), ("practitioner_id", bernard["id"]), *window.items()],
        headers={"Authorization": f"Bearer {clinic.owner}"},
    )

    assert response.status_code == 200, response.text
    [martin_slots, bernard_slots] = response.json()["practitioners"]
    assert martin_slots["practitioner_id"] == clinic.practitioner["id"]
    assert bernard_slots["practitioner_id"] == bernard["id"]
    assert [utc(s["starts_at"]) for s in martin_slots["slots"]] == await search(
        clinic, paris(2027, 3, 16, 0), paris(2027, 3, 17, 0)
    )
    assert local([utc(s["starts_at"]) for s in bernard_slots["slots"]]) == every("13:30", "14:30")


async def test_the_appointment_type_gives_the_duration(clinic: Clinic) -> None:
    response = await clinic.get(
        f"/api/v1/practitioners/{clinic.practitioner['id']}/availability",
        **{
            "from": iso(paris(2027, 3, 16, 12)),
            "to": iso(paris(2027, 3, 16, 13)),
            "appointment_type": clinic.appointment_type["id"],
        },
    )

    assert response.status_code == 200, response.text
    slots = response.json()["slots"]
    assert [(s["starts_at"], s["ends_at"]) for s in slots][-1] == ("2027-03-16T11:10:00Z", "2027-03-16T11:30:00Z")


async def test_invalid_searches(clinic: Clinic) -> None:
    path = f"/api/v1/practitioners/{clinic.practitioner['id']}/availability"
    start, end = iso(paris(2027, 3, 16)), iso(paris(2027, 3, 17))
    cases = [
        ({"from": end, "to": start, "duration_minutes": 30}, 422),
        ({"from": start, "to": iso(paris(2027, 6, 1)), "duration_minutes": 30}, 422),  # more than 62 days
        ({"from": "2027-03-16T09:00:00", "to": end, "duration_minutes": 30}, 422),  # no offset
        ({"from": start, "to": end}, 422),  # no duration, no type
        ({"from": start, "to": end, "duration_minutes": 17}, 422),
        ({"from": "0001-01-01T00:00:00+00:00", "to": "0001-01-02T00:00:00+00:00", "duration_minutes": 30}, 422),
    ]
    for params, status in cases:
        response = await clinic.get(path, **params)
        assert response.status_code == status, (params, response.text)
    unknown = await clinic.get(
        "/api/v1/practitioners/01900000-0000-7000-8000-000000000000/availability",
        **{"from": start, "to": end, "duration_minutes": 30},
    )
    assert unknown.status_code == 404
