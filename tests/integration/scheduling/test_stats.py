"""GET /api/v1/appointments/stats: counts by practitioner, status or day, no-show and
late-cancellation rates, and utilisation of working hours."""

from __future__ import annotations

from typing import Any

from tests.integration.scheduling.support import Clinic, iso, paris

WINDOW = {"from": iso(paris(2027, 3, 15, 0)), "to": iso(paris(2027, 3, 18, 0))}


async def stats(clinic: Clinic, group_by: str, token: str | None = None) -> dict[str, dict[str, Any]]:
    response = await clinic.get("/api/v1/appointments/stats", token, group_by=group_by, **WINDOW)
    assert response.status_code == 200, response.text
    assert response.json()["group_by"] == group_by
    return {g["key"]: g for g in response.json()["groups"]}


async def a_busy_week(clinic: Clinic) -> dict[str, Any]:
    martin = clinic.practitioner
    bernard = await clinic.add_practitioner(given_name="Hugo", family_name="Bernard")
    other = await clinic.add_patient(given_name="Anne", email="anne@example.test")
    done = await clinic.booked(paris(2027, 3, 16, 9))
    for step in ("check-in", "start", "complete"):
        assert (await clinic.transition(done["id"], step)).status_code == 200
    absent = await clinic.booked(paris(2027, 3, 16, 10))
    await clinic.transition(absent["id"], "no-show")
    early = await clinic.booked(paris(2027, 3, 16, 11))  # 28 hours ahead: not a late cancellation
    await clinic.transition(early["id"], "cancel", reason="patient_request")
    late = await clinic.booked(paris(2027, 3, 15, 14))  # 7 hours ahead: late
    await clinic.transition(late["id"], "cancel", reason="patient_request")
    await clinic.booked(paris(2027, 3, 17, 9), duration_minutes=60)
    await clinic.booked(paris(2027, 3, 16, 9), practitioner_id=bernard["id"], patient_id=other["id"])
    await clinic.booked(paris(2027, 3, 18, 9), practitioner_id=bernard["id"], patient_id=other["id"])  # after `to`
    return {"martin": martin, "bernard": bernard}


async def test_by_practitioner_with_rates_and_utilisation(clinic: Clinic) -> None:
    week = await a_busy_week(clinic)

    groups = await stats(clinic, "practitioner")

    martin = groups[week["martin"]["id"]]
    bernard = groups[week["bernard"]["id"]]
    assert set(groups) == {week["martin"]["id"], week["bernard"]["id"]}
    assert martin["total"] == 5
    assert martin["by_status"] == {"completed": 1, "no_show": 1, "cancelled": 2, "confirmed": 1}
    assert martin["no_show_rate"] == 0.5  # one of the two that were due to happen
    assert martin["late_cancellation_rate"] == 0.2
    assert martin["booked_minutes"] == 90  # what still takes time: the completed and the confirmed one
    assert martin["available_minutes"] == 3 * 450  # Monday to Wednesday, 7.5 hours a day
    assert martin["utilisation"] == round(90 / 1350, 4)
    assert (bernard["total"], bernard["booked_minutes"], bernard["no_show_rate"]) == (1, 30, None)
    assert bernard["late_cancellation_rate"] == 0.0


async def test_by_status_and_by_day(clinic: Clinic) -> None:
    await a_busy_week(clinic)

    by_status = await stats(clinic, "status")
    by_day = await stats(clinic, "day", clinic.reception)

    assert {k: g["total"] for k, g in by_status.items()} == {
        "cancelled": 2,
        "completed": 1,
        "confirmed": 2,
        "no_show": 1,
    }
    assert by_status["cancelled"]["late_cancellation_rate"] == 0.5
    assert all(g.get("available_minutes") is None for g in by_status.values())
    assert {k: g["total"] for k, g in by_day.items()} == {"2027-03-15": 1, "2027-03-16": 4, "2027-03-17": 1}
    assert by_day["2027-03-16"]["by_status"] == {"completed": 1, "no_show": 1, "cancelled": 1, "confirmed": 1}


async def test_an_empty_window_and_what_is_refused(clinic: Clinic) -> None:
    assert await stats(clinic, "practitioner") == {}
    patient = await clinic.get("/api/v1/appointments/stats", clinic.patient_token, **WINDOW)
    assert patient.status_code == 403
    for params in (
        {"group_by": "room", **WINDOW},
        {"from": WINDOW["to"], "to": WINDOW["from"]},
        {"from": iso(paris(2026, 1, 1)), "to": iso(paris(2027, 3, 1))},  # more than 366 days
        {"from": "yesterday", "to": WINDOW["to"]},
        {"to": WINDOW["to"]},
    ):
        response = await clinic.get("/api/v1/appointments/stats", **params)
        assert response.status_code == 422, (params, response.text)
