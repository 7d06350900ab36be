"""Recurring series: stored occurrences, all-or-nothing or skip_conflicts, the 100-occurrence
limit, local wall time across daylight-saving changes, and cancel or move by scope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, owner_token
from tests.integration.scheduling.support import Clinic, iso, open_clinic, paris, utc

WEEKLY = {"recurrence": {"rrule": "FREQ=WEEKLY;COUNT=4"}}


def starts(appointments: list[dict[str, Any]]) -> list[datetime]:
    return [utc(a["starts_at"]) for a in appointments]


def local_times(appointments: list[dict[str, Any]]) -> list[str]:
    return [utc(a["starts_at"]).astimezone(paris(2027, 1, 1).tzinfo).strftime("%a %H:%M") for a in appointments]


async def series_rows(clinic: Clinic, series_id: str) -> list[dict[str, Any]]:
    response = await clinic.get("/api/v1/appointments", series_id=series_id, limit=200)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_weekly_series_is_stored_as_rows_keeping_0900_in_paris_across_the_march_change(
    clinic: Clinic,
) -> None:
    response = await clinic.book(paris(2027, 3, 16, 9), **WEEKLY)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["skipped"] == []
    series_id = body["series_id"]
    assert response.headers["location"] == f"/api/v1/appointments?series_id={series_id}"
    # 09:00 CET is 08:00 UTC; from 28 March, 09:00 CEST is 07:00 UTC.
    assert starts(body["appointments"]) == [
        datetime(2027, 3, 16, 8, tzinfo=UTC),
        datetime(2027, 3, 23, 8, tzinfo=UTC),
        datetime(2027, 3, 30, 7, tzinfo=UTC),
        datetime(2027, 4, 6, 7, tzinfo=UTC),
    ]
    rows = await series_rows(clinic, series_id)
    assert [r["id"] for r in rows] == [a["id"] for a in body["appointments"]]
    assert {r["series_id"] for r in rows} == {series_id}
    assert {r["status"] for r in rows} == {"confirmed"}
    assert local_times(rows) == ["Tue 09:00"] * 4


async def test_a_series_keeps_0900_in_paris_across_the_october_change(
    client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase
) -> None:
    autumn = await open_clinic(client, container, clock, datetime(2027, 10, 18, 5, tzinfo=UTC))

    body = await autumn.booked(paris(2027, 10, 26, 9), recurrence={"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=3"})

    # 09:00 CEST is 07:00 UTC; after 31 October, 09:00 CET is 08:00 UTC.
    assert starts(body["appointments"]) == [
        datetime(2027, 10, 26, 7, tzinfo=UTC),
        datetime(2027, 11, 2, 8, tzinfo=UTC),
        datetime(2027, 11, 9, 8, tzinfo=UTC),
    ]


async def test_a_series_is_all_or_nothing_and_names_every_conflicting_occurrence(clinic: Clinic) -> None:
    other = await clinic.add_patient(given_name="Anne", email="anne@example.test")
    second = await clinic.booked(paris(2027, 3, 23, 9), patient_id=other["id"])
    fourth = await clinic.booked(paris(2027, 4, 6, 9, 15), patient_id=other["id"])

    response = await clinic.book(paris(2027, 3, 16, 9), **WEEKLY)

    assert response.status_code == 409, response.text
    assert response.json()["code"] == "appointment.conflict"
    conflicts = response.json()["conflicts"]
    assert [(c["kind"], c["appointment_id"], c["occurrence_start"]) for c in conflicts] == [
        ("practitioner", second["id"], "2027-03-23T08:00:00Z"),
        ("practitioner", fourth["id"], "2027-04-06T07:00:00Z"),
    ]
    listed = (await clinic.get("/api/v1/appointments", patient_id=clinic.patient["id"])).json()["items"]
    assert listed == []  # nothing of the series was booked


async def test_skip_conflicts_books_the_rest_and_returns_the_skipped_occurrences(clinic: Clinic) -> None:
    other = await clinic.add_patient(given_name="Anne", email="anne@example.test")
    second = await clinic.booked(paris(2027, 3, 23, 9), patient_id=other["id"])
    await clinic.post("/api/v1/holidays", {"day": "2027-04-06", "name": "Easter Tuesday"})

    body = await clinic.booked(paris(2027, 3, 16, 9), skip_conflicts=True, **WEEKLY)

    assert starts(body["appointments"]) == [datetime(2027, 3, 16, 8, tzinfo=UTC), datetime(2027, 3, 30, 7, tzinfo=UTC)]
    skipped = body["skipped"]
    assert [(s["starts_at"], [c["kind"] for c in s["conflicts"]]) for s in skipped] == [
        ("2027-03-23T08:00:00Z", ["practitioner"]),
        ("2027-04-06T07:00:00Z", ["availability"]),
    ]
    assert skipped[0]["conflicts"][0]["appointment_id"] == second["id"]
    assert len(await series_rows(clinic, body["series_id"])) == 2


async def test_a_series_of_more_than_100_occurrences_or_an_unsupported_rule_is_422(clinic: Clinic) -> None:
    for rule in (
        "FREQ=DAILY;COUNT=101",
        "FREQ=DAILY;UNTIL=20270901",  # bounded, but with too many occurrences
        "FREQ=WEEKLY",  # unbounded
        "FREQ=HOURLY;COUNT=3",
        "FREQ=WEEKLY;BYDAY=WE;COUNT=3",  # Tuesday is not a Wednesday
    ):
        response = await clinic.book(paris(2027, 3, 16, 9), recurrence={"rrule": rule})
        assert response.status_code == 422, (rule, response.text)
        assert response.json()["errors"][0]["field"] == "recurrence.rrule", rule
    a_hundred = await clinic.book(
        paris(2027, 3, 16, 9),
        recurrence={"rrule": "FREQ=DAILY;COUNT=100"},
        skip_conflicts=True,
        override_reason="Daily",
    )
    assert a_hundred.status_code == 201, a_hundred.text
    assert len(a_hundred.json()["appointments"]) == 100


async def test_an_occurrence_that_breaks_a_rule_refuses_the_series_naming_it(clinic: Clinic) -> None:
    # Weekly for 30 weeks from March runs past the 180-day horizon.
    response = await clinic.book(paris(2027, 3, 16, 9), recurrence={"rrule": "FREQ=WEEKLY;COUNT=30"})

    assert response.status_code == 422
    assert response.json()["code"] == "appointment.beyond_horizon"
    assert response.json()["occurrence_start"] == "2027-09-14T07:00:00Z"


async def test_cancelling_this_occurrence_this_and_following_or_the_whole_series(clinic: Clinic) -> None:
    first = (await clinic.booked(paris(2027, 3, 16, 9), recurrence={"rrule": "FREQ=WEEKLY;COUNT=5"}))["appointments"]
    second = (await clinic.booked(paris(2027, 3, 17, 9), recurrence={"rrule": "FREQ=WEEKLY;COUNT=3"}))["appointments"]

    this = await clinic.transition(first[1]["id"], "cancel", reason="patient_request")
    following = await clinic.transition(first[3]["id"], "cancel", reason="practitioner_unavailable", scope="following")
    everything = await clinic.transition(second[1]["id"], "cancel", reason="no_longer_needed", scope="all")
    not_a_series = await clinic.transition(
        (await clinic.booked(paris(2027, 3, 18, 9)))["id"], "cancel", reason="other", scope="all"
    )

    assert [a["id"] for a in this.json()["appointments"]] == [first[1]["id"]]
    assert [a["id"] for a in following.json()["appointments"]] == [first[3]["id"], first[4]["id"]]
    assert [a["id"] for a in everything.json()["appointments"]] == [a["id"] for a in second]
    assert not_a_series.status_code == 422
    statuses = {r["id"]: r["status"] for r in await series_rows(clinic, first[0]["series_id"])}
    assert [statuses[a["id"]] for a in first] == ["confirmed", "cancelled", "confirmed", "cancelled", "cancelled"]
    rows = await series_rows(clinic, second[0]["series_id"])
    assert {r["status"] for r in rows} == {"cancelled"}
    assert {r["cancellation"]["reason"] for r in rows} == {"no_longer_needed"}


async def test_cancelling_the_whole_series_leaves_past_occurrences_alone(clinic: Clinic) -> None:
    series = (await clinic.booked(paris(2027, 3, 16, 9), recurrence={"rrule": "FREQ=WEEKLY;COUNT=3"}))["appointments"]
    clinic.clock.advance(days=8, hours=3)  # Tuesday 23 March, 10:00: after the first two occurrences
    token = await owner_token(clinic.client, clinic.tenant)

    response = await clinic.transition(series[2]["id"], "cancel", token, reason="patient_request", scope="all")

    assert response.status_code == 200, response.text
    assert [a["id"] for a in response.json()["appointments"]] == [series[2]["id"]]


async def test_moving_this_and_following_occurrences_keeps_their_local_time_across_the_change(clinic: Clinic) -> None:
    series = (await clinic.booked(paris(2027, 3, 16, 9), **WEEKLY))["appointments"]

    # The second occurrence moves from Tuesday 09:00 to Wednesday 10:30: so do the third and fourth.
    response = await clinic.post(
        f"/api/v1/appointments/{series[1]['id']}/reschedule",
        {"starts_at": iso(paris(2027, 3, 24, 10, 30)), "scope": "following"},
    )

    assert response.status_code == 201, response.text
    moved = response.json()["appointments"]
    assert local_times(moved) == ["Wed 10:30"] * 3
    assert starts(moved) == [
        datetime(2027, 3, 24, 9, 30, tzinfo=UTC),
        datetime(2027, 3, 31, 8, 30, tzinfo=UTC),
        datetime(2027, 4, 7, 8, 30, tzinfo=UTC),
    ]
    assert [m["rescheduled_from_id"] for m in moved] == [s["id"] for s in series[1:]]
    assert {m["series_id"] for m in moved} == {series[0]["series_id"]}
    rows = {r["id"]: r for r in await series_rows(clinic, series[0]["series_id"])}
    assert rows[series[0]["id"]]["status"] == "confirmed"
    for old in series[1:]:
        assert rows[old["id"]]["status"] == "cancelled"
        assert rows[old["id"]]["cancellation"]["reason"] == "rescheduled"


async def test_moving_the_whole_series_is_all_or_nothing(clinic: Clinic) -> None:
    series = (await clinic.booked(paris(2027, 3, 16, 9), **WEEKLY))["appointments"]
    other = await clinic.add_patient(given_name="Anne", email="anne@example.test")
    blocker = await clinic.booked(paris(2027, 3, 31, 14), patient_id=other["id"])

    refused = await clinic.post(
        f"/api/v1/appointments/{series[0]['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 17, 14)), "scope": "all"}
    )
    moved = await clinic.post(
        f"/api/v1/appointments/{series[2]['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 30, 15)), "scope": "all"}
    )

    assert refused.status_code == 409, refused.text
    [conflict] = refused.json()["conflicts"]
    assert (conflict["appointment_id"], conflict["occurrence_start"]) == (blocker["id"], series[2]["starts_at"])
    assert moved.status_code == 201, moved.text
    assert local_times(moved.json()["appointments"]) == ["Tue 15:00"] * 4
    rows = await series_rows(clinic, series[0]["series_id"])
    assert sorted(r["status"] for r in rows) == ["cancelled"] * 4 + ["confirmed"] * 4


async def test_moving_one_occurrence_leaves_the_others_in_place(clinic: Clinic) -> None:
    series = (await clinic.booked(paris(2027, 3, 16, 9), **WEEKLY))["appointments"]

    response = await clinic.post(
        f"/api/v1/appointments/{series[1]['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 25, 16))}
    )

    assert response.status_code == 201, response.text
    moved = response.json()
    assert (moved["starts_at"], moved["series_id"], moved["rescheduled_from_id"]) == (
        "2027-03-25T15:00:00Z",
        series[0]["series_id"],
        series[1]["id"],
    )
    rows = {r["id"]: r["status"] for r in await series_rows(clinic, series[0]["series_id"])}
    assert [rows[s["id"]] for s in series] == ["confirmed", "cancelled", "confirmed", "confirmed"]
    assert rows[moved["id"]] == "confirmed"
