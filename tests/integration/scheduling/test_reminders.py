"""Appointment reminders: rows at the organization's offsets, sent by the batch job exactly
once (two overlapping runs, a crash between delivery and recording), never for an
appointment cancelled or moved meanwhile; and the ``medcore reminders send`` command."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.scheduling_tables import appointment_reminders, appointments
from medcore.adapters.postgres.tables import audit_events as audit_table
from medcore.application.scheduling import send_reminders as send_reminders_module
from medcore.application.scheduling.send_reminders import SendReminders
from medcore.domain.notifications.ports import Notification, Notifier
from tests.integration.conftest import Outbox
from tests.integration.helpers import audit_events
from tests.integration.scheduling.committed import committed_clinic
from tests.integration.scheduling.support import Clinic, iso, paris, text_of
from tests.integration.system_helpers import flat, run_cli


async def reminder_rows(connection: Any, appointment_id: str | None = None) -> list[dict[str, Any]]:
    statement = select(appointment_reminders).order_by(appointment_reminders.c.due_at)
    if appointment_id is not None:
        statement = statement.where(appointment_reminders.c.appointment_id == uuid.UUID(appointment_id))
    return [dict(r) for r in (await connection.execute(statement)).mappings()]


def delivered(outbox: Outbox, rows: list[dict[str, Any]]) -> list[str]:
    """Which of these reminders are in the outbox (its files are named by notification id)."""
    if not outbox.directory.exists():
        return []
    names = {p.name.split(".")[0] for p in outbox.directory.iterdir() if not p.name.startswith(".")}
    return sorted(str(r["id"]) for r in rows if str(r["id"]) in names)


def sender(clinic: Clinic, notifier: Notifier) -> SendReminders:
    return SendReminders(clinic.container.use_cases.unit_of_work, clinic.clock, notifier)


async def test_a_booking_creates_reminders_24_and_2_hours_before(clinic: Clinic, db: SavepointDatabase) -> None:
    appointment = await clinic.booked(paris(2027, 3, 17, 10))
    soon = await clinic.booked(paris(2027, 3, 15, 10))  # three hours away: too late for the 24-hour one
    silent = await clinic.add_patient(given_name="Sam", email=None)  # nowhere to send it
    unreachable = await clinic.booked(paris(2027, 3, 17, 14), patient_id=silent["id"])

    rows = await reminder_rows(db.connection, appointment["id"])

    start = datetime(2027, 3, 17, 9, tzinfo=UTC)
    assert [r["due_at"] for r in rows] == [start - timedelta(hours=24), start - timedelta(hours=2)]
    assert {(r["channel"], r["status"]) for r in rows} == {("email", "pending")}
    assert [r["due_at"] for r in await reminder_rows(db.connection, soon["id"])] == [
        datetime(2027, 3, 15, 7, tzinfo=UTC)
    ]
    assert await reminder_rows(db.connection, unreachable["id"]) == []


async def test_the_organization_chooses_the_offsets(clinic: Clinic, db: SavepointDatabase) -> None:
    await clinic.set_scheduling(reminder_offsets_minutes=[60, 2880])

    appointment = await clinic.booked(paris(2027, 3, 18, 10))

    start = datetime(2027, 3, 18, 9, tzinfo=UTC)
    due = [r["due_at"] for r in await reminder_rows(db.connection, appointment["id"])]
    assert due == [start - timedelta(days=2), start - timedelta(hours=1)]


async def test_due_reminders_are_sent_once(clinic: Clinic, db: SavepointDatabase, outbox: Outbox) -> None:
    appointment = await clinic.booked(paris(2027, 3, 16, 10))
    clinic.clock.advance(hours=3)  # Monday 10:00: the 24-hour reminder is due
    send = clinic.container.use_cases.send_reminders()

    assert await send.due_count() == 1
    first = await send.execute()
    second = await send.execute()

    assert (first.sent, first.skipped, second.processed) == (1, 0, 0)
    [message] = outbox.messages(clinic.patient["email"])
    assert message["Subject"] == "Appointment reminder"
    assert message["X-Medcore-Kind"] == "appointment.reminder"
    assert "Tuesday 16 March 2027 at 10:00" in text_of(message)  # the practitioner's local time
    assert "Claire Martin" in text_of(message)
    rows = await reminder_rows(db.connection, appointment["id"])
    assert [r["status"] for r in rows] == ["sent", "pending"]
    [event] = [e for e in await audit_events(db, clinic.organization_id) if e["action"] == "appointment.reminder"]
    assert (str(event["patient_id"]), str(event["resource_id"]), event["actor_type"]) == (
        clinic.patient["id"],
        appointment["id"],
        "system",
    )
    assert event["details"]["redelivery"] is False


async def test_a_patient_who_prefers_sms_gets_a_text(clinic: Clinic, db: SavepointDatabase, outbox: Outbox) -> None:
    dora = await clinic.add_patient(given_name="Dora", email=None, phone="+33 6 00 00 00 01", preferred_channel="sms")
    appointment = await clinic.booked(paris(2027, 3, 16, 10), patient_id=dora["id"])
    clinic.clock.advance(hours=3)

    run = await clinic.container.use_cases.send_reminders().execute()

    assert run.sent == 1
    [reminder, _] = await reminder_rows(db.connection, appointment["id"])
    assert reminder["channel"] == "sms"
    sms = json.loads((outbox.directory / f"{reminder['id']}.sms.json").read_text())
    assert (sms["to"], sms["kind"]) == (dora["phone"], "appointment.reminder")
    assert "Tuesday 16 March 2027 at 10:00" in sms["text"]


async def test_no_reminder_for_an_appointment_cancelled_or_moved_meanwhile(
    clinic: Clinic, db: SavepointDatabase, outbox: Outbox
) -> None:
    cancelled = await clinic.booked(paris(2027, 3, 16, 10))
    moved = await clinic.booked(paris(2027, 3, 16, 11))
    behind_its_back = await clinic.booked(paris(2027, 3, 16, 14))
    await clinic.transition(cancelled["id"], "cancel", reason="patient_request")
    new = (
        await clinic.post(f"/api/v1/appointments/{moved['id']}/reschedule", {"starts_at": iso(paris(2027, 3, 18, 11))})
    ).json()
    # A change that did not go through the use cases: the job checks the appointment itself.
    await db.connection.execute(
        update(appointments).where(appointments.c.id == uuid.UUID(behind_its_back["id"])).values(status="cancelled")
    )
    assert {r["status"] for r in await reminder_rows(db.connection, cancelled["id"])} == {"cancelled"}
    assert {r["status"] for r in await reminder_rows(db.connection, moved["id"])} == {"cancelled"}
    clinic.clock.advance(hours=23)  # Tuesday 06:00: all of Tuesday's 24-hour reminders are due

    run = await clinic.container.use_cases.send_reminders().execute()

    assert (run.sent, run.skip_reasons) == (0, {"appointment_cancelled": 1})
    assert outbox.messages() == []
    assert [r["status"] for r in await reminder_rows(db.connection, behind_its_back["id"])] == ["skipped", "pending"]
    assert [r["status"] for r in await reminder_rows(db.connection, new["id"])] == ["pending", "pending"]


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
    clinic: Clinic, db: SavepointDatabase, outbox: Outbox
) -> None:
    for hour in (9, 10, 11):
        await clinic.booked(paris(2027, 3, 16, hour))
    clinic.clock.advance(hours=5)  # Monday 12:00: three 24-hour reminders are due
    notifier = clinic.container.gateways.notifier()

    with pytest.raises(RuntimeError):
        await sender(clinic, CrashAfterDelivery(notifier)).execute()
    rows = await reminder_rows(db.connection)
    assert len(delivered(outbox, rows)) == 1
    assert {r["status"] for r in rows} == {"pending"}  # nothing was recorded
    rerun = await sender(clinic, notifier).execute()

    assert (rerun.sent, rerun.already_sent) == (2, 1)
    rows = await reminder_rows(db.connection)
    sent = sorted(str(r["id"]) for r in rows if r["status"] == "sent")
    assert len(sent) == 3
    assert delivered(outbox, rows) == sent  # one file each, the first one written once
    events = [e for e in await audit_events(db, clinic.organization_id) if e["action"] == "appointment.reminder"]
    assert sorted(e["details"]["redelivery"] for e in events) == [False, False, True]
    assert len(outbox.messages(clinic.patient["email"])) == 3


class SlowNotifier:
    """Gives the other run time to claim its own batch while this one is delivering."""

    def __init__(self, inner: Notifier) -> None:
        self.inner = inner

    async def deliver(self, notification: Notification) -> bool:
        await asyncio.sleep(0.02)
        return await self.inner.deliver(notification)


@pytest.mark.slow
async def test_two_overlapping_runs_send_each_reminder_exactly_once(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(send_reminders_module, "BATCH", 3)  # small batches: the runs interleave
    async with committed_clinic(fresh_database_url, tmp_path) as clinic:
        outbox: Outbox = clinic.extra["outbox"]
        for hour, minute in ((9, 0), (9, 40), (10, 20), (11, 0), (11, 40), (14, 0), (14, 40), (15, 20), (16, 0)):
            await clinic.booked(paris(2027, 3, 16, hour, minute))
        # Tuesday 08:30: nine 24-hour reminders, and the 2-hour ones of 09:00, 09:40 and 10:20, are due.
        clinic.clock.advance(hours=25, minutes=30)
        notifier = SlowNotifier(clinic.container.gateways.notifier())
        due = await sender(clinic, notifier).due_count()

        first, second = await asyncio.gather(sender(clinic, notifier).execute(), sender(clinic, notifier).execute())

        assert due == 12
        assert first.sent + second.sent == due
        assert first.sent > 0 and second.sent > 0  # they did overlap, and shared the work
        assert first.already_sent == second.already_sent == 0
        async with clinic.container.gateways.engine().connect() as connection:
            rows = await reminder_rows(connection)
            events = (
                await connection.execute(
                    select(audit_table.c.resource_id).where(audit_table.c.action == "appointment.reminder")
                )
            ).all()
        sent = sorted(str(r["id"]) for r in rows if r["status"] == "sent")
        assert len(sent) == due
        assert delivered(outbox, rows) == sent  # a file for each reminder sent, none for the others
        assert len(list(outbox.directory.glob("*.eml"))) == due
        assert len(events) == due  # one audit event per reminder


@pytest.mark.slow
async def test_the_command_sends_due_reminders_and_prints_a_summary(fresh_database_url: str, tmp_path: Path) -> None:
    # The command runs on the machine's own clock: book, a day ago, for an hour from now.
    real_now = datetime.now(UTC)
    async with committed_clinic(fresh_database_url, tmp_path, now=real_now - timedelta(days=1)) as clinic:
        outbox: Outbox = clinic.extra["outbox"]
        start = (real_now + timedelta(hours=1)).replace(second=0, microsecond=0)
        start += timedelta(minutes=5 - start.minute % 5)
        await clinic.booked(start, override_reason="Demo of the reminder job")
        env = {
            "MEDCORE_DATABASE_URL": fresh_database_url,
            "MEDCORE_DATA_DIR": str(tmp_path / "cli"),
            "MEDCORE_OUTBOX_DIR": str(outbox.directory),
            "MEDCORE_LOG_LEVEL": "WARNING",
        }

        first = await asyncio.to_thread(run_cli, ["reminders", "send"], env)
        second = await asyncio.to_thread(run_cli, ["reminders", "send"], env)

    assert first.exit_code == 0, first.output
    assert "Reminders" in first.stdout
    assert re.search(r"\bsent\W+2\b", flat(first.stdout)), first.stdout
    assert re.search(r"\bsent\W+0\b", flat(second.stdout)), second.stdout
    assert len(outbox.messages(clinic.patient["email"])) == 2
