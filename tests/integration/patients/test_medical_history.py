"""The medical history over HTTP: every kind of entry is recorded, listed, read and ended
keeping its history; the version history says who changed what, in order; receptionists
and other patients see none of it; every read and change is audited with the patient."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from medcore.domain.patients.history import EntryKind, MedicalHistory
from medcore.domain.patients.measurements import MeasurementKind
from tests.integration.helpers import Client, audit_events, bearer
from tests.integration.patients.support import open_clinic

NOW = datetime.now(UTC).replace(microsecond=0)

ENTRIES: dict[str, tuple[dict[str, Any], str]] = {  # kind -> (body, an end status)
    "allergies": ({"substance": "Penicillin", "code": "j01c", "reaction": "Hives", "severity": "moderate"}, "resolved"),
    "conditions": ({"code": "I10", "text": "Essential hypertension", "onset": "2015-03-02"}, "inactive"),
    "medications": ({"code": "C09AA05", "name": "Ramipril", "dose": "5 mg once daily", "since": "2015-03-16"}, "stopped"),
    "measurements": (
        {"kind": "weight", "value": 82.5, "unit": "kg", "measured_at": (NOW - timedelta(days=1)).isoformat()},
        "entered_in_error",
    ),
}  # fmt: skip
RESOURCE = {
    "allergies": "allergy",
    "conditions": "condition",
    "medications": "medication",
    "measurements": "measurement",
}


@pytest.mark.parametrize("kind", list(ENTRIES))
async def test_an_entry_is_recorded_listed_read_and_ended_keeping_its_history(
    client: Client, container: Container, db: SavepointDatabase, kind: str
) -> None:
    clinic = await open_clinic(client, container)
    practitioner = await clinic.staff("practitioner")
    record = await clinic.patient()
    base = f"/api/v1/patients/{record['id']}/{kind}"
    body, end_status = ENTRIES[kind]

    created = await clinic.post(base, body, practitioner)
    entry = created.json()
    listed = await clinic.get(base, practitioner)
    read = await clinic.get(f"{base}/{entry['id']}", practitioner)
    stale = await clinic.post(f"{base}/{entry['id']}/end", {"status": end_status}, practitioner, **{"If-Match": '"9"'})
    ended = await clinic.post(
        f"{base}/{entry['id']}/end", {"status": end_status, "reason": "Reviewed"}, practitioner, **{"If-Match": '"1"'}
    )
    again = await clinic.post(f"{base}/{entry['id']}/end", {"status": end_status}, practitioner)
    in_force = await clinic.get(base, practitioner, status="recorded" if kind == "measurements" else "active")

    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{base}/{entry['id']}"
    assert entry["status"] in ("active", "recorded")
    assert entry["recorded_by"]["type"] == "user"
    assert [e["id"] for e in listed.json()["items"]] == [entry["id"]]
    assert read.json() == entry
    assert read.headers["etag"] == '"1"'
    assert stale.status_code == 412
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == end_status
    assert ended.json()["end_reason"] == "Reviewed"
    assert ended.json()["ended_at"].endswith("Z")
    assert ended.headers["etag"] == '"2"'
    assert again.status_code == 409
    assert again.json()["code"] == "patient.entry_already_ended"
    assert in_force.json()["items"] == []
    assert [e["status"] for e in (await clinic.get(base, practitioner)).json()["items"]] == [end_status]

    versions = (await clinic.get(f"/api/v1/patients/{record['id']}/history", practitioner)).json()["items"]
    assert [(v["sequence"], v["resource_type"], v["action"]) for v in versions] == [
        (1, "patient", "create"),
        (2, RESOURCE[kind], "create"),
        (3, RESOURCE[kind], "end"),
    ]
    assert versions[1]["snapshot"]["status"] in ("active", "recorded")
    assert versions[2]["snapshot"]["status"] == end_status
    assert versions[2]["changed_fields"] == ["status", "ended_at", "ended_by", "end_reason"]
    assert versions[2]["changed_by"]["id"] == entry["recorded_by"]["id"] != versions[0]["changed_by"]["id"]
    assert versions[0]["changed_at"] <= versions[1]["changed_at"] <= versions[2]["changed_at"]

    events = [e for e in await audit_events(db, clinic.tenant.organization_id) if e["patient_id"] == UUID(record["id"])]
    resource = RESOURCE[kind]
    assert [(e["action"], e["outcome"]) for e in events] == [
        ("patient.create", "success"),
        (f"{resource}.create", "success"),
        (f"{resource}.list", "success"),
        (f"{resource}.read", "success"),
        ("entry.end", "success"),
        (f"{resource}.list", "success"),
        (f"{resource}.list", "success"),
        ("patient.history.read", "success"),
    ]


async def test_codes_units_and_dates_are_checked(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)
    record = await clinic.patient(birth_date="2000-01-01")
    base = f"/api/v1/patients/{record['id']}"

    answers = {
        "atc": await clinic.post(f"{base}/allergies", {"substance": "X", "code": "Z99"}),
        "icd10": await clinic.post(f"{base}/conditions", {"code": "hypertension"}),
        "onset": await clinic.post(f"{base}/conditions", {"code": "I10", "onset": "1999-12-31"}),
        "status": await clinic.post(f"{base}/conditions", {"code": "I10", "status": "stopped"}),
        "class as medication": await clinic.post(f"{base}/medications", {"code": "C09A"}),
        "nameless": await clinic.post(f"{base}/medications", {"dose": "twice"}),
        "unit": await clinic.post(
            f"{base}/measurements", {"kind": "height", "value": 178, "unit": "kg", "measured_at": NOW.isoformat()}
        ),
        "plausible": await clinic.post(
            f"{base}/measurements", {"kind": "weight", "value": 8000, "unit": "kg", "measured_at": NOW.isoformat()}
        ),
        "naive": await clinic.post(
            f"{base}/measurements", {"kind": "weight", "value": 80, "unit": "kg", "measured_at": "2025-01-01T10:00:00"}
        ),
        "future": await clinic.post(
            f"{base}/measurements",
            {"kind": "weight", "value": 80, "unit": "kg", "measured_at": (NOW + timedelta(days=1)).isoformat()},
        ),
        "kind": await clinic.post(
            f"{base}/measurements", {"kind": "mood", "value": 5, "unit": "/10", "measured_at": NOW.isoformat()}
        ),
    }

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 422)
    assert answers["unit"].json()["errors"][0]["field"] == "unit"
    assert answers["onset"].json()["errors"][0]["field"] == "onset"


async def test_measurements_convert_and_list_newest_first_by_kind(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)
    record = await clinic.patient()
    base = f"/api/v1/patients/{record['id']}/measurements"
    for days, kind, value, unit in [(30, "weight", 180, "lb"), (2, "weight", 81, "kg"), (1, "height", 1.78, "m")]:
        at = (NOW - timedelta(days=days)).astimezone().isoformat()  # any offset: answered in UTC
        assert (
            await clinic.post(base, {"kind": kind, "value": value, "unit": unit, "measured_at": at})
        ).status_code == 201

    weights = (await clinic.get(base, kind="weight")).json()["items"]
    oldest_first = (await clinic.get(base, sort="measured_at")).json()["items"]

    assert [(w["value"], w["unit"]) for w in weights] == [(81, "kg"), (180, "lb")]
    assert weights[0]["measured_at"].endswith("Z")
    assert [m["kind"] for m in oldest_first] == ["weight", "weight", "height"]
    async with container.use_cases.unit_of_work() as uow:
        history: MedicalHistory = await uow.medical_history.history(clinic.tenant.organization_id, UUID(record["id"]))
        latest = await uow.medical_history.latest_measurement(
            clinic.tenant.organization_id, UUID(record["id"]), MeasurementKind.WEIGHT
        )
    assert latest is not None and latest.value == 81
    assert history.latest(MeasurementKind.WEIGHT) == latest
    assert history.latest(MeasurementKind.HEIGHT) is not None
    assert history.latest(MeasurementKind.HEIGHT).quantity.canonical_value == pytest.approx(178)  # type: ignore[union-attr]


async def test_receptionists_never_see_the_medical_history(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    clinic = await open_clinic(client, container)
    record = await clinic.patient()
    allergy = (await clinic.post(f"/api/v1/patients/{record['id']}/allergies", {"substance": "Latex"})).json()
    receptionist = await clinic.staff("receptionist")
    base = f"/api/v1/patients/{record['id']}"

    answers = [
        await clinic.get(f"{base}/allergies", receptionist),
        await clinic.get(f"{base}/allergies/{allergy['id']}", receptionist),
        await clinic.post(f"{base}/allergies", {"substance": "Nuts"}, receptionist),
        await clinic.post(f"{base}/allergies/{allergy['id']}/end", {"status": "resolved"}, receptionist),
        await clinic.get(f"{base}/conditions", receptionist),
        await clinic.get(f"{base}/medications", receptionist),
        await clinic.get(f"{base}/measurements", receptionist),
        await clinic.get(f"{base}/history", receptionist, resource_type="allergy"),
    ]
    demographics = await clinic.get(f"{base}/history", receptionist)

    assert [r.status_code for r in answers] == [403] * len(answers)
    assert [v["resource_type"] for v in demographics.json()["items"]] == ["patient"]
    denied = [e for e in await audit_events(db, clinic.tenant.organization_id) if e["outcome"] == "denied"]
    assert len(denied) == len(answers)


async def test_a_patient_reads_their_history_records_home_measurements_and_sees_no_one_else(
    client: Client, container: Container
) -> None:
    clinic = await open_clinic(client, container)
    token, own = await clinic.patient_login()
    other = await clinic.patient(given_name="Marie")
    await clinic.post(f"/api/v1/patients/{own['id']}/allergies", {"substance": "Penicillin", "code": "J01C"})
    await clinic.post(f"/api/v1/patients/{other['id']}/conditions", {"code": "E11.9"})
    mine = f"/api/v1/patients/{own['id']}"
    theirs = f"/api/v1/patients/{other['id']}"
    weight = {"kind": "weight", "value": 80.4, "unit": "kg", "measured_at": NOW.isoformat()}

    allergies = await clinic.get(f"{mine}/allergies", token)
    recorded = await clinic.post(f"{mine}/measurements", weight, token)
    lab = await clinic.post(f"{mine}/measurements", {**weight, "kind": "egfr", "unit": "mL/min/1.73m2"}, token)
    allergy = await clinic.post(f"{mine}/allergies", {"substance": "Cats"}, token)
    corrected = await clinic.post(f"{mine}/measurements/{recorded.json()['id']}/end", {}, token)
    other_conditions = await clinic.get(f"{theirs}/conditions", token)
    other_history = await clinic.get(f"{theirs}/history", token)
    other_measurement = await clinic.post(f"{theirs}/measurements", weight, token)

    assert [a["substance"] for a in allergies.json()["items"]] == ["Penicillin"]
    assert recorded.status_code == 201 and recorded.json()["recorded_by_patient"] is True
    assert lab.status_code == allergy.status_code == 403
    assert corrected.status_code == 200 and corrected.json()["status"] == "entered_in_error"
    assert other_conditions.status_code == other_history.status_code == other_measurement.status_code == 404

    await client.patch(
        "/api/v1/organizations/current",
        json={"settings": {"patients": {"history_visible": False}}},
        headers=clinic.headers,
    )
    hidden = await clinic.get(f"{mine}/allergies", token)
    versions = await clinic.get(f"{mine}/history", token)
    assert hidden.status_code == 403
    assert hidden.json()["code"] == "patient.history_hidden"
    assert {v["resource_type"] for v in versions.json()["items"]} == {"patient"}


async def test_the_history_of_a_record_lists_who_changed_which_fields_in_order(
    client: Client, container: Container
) -> None:
    clinic = await open_clinic(client, container)
    receptionist = await clinic.staff("receptionist")
    token, own = await clinic.patient_login()
    path = f"/api/v1/patients/{own['id']}"
    me = (await client.get("/api/v1/auth/me", headers=bearer(token))).json()["user"]["id"]

    await client.patch(path, json={"given_name": "Jean-Pierre"}, headers=bearer(receptionist))
    await client.patch(path, json={"preferred_language": "fr"}, headers=bearer(token))
    await client.patch(path, json={"preferred_language": "fr"}, headers=bearer(token))  # no change: no version

    items = (await clinic.get(f"{path}/history")).json()["items"]
    newest_first = (await clinic.get(f"{path}/history", sort="-sequence", limit=1)).json()
    only_patient = (await clinic.get(f"{path}/history", resource_type="patient", resource_id=own["id"])).json()

    assert [(v["sequence"], v["action"], v["changed_fields"]) for v in items] == [
        (1, "create", items[0]["changed_fields"]),
        (2, "update", ["given_name"]),
        (3, "update", ["preferred_language"]),
    ]
    assert {"given_name", "family_name", "birth_date", "mrn", "user_id"} <= set(items[0]["changed_fields"])
    assert items[1]["snapshot"]["given_name"] == "Jean-Pierre"
    assert items[2]["changed_by"] == {"type": "user", "id": me}
    assert newest_first["items"][0]["sequence"] == 3
    assert newest_first["page"]["next_cursor"] is not None
    assert len(only_patient["items"]) == 3


async def test_the_entry_of_another_patient_is_not_found(client: Client, container: Container) -> None:
    clinic = await open_clinic(client, container)
    first = await clinic.patient()
    second = await clinic.patient()
    allergy = (await clinic.post(f"/api/v1/patients/{first['id']}/allergies", {"substance": "Latex"})).json()

    read = await clinic.get(f"/api/v1/patients/{second['id']}/allergies/{allergy['id']}")
    as_condition = await clinic.get(f"/api/v1/patients/{first['id']}/conditions/{allergy['id']}")
    end = await clinic.post(f"/api/v1/patients/{second['id']}/allergies/{allergy['id']}/end", {"status": "resolved"})

    assert [r.status_code for r in (read, as_condition, end)] == [404, 404, 404]
    assert read.json()["code"] == "allergy.not_found"
    assert as_condition.json()["code"] == "condition.not_found"
    assert {k.plural for k in EntryKind} == set(ENTRIES)
