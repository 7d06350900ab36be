"""Health reminders: set, listed and deleted through the HTTP API by staff or the patient;
the batch job delivers each occurrence exactly once, in the patient's time zone, even when
two runs overlap or a run dies between delivering and recording, and never more than a day
late; and the ``medcore health-reminders send`` command."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from medcore.adapters.postgres.clinical_tables import health_reminder_deliveries
from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.tables import audit_events as audit_table
from medcore.application.clinical import send_health_reminders as send_module
from medcore.application.clinical.send_health_reminders import SendHealthReminders
from medcore.domain.notifications.ports import Notification, Notifier
from tests.integration.clinical.support import Ward
from tests.integration.conftest import Outbox
from tests.integration.helpers import audit_events
from tests.integration.scheduling.committed import committed_clinic
from tests.integration.scheduling.support import Clinic, text_of, utc
from tests.integration.system_helpers import flat, run_cli

REMINDER = {"text": "Take your metformin with breakfast", "times": ["08:00", "20:00"], "starts_on": "2027-03-15"}


async def paris_patient(clinic: Clinic, **fields: Any) -> dict[str, Any]:
    return await clinic.add_patient(given_name="Lucie", email="lucie@example.test", time_zone="Europe/Paris", **fields)


async def set_reminder(clinic: Clinic, patient_id: str, token: str | None = None, **fields: Any) -> Any:
    return await clinic.post(f"/api/v1/patients/{patient_id}/health-reminders", {**REMINDER, **fields}, token)


async def deliveries(connection: Any) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(health_reminder_deliveries).order_by(health_reminder_deliveries.c.occurrence_at)
    )
    return [dict(r) for r in rows.mappings()]


def outbox_ids(outbox: Outbox) -> set[str]:
    if not outbox.directory.exists():
        return set()
    return {p.name.split(".")[0] for p in outbox.directory.iterdir() if not p.name.startswith(".")}


def sender(clinic: Clinic, notifier: Notifier) -> SendHealthReminders:
    return SendHealthReminders(clinic.container.use_cases.unit_of_work, clinic.clock, notifier)


async def test_staff_set_list_read_and_delete_reminders(ward: Ward, db: SavepointDatabase) -> None:
    clinic = ward.clinic
    lucie = await paris_patient(clinic)

    created = await set_reminder(clinic, lucie["id"], ward.nurse_token, days=[1, 3, 5], ends_on="2027-06-30")

    assert created.status_code == 201, created.text
    body = created.json()
    path = f"/api/v1/patients/{lucie['id']}/health-reminders/{body['id']}"
    assert created.headers["location"] == path
    assert (body["times"], body["days"], body["time_zone"], body["status"]) == (
        ["08:00", "20:00"],
        [1, 3, 5],
        "Europe/Paris",
        "active",
    )
    assert body["channel"] is None
    assert utc(body["next_due_at"]) == datetime(2027, 3, 15, 7, tzinfo=UTC)  # 08:00 in Paris, this Monday
    listed = await ward.get(f"/api/v1/patients/{lucie['id']}/health-reminders")
    fetched = await ward.get(path)
    stale = await ward.delete(path, **{"If-Match": '"7"'})
    deleted = await ward.delete(path, ward.nurse_token)
    again = await ward.delete(path)
    active = await ward.get(f"/api/v1/patients/{lucie['id']}/health-reminders", status="active")

    assert [r["id"] for r in listed.json()["items"]] == [body["id"]]
    assert fetched.json() == body and fetched.headers["etag"] == '"1"'
    assert stale.status_code == 412
    assert deleted.status_code == 204
    assert (again.status_code, again.json()["code"]) == (409, "health_reminder.cancelled")
    assert active.json()["items"] == []
    cancelled = (await ward.get(path)).json()
    assert (cancelled["status"], cancelled["next_due_at"]) == ("cancelled", None)
    events = [e for e in await audit_events(db, clinic.organization_id) if e["action"].startswith("health_reminder")]
    assert [e["action"] for e in events if e["outcome"] == "success"] == [
        "health_reminder.create",
        "health_reminder.list",
        "health_reminder.read",
        "health_reminder.cancel",
        "health_reminder.list",
        "health_reminder.read",
    ]
    assert {str(e["patient_id"]) for e in events if e["outcome"] == "success"} == {lucie["id"]}
    assert "metformin" not in json.dumps([e["details"] for e in events])


async def test_a_patient_manages_their_own_reminders_only(ward: Ward) -> None:
    clinic = ward.clinic
    own = clinic.own_record["id"]

    mine = await set_reminder(clinic, own, clinic.patient_token, times=["21:30"], channel="email")
    theirs = await set_reminder(clinic, ward.patient["id"], clinic.patient_token)
    listed = await ward.get(f"/api/v1/patients/{own}/health-reminders", clinic.patient_token)
    others = await ward.get(f"/api/v1/patients/{ward.patient['id']}/health-reminders", clinic.patient_token)
    desk = await set_reminder(clinic, own, clinic.reception)

    assert mine.status_code == 201, mine.text
    assert mine.json()["time_zone"] == "UTC"  # the record names none
    assert mine.json()["created_by"]["type"] == "user"
    assert (theirs.status_code, others.status_code) == (404, 404)
    assert [r["id"] for r in listed.json()["items"]] == [mine.json()["id"]]
    assert desk.status_code == 403
    deleted = await ward.delete(f"/api/v1/patients/{own}/health-reminders/{mine.json()['id']}", clinic.patient_token)
    assert deleted.status_code == 204


async def test_invalid_reminders_are_refused_naming_each_field(ward: Ward) -> None:
    clinic = ward.clinic

    bad = await set_reminder(
        clinic, ward.patient["id"], times=["8:00", "25:00"], days=[0, 3], starts_on="2027-03-15", ends_on="2027-03-01"
    )
    unreachable = await set_reminder(clinic, ward.patient["id"], channel="sms")  # no phone on record
    over = await set_reminder(clinic, ward.patient["id"], starts_on="2027-01-01", ends_on="2027-03-14")
    no_times = await set_reminder(clinic, ward.patient["id"], times=[])
    fax = await set_reminder(clinic, ward.patient["id"], channel="fax")

    assert [e["field"] for e in bad.json()["errors"]] == ["times.0", "times.1", "days.0", "ends_on"]
    assert [e["field"] for e in unreachable.json()["errors"]] == ["channel"]
    assert [e["field"] for e in over.json()["errors"]] == ["ends_on"]
    assert no_times.status_code == 422 and fax.status_code == 422


async def test_due_occurrences_are_sent_once_in_the_patients_time_zone(
    ward: Ward, db: SavepointDatabase, outbox: Outbox
) -> None:
    clinic = ward.clinic
    lucie = await paris_patient(clinic)
    reminder = (await set_reminder(clinic, lucie["id"])).json()
    send = clinic.container.use_cases.send_health_reminders()
    await ward.later(hours=14)  # Monday 21:00 in Paris: 08:00 and 20:00 are due

    assert await send.due_count() == 1
    first = await send.execute()
    again = await send.execute()
    await ward.later(hours=12)  # Tuesday 09:00: Tuesday 08:00
    second = await send.execute()

    assert (first.sent, first.reminders, first.missed) == (2, 1, 0)
    assert (again.sent, again.reminders) == (0, 0)
    assert (second.sent, second.reminders, second.missed) == (1, 1, 0)
    messages = outbox.messages("lucie@example.test")
    assert sorted(text_of(m) for m in messages) == sorted(
        [f"Reminder for {t}: Take your metformin with breakfast" for t in ("08:00", "20:00", "08:00")]
    )
    assert {m["Subject"] for m in messages} == {"Your reminder"}
    assert {m["X-Medcore-Kind"] for m in messages} == {"health.reminder"}
    rows = await deliveries(db.connection)
    assert [r["occurrence_at"] for r in rows] == [
        datetime(2027, 3, 15, 7, tzinfo=UTC),
        datetime(2027, 3, 15, 19, tzinfo=UTC),
        datetime(2027, 3, 16, 7, tzinfo=UTC),
    ]
    assert {r["status"] for r in rows} == {"sent"}
    assert {str(r["id"]) for r in rows} == outbox_ids(outbox)  # the notification id is the delivery's
    after = (await ward.get(f"/api/v1/patients/{lucie['id']}/health-reminders/{reminder['id']}")).json()
    assert utc(after["last_occurrence_at"]) == datetime(2027, 3, 16, 7, tzinfo=UTC)
    assert utc(after["next_due_at"]) == datetime(2027, 3, 16, 19, tzinfo=UTC)
    events = [e for e in await audit_events(db, clinic.organization_id) if e["action"] == "health_reminder.sent"]
    assert [(e["actor_type"], str(e["patient_id"]), e["details"]["redelivery"]) for e in events] == [
        ("system", lucie["id"], False)
    ] * 3


async def test_a_long_outage_does_not_flood_the_patient(ward: Ward, db: SavepointDatabase, outbox: Outbox) -> None:
    clinic = ward.clinic
    lucie = await paris_patient(clinic)
    await set_reminder(clinic, lucie["id"], times=["08:00"])
    clinic.clock.advance(days=5, hours=5)  # Saturday 12:00 in Paris

    run = await clinic.container.use_cases.send_health_reminders().execute()

    assert (run.sent, run.missed) == (1, 5)  # Saturday's only; Monday to Friday are dropped
    assert [r["occurrence_at"] for r in await deliveries(db.connection)] == [datetime(2027, 3, 20, 7, tzinfo=UTC)]
    assert len(outbox.messages("lucie@example.test")) == 1


async def test_sms_goes_to_the_patients_own_phone(ward: Ward, outbox: Outbox) -> None:
    clinic = ward.clinic
    dora = await clinic.add_patient(given_name="Dora", email=None, phone="+33 6 00 00 00 01", preferred_channel="sms")
    await set_reminder(clinic, dora["id"], times=["06:30"])
    clinic.clock.advance(hours=1)

    run = await clinic.container.use_cases.send_health_reminders().execute()

    assert run.sent == 1
    [sms] = [json.loads(p.read_text()) for p in outbox.directory.glob("*.sms.json")]
    assert (sms["to"], sms["kind"]) == (dora["phone"], "health.reminder")
    assert sms["text"] == "Reminder for 06:30: Take your metformin with breakfast"


class CrashAfterDelivery:
    """Delivers, then dies before the job can record it (once)."""

    def __init__(self, inner: Notifier) -> None:
        self.inner = inner
        self.crashed = False

    async def deliver(self, notification: Notification) -> bool:
        result = await self.inner.deliver(notification)
        if not self.crashed:
            self.crashed = True
            raise RuntimeError("the process died after delivering")
        return result


async def test_a_crash_between_delivery_and_recording_does_not_send_twice(
    ward: Ward, db: SavepointDatabase, outbox: Outbox
) -> None:
    clinic = ward.clinic
    lucie = await paris_patient(clinic)
    await set_reminder(clinic, lucie["id"])
    clinic.clock.advance(hours=14)  # Monday 21:00 in Paris: 08:00 and 20:00 are due
    notifier = clinic.container.gateways.notifier()

    with pytest.raises(RuntimeError):
        await sender(clinic, CrashAfterDelivery(notifier)).execute()
    assert await deliveries(db.connection) == []  # nothing was recorded
    assert len(outbox.messages("lucie@example.test")) == 1  # but one went out
    rerun = await sender(clinic, notifier).execute()

    assert (rerun.sent, rerun.already_sent) == (1, 1)
    rows = await deliveries(db.connection)
    assert len(rows) == 2 and {str(r["id"]) for r in rows} == outbox_ids(outbox)
    assert len(outbox.messages("lucie@example.test")) == 2  # each occurrence once
    events = [e for e in await audit_events(db, clinic.organization_id) if e["action"] == "health_reminder.sent"]
    assert sorted(e["details"]["redelivery"] for e in events) == [False, True]


class SlowNotifier:
    """Gives the other run time to claim its own batch while this one is delivering."""

    def __init__(self, inner: Notifier) -> None:
        self.inner = inner

    async def deliver(self, notification: Notification) -> bool:
        await asyncio.sleep(0.02)
        return await self.inner.deliver(notification)


@pytest.mark.slow
async def test_two_overlapping_runs_send_each_occurrence_exactly_once(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(send_module, "BATCH", 2)  # small batches: the runs interleave
    async with committed_clinic(fresh_database_url, tmp_path) as clinic:
        outbox: Outbox = clinic.extra["outbox"]
        patients = [await paris_patient(clinic, mrn=f"HR-{n}") for n in range(4)]
        for patient in patients:
            for times in (["08:00", "20:00"], ["08:30"]):
                response = await set_reminder(clinic, patient["id"], times=times)
                assert response.status_code == 201, response.text
        # Tuesday 09:00 in Paris: per patient, Monday 20:00, Tuesday 08:00 and 08:30 are due; Monday's
        # 08:00 and 08:30 are more than a day old and dropped.
        clinic.clock.advance(hours=26)
        notifier = SlowNotifier(clinic.container.gateways.notifier())
        due = await sender(clinic, notifier).due_count()

        first, second = await asyncio.gather(sender(clinic, notifier).execute(), sender(clinic, notifier).execute())

        assert due == 8
        assert first.sent + second.sent == 4 * 3
        assert first.missed + second.missed == 4 * 2
        assert first.reminders > 0 and second.reminders > 0  # they did overlap, and shared the work
        assert first.already_sent == second.already_sent == 0
        async with clinic.container.gateways.engine().connect() as connection:
            rows = await deliveries(connection)
            events = (
                await connection.execute(
                    select(audit_table.c.details).where(audit_table.c.action == "health_reminder.sent")
                )
            ).all()
        assert len(rows) == 12
        assert len({(r["reminder_id"], r["occurrence_at"]) for r in rows}) == 12
        assert {str(r["id"]) for r in rows} == outbox_ids(outbox)  # a file for each occurrence, no other
        assert len(list(outbox.directory.glob("*.eml"))) == 12
        assert len(events) == 12


@pytest.mark.slow
async def test_the_command_sends_due_reminders_and_prints_a_summary(fresh_database_url: str, tmp_path: Path) -> None:
    # The command runs on the machine's own clock: a reminder set two hours ago for an hour ago.
    real_now = datetime.now(UTC)
    async with committed_clinic(fresh_database_url, tmp_path, now=real_now - timedelta(hours=2)) as clinic:
        outbox: Outbox = clinic.extra["outbox"]
        due_at = real_now - timedelta(hours=1)
        response = await set_reminder(
            clinic, clinic.patient["id"], times=[f"{due_at:%H:%M}"], starts_on=due_at.date().isoformat()
        )
        assert response.status_code == 201, response.text
        env = {
            "MEDCORE_DATABASE_URL": fresh_database_url,
            "MEDCORE_DATA_DIR": str(tmp_path / "cli"),
            "MEDCORE_OUTBOX_DIR": str(outbox.directory),
            "MEDCORE_LOG_LEVEL": "WARNING",
        }

        first = await asyncio.to_thread(run_cli, ["health-reminders", "send"], env)
        second = await asyncio.to_thread(run_cli, ["health-reminders", "send"], env)

    assert first.exit_code == 0, first.output
    assert "Health reminders" in first.stdout
    assert re.search(r"\bsent\W+1\b", flat(first.stdout)), first.stdout
    assert re.search(r"\bsent\W+0\b", flat(second.stdout)), second.stdout
    assert len(outbox.messages(clinic.patient["email"])) == 1
    assert uuid.UUID(next(iter(outbox_ids(outbox))))
