"""Health metrics: the patient's measurements of one kind over a window, with aggregates
per local day (week, month) computed by the database, checked against hand-computed
values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from tests.integration.clinical.support import Ward
from tests.integration.helpers import audit_events, bearer
from tests.integration.scheduling.support import NOW, utc

LB = 0.45359237


async def metrics(ward: Ward, token: str | None = None, patient: str | None = None, **params: Any) -> Any:
    return await ward.get(f"/api/v1/patients/{patient or ward.patient['id']}/metrics", token, **params)


@pytest.fixture
async def weights(ward: Ward) -> list[dict[str, Any]]:
    """Jean, who lives in Paris, and his weights (Paris time): Sat 13 March 08:00 80 kg and
    23:30 180 lb; Sun 14 at 00:30 81 kg (still Saturday in UTC) and 20:00 a typo later
    entered in error; Mon 15 at 06:30 82.4 kg. And a height."""
    moved = await ward.client.patch(
        f"/api/v1/patients/{ward.patient['id']}", json={"time_zone": "Europe/Paris"}, headers=bearer(ward.owner)
    )
    assert moved.status_code == 200, moved.text
    rows = [
        await ward.measure("weight", 80, "kg", datetime(2027, 3, 13, 7, tzinfo=UTC)),
        await ward.measure("weight", 180, "lb", datetime(2027, 3, 13, 22, 30, tzinfo=UTC)),
        await ward.measure("weight", 81, "kg", datetime(2027, 3, 13, 23, 30, tzinfo=UTC)),
        await ward.measure("weight", 810, "g", datetime(2027, 3, 14, 19, tzinfo=UTC)),
        await ward.measure("weight", 82.4, "kg", datetime(2027, 3, 15, 5, 30, tzinfo=UTC)),
        await ward.measure("height", 176, "cm", datetime(2027, 3, 13, 7, tzinfo=UTC)),
    ]
    typo = rows[3]
    ended = await ward.post(
        f"/api/v1/patients/{ward.patient['id']}/measurements/{typo['id']}/end", {"status": "entered_in_error"}
    )
    assert ended.status_code == 200, ended.text
    return rows


async def test_daily_aggregates_in_the_patients_time_zone(ward: Ward, weights: list[dict[str, Any]]) -> None:
    response = await metrics(ward, kind="weight")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["kind"], body["unit"], body["time_zone"], body["bucket"]) == ("weight", "kg", "Europe/Paris", "day")
    assert utc(body["to"]) == utc(body["from"]) + timedelta(days=30)
    lb = 180 * LB
    assert [(b["start"], b["count"]) for b in body["buckets"]] == [
        ("2027-03-13", 2),
        ("2027-03-14", 1),
        ("2027-03-15", 1),
    ]
    saturday = body["buckets"][0]
    assert saturday["min"] == pytest.approx(80) and saturday["max"] == pytest.approx(lb)
    assert saturday["mean"] == pytest.approx((80 + lb) / 2)
    assert body["buckets"][1] == {"start": "2027-03-14", "count": 1, "min": 81, "max": 81, "mean": 81}
    summary = body["summary"]
    assert summary["count"] == 4
    assert summary["mean"] == pytest.approx((80 + lb + 81 + 82.4) / 4)
    assert (summary["min"], summary["max"]) == (pytest.approx(80), pytest.approx(82.4))
    assert [p["value"] for p in body["points"]] == pytest.approx([80, lb, 81, 82.4])
    assert [utc(p["measured_at"]) for p in body["points"]] == sorted(utc(p["measured_at"]) for p in body["points"])
    assert body["points_truncated"] is False
    assert weights[3]["id"] not in {p["measurement_id"] for p in body["points"]}  # entered in error


async def test_weeks_months_and_windows(ward: Ward, weights: list[dict[str, Any]]) -> None:
    weekly = (await metrics(ward, kind="weight", bucket="week")).json()
    monthly = (await metrics(ward, kind="weight", bucket="month")).json()
    window = (
        await metrics(
            ward,
            kind="weight",
            **{"from": "2027-03-13T23:00:00+01:00", "to": "2027-03-15T06:30:00+01:00"},
        )
    ).json()
    heights = (await metrics(ward, kind="height")).json()
    nothing = (await metrics(ward, kind="glucose")).json()

    assert [(b["start"], b["count"]) for b in weekly["buckets"]] == [("2027-03-08", 3), ("2027-03-15", 1)]
    assert [(b["start"], b["count"]) for b in monthly["buckets"]] == [("2027-03-01", 4)]
    assert [p["value"] for p in window["points"]] == pytest.approx([180 * LB, 81])  # [from, to)
    assert heights["summary"] == {"count": 1, "min": 176, "max": 176, "mean": 176}
    assert (nothing["summary"], nothing["buckets"], nothing["points"]) == (None, [], [])


async def test_a_patient_without_a_time_zone_gets_utc_days(ward: Ward) -> None:
    own = ward.clinic.own_record["id"]
    for value, at in (
        (120, datetime(2027, 3, 13, 23, 30, tzinfo=UTC)),
        (130, datetime(2027, 3, 14, 0, 30, tzinfo=UTC)),
    ):
        response = await ward.post(
            f"/api/v1/patients/{own}/measurements",
            {"kind": "glucose", "value": value, "unit": "mg/dL", "measured_at": at.isoformat()},
            ward.clinic.patient_token,
        )
        assert response.status_code == 201, response.text

    body = (await metrics(ward, ward.clinic.patient_token, own, kind="glucose")).json()

    assert (body["time_zone"], body["unit"]) == ("UTC", "mmol/L")
    assert [(b["start"], b["count"]) for b in body["buckets"]] == [("2027-03-13", 1), ("2027-03-14", 1)]
    assert body["buckets"][0]["mean"] == pytest.approx(120 / 18.016)
    assert all(p["recorded_by_patient"] for p in body["points"])


async def test_who_reads_metrics(ward: Ward, db: SavepointDatabase, weights: list[dict[str, Any]]) -> None:
    clinic = ward.clinic

    nurse = await metrics(ward, ward.nurse_token, kind="weight")
    desk = await metrics(ward, clinic.reception, kind="weight")
    other_patient = await metrics(ward, clinic.patient_token, kind="weight")
    no_kind = await metrics(ward)
    bad_kind = await metrics(ward, kind="mood")
    bad_bucket = await metrics(ward, kind="weight", bucket="hour")
    bad_from = await metrics(ward, kind="weight", **{"from": "yesterday"})
    too_long = await metrics(ward, kind="weight", **{"from": (NOW - timedelta(days=2000)).isoformat()})
    ancient = await metrics(ward, kind="weight", to="0001-01-01T00:00:00+14:00")

    assert nurse.status_code == 200 and desk.status_code == 403
    assert (other_patient.status_code, other_patient.json()["code"]) == (404, "patient.not_found")
    assert {r.status_code for r in (no_kind, bad_kind, bad_bucket)} <= {400, 422}
    assert [e["field"] for e in bad_from.json()["errors"]] == ["from"]
    assert [e["field"] for e in too_long.json()["errors"]] == ["from"]
    assert [e["field"] for e in ancient.json()["errors"]] == ["to"]
    reads = [e for e in await audit_events(db, clinic.organization_id) if e["action"] == "health_metrics.read"]
    assert [(e["outcome"], str(e["patient_id"]) if e["patient_id"] else None) for e in reads] == [
        ("success", ward.patient["id"]),
        ("denied", None),
        ("denied", None),
    ]
    assert reads[0]["details"] == {"measurement_kind": "weight", "bucket": "day", "count": 4}


async def test_signed_vitals_show_in_the_metrics(ward: Ward) -> None:
    await ward.signed(vitals={"systolic_mmhg": 150, "diastolic_mmhg": 95, "measured_at": NOW.isoformat()})

    body = (await metrics(ward, kind="blood_pressure_systolic")).json()

    assert body["summary"] == {"count": 1, "min": 150, "max": 150, "mean": 150}
    assert [b["start"] for b in body["buckets"]] == ["2027-03-15"]
