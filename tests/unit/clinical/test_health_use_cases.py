"""Health metrics and health reminders on the in-memory fakes: who reads and sets what, the
patient's time zone, and the batch job that sends each occurrence once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from medcore.application.clinical.cancel_health_reminder import CancelHealthReminderCommand
from medcore.application.clinical.create_health_reminder import CreateHealthReminderCommand
from medcore.application.clinical.get_health_metrics import HealthMetricsCommand
from medcore.application.patients.add_measurement import AddMeasurementCommand
from medcore.domain.audit.entry import Outcome
from medcore.domain.clinical.health_reminder import DeliveryStatus, HealthReminder, HealthReminderStatus
from medcore.domain.clinical.metrics import MetricBucket
from medcore.domain.notifications.ports import Channel
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.shared.errors import ErrorKind
from medcore.domain.shared.listing import ListQuery
from tests.unit.application.world import err, ok
from tests.unit.clinical.world import Clinic

# The world's clock: Monday 2 March 2026, 09:00 UTC (10:00 in Paris).


async def weigh(clinic: Clinic, value: float, unit: str, at: datetime) -> None:
    ok(
        await clinic.world.add_measurement.execute(
            clinic.owner,
            AddMeasurementCommand(
                patient_id=clinic.patient.id, kind=MeasurementKind.WEIGHT, value=value, unit=unit, measured_at=at
            ),
        )
    )


def metrics(clinic: Clinic, **fields: object) -> HealthMetricsCommand:
    values: dict[str, object] = {"patient_id": clinic.patient.id, "kind": MeasurementKind.WEIGHT, **fields}
    return HealthMetricsCommand(**values)  # type: ignore[arg-type]


async def test_metrics_come_by_local_day_in_the_canonical_unit(clinic: Clinic) -> None:
    await weigh(clinic, 80, "kg", datetime(2026, 3, 1, 7, tzinfo=UTC))  # 08:00 on the 1st in Paris
    await weigh(clinic, 180, "lb", datetime(2026, 3, 1, 22, 30, tzinfo=UTC))  # 23:30 on the 1st
    await weigh(clinic, 81, "kg", datetime(2026, 3, 1, 23, 30, tzinfo=UTC))  # 00:30 on the 2nd

    found = ok(await clinic.world.get_health_metrics.execute(clinic.nurse, metrics(clinic)))

    assert (found.query.unit, found.query.zone.value, found.query.bucket) == ("kg", "Europe/Paris", MetricBucket.DAY)
    assert found.query.window.end == clinic.world.clock.now()
    assert found.query.window.end - found.query.window.start == timedelta(days=30)
    lb = 180 * 0.45359237
    assert [(b.start, b.count) for b in found.series.buckets] == [(date(2026, 3, 1), 2), (date(2026, 3, 2), 1)]
    assert found.series.buckets[0].mean == pytest.approx((80 + lb) / 2)
    assert found.series.summary is not None
    assert (found.series.summary.count, found.series.summary.minimum) == (3, 80)
    assert found.series.summary.maximum == pytest.approx(lb)
    [event] = [e for e in clinic.world.store.audit if e.action == "health_metrics.read"]
    assert (event.patient_id, event.details["count"], event.details["measurement_kind"]) == (
        clinic.patient.id,
        3,
        "weight",
    )


async def test_metrics_for_staff_and_for_the_patient_themselves(clinic: Clinic) -> None:
    world = clinic.world
    mine = metrics(clinic, patient_id=clinic.own_record.id)

    own = ok(await world.get_health_metrics.execute(clinic.patient_actor, mine))
    other = await world.get_health_metrics.execute(clinic.patient_actor, metrics(clinic))
    desk = await world.get_health_metrics.execute(clinic.receptionist, metrics(clinic))
    bad_window = await world.get_health_metrics.execute(
        clinic.doctor, metrics(clinic, start=world.clock.now(), end=world.clock.now() - timedelta(days=1))
    )

    assert own.query.zone.value == "UTC"  # the record names no time zone
    assert own.series.summary is None and own.series.buckets == ()
    assert err(other).code == "patient.not_found"
    assert err(desk).kind is ErrorKind.FORBIDDEN
    assert [i.field for i in err(bad_window).fields] == ["from"]
    denied = [e for e in world.store.audit if e.action == "health_metrics.read" and e.outcome is Outcome.DENIED]
    assert len(denied) == 2
    await clinic.portal(history_visible=False)
    hidden = await world.get_health_metrics.execute(clinic.patient_actor, mine)
    assert err(hidden).code == "patient.history_hidden"


def reminder_for(clinic: Clinic, **fields: object) -> CreateHealthReminderCommand:
    values: dict[str, object] = {
        "patient_id": clinic.patient.id,
        "text": "Take your metformin",
        "times": ("08:00", "20:00"),
        "starts_on": date(2026, 3, 2),
        **fields,
    }
    return CreateHealthReminderCommand(**values)  # type: ignore[arg-type]


async def test_reminders_are_set_by_staff_or_the_patient_in_the_patients_zone(clinic: Clinic) -> None:
    world = clinic.world

    by_nurse = ok(await world.create_health_reminder.execute(clinic.nurse, reminder_for(clinic)))
    by_patient = ok(
        await world.create_health_reminder.execute(
            clinic.patient_actor, reminder_for(clinic, patient_id=clinic.own_record.id, times=("09:15",))
        )
    )
    for_someone_else = await world.create_health_reminder.execute(clinic.patient_actor, reminder_for(clinic))
    by_desk = await world.create_health_reminder.execute(clinic.receptionist, reminder_for(clinic))

    assert by_nurse.schedule.zone.value == "Europe/Paris"
    assert by_nurse.next_due_at == datetime(2026, 3, 2, 19, tzinfo=UTC)  # 20:00 today; 08:00 has passed
    assert by_patient.schedule.zone.value == "UTC"
    assert by_patient.next_due_at == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    assert err(for_someone_else).code == "patient.not_found"
    assert err(by_desk).kind is ErrorKind.FORBIDDEN
    created = [e for e in world.store.audit if e.action == "health_reminder.create" and e.outcome is Outcome.SUCCESS]
    assert [(e.patient_id, e.details.get("self")) for e in created] == [
        (clinic.patient.id, None),
        (clinic.own_record.id, True),
    ]
    listed = ok(await world.list_health_reminders.execute(clinic.patient_actor, clinic.own_record.id, ListQuery()))
    assert [r.id for r in listed.items] == [by_patient.id]


async def test_reminders_that_cannot_reach_or_never_fire_are_refused(clinic: Clinic) -> None:
    world = clinic.world

    by_sms = await world.create_health_reminder.execute(clinic.nurse, reminder_for(clinic, channel=Channel.SMS))
    over = await world.create_health_reminder.execute(
        clinic.nurse, reminder_for(clinic, starts_on=date(2026, 2, 1), ends_on=date(2026, 3, 1))
    )
    malformed = await world.create_health_reminder.execute(clinic.nurse, reminder_for(clinic, times=("8h",)))

    assert [i.field for i in err(by_sms).fields] == ["channel"]  # no phone on record
    assert [i.field for i in err(over).fields] == ["ends_on"]
    assert [i.field for i in err(malformed).fields] == ["times.0"]


async def test_a_reminder_is_cancelled_once(clinic: Clinic) -> None:
    world = clinic.world
    created = ok(await world.create_health_reminder.execute(clinic.nurse, reminder_for(clinic)))
    command = CancelHealthReminderCommand(patient_id=clinic.patient.id, reminder_id=created.id)

    cancelled = ok(await world.cancel_health_reminder.execute(clinic.nurse, command))
    again = await world.cancel_health_reminder.execute(clinic.nurse, command)

    assert (cancelled.status, cancelled.next_due_at) == (HealthReminderStatus.CANCELLED, None)
    assert err(again).code == "health_reminder.cancelled"
    fetched = ok(await world.get_health_reminder.execute(clinic.doctor, clinic.patient.id, created.id))
    assert fetched.status is HealthReminderStatus.CANCELLED


async def test_the_job_sends_each_occurrence_once_with_the_patients_words_only(clinic: Clinic) -> None:
    world = clinic.world
    created = ok(await world.create_health_reminder.execute(clinic.nurse, reminder_for(clinic)))
    world.clock.current = datetime(2026, 3, 3, 8, tzinfo=UTC)  # 09:00 on the 3rd in Paris

    assert await world.send_health_reminders.due_count() == 1
    first = await world.send_health_reminders.execute()
    second = await world.send_health_reminders.execute()

    assert (first.sent, first.reminders, second.sent, second.reminders) == (2, 1, 0, 0)
    sent = world.notifier.to("jean@example.org")
    assert [n.text for n in sent] == [
        "Reminder for 20:00: Take your metformin",
        "Reminder for 08:00: Take your metformin",
    ]
    assert {(n.subject, n.kind, n.channel) for n in sent} == {("Your reminder", "health.reminder", Channel.EMAIL)}
    assert all("Jean" not in n.text and "Dupont" not in n.text for n in sent)
    deliveries = world.store.health_reminder_deliveries.values()
    assert sorted(d.occurrence_at for d in deliveries) == [
        datetime(2026, 3, 2, 19, tzinfo=UTC),
        datetime(2026, 3, 3, 7, tzinfo=UTC),
    ]
    assert {d.id for d in deliveries} == {n.id for n in sent}
    stored: HealthReminder = world.store.health_reminders[created.id]
    assert stored.last_occurrence_at == datetime(2026, 3, 3, 7, tzinfo=UTC)
    assert stored.next_due_at == datetime(2026, 3, 3, 19, tzinfo=UTC)
    events = [e for e in world.store.audit if e.action == "health_reminder.sent"]
    assert [(e.patient_id, e.details["redelivery"]) for e in events] == [(clinic.patient.id, False)] * 2


async def test_a_crash_after_delivering_does_not_send_twice(clinic: Clinic) -> None:
    world = clinic.world
    ok(await world.create_health_reminder.execute(clinic.nurse, reminder_for(clinic)))
    world.clock.current = datetime(2026, 3, 3, 8, tzinfo=UTC)
    world.notifier.crash_after = 1

    with pytest.raises(RuntimeError):
        await world.send_health_reminders.execute()
    assert world.store.health_reminder_deliveries == {}  # nothing was recorded
    rerun = await world.send_health_reminders.execute()

    assert (rerun.sent, rerun.already_sent) == (1, 1)
    assert len(world.notifier.delivered) == 2
    assert len(world.store.health_reminder_deliveries) == 2


async def test_unreachable_patients_are_skipped_and_deleted_ones_end_their_reminders(clinic: Clinic) -> None:
    world = clinic.world
    created = ok(await world.create_health_reminder.execute(clinic.nurse, reminder_for(clinic)))
    world.store.patients[clinic.patient.id].email = None  # the address was removed meanwhile
    world.clock.current = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)

    run = await world.send_health_reminders.execute()

    assert (run.sent, run.skipped, run.skip_reasons) == (0, 1, {"no_contact": 1})
    assert [d.status for d in world.store.health_reminder_deliveries.values()] == [DeliveryStatus.SKIPPED]
    assert world.notifier.delivered == {}
    ok(await world.delete_patient.execute(clinic.owner, clinic.patient.id))
    world.clock.current = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    ended = await world.send_health_reminders.execute()
    assert (ended.ended, ended.sent) == (1, 0)
    assert world.store.health_reminders[created.id].status is HealthReminderStatus.ENDED
