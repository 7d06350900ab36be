"""SendReminders: the batch job that sends due appointment reminders, each exactly once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome
from medcore.domain.notifications.ports import Channel, Notification, Notifier
from medcore.domain.scheduling.reminder import Reminder
from medcore.domain.shared.ports import Clock

BATCH = 100


@dataclass
class ReminderRun:
    sent: int = 0
    already_sent: int = 0  # delivered by an earlier run that crashed before recording it
    skipped: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def processed(self) -> int:
        return self.sent + self.already_sent + self.skipped


class SendReminders:
    """Claims due reminders in batches with ``FOR UPDATE SKIP LOCKED`` (so runs that overlap
    share the work instead of doubling it), re-checks each appointment in the same
    transaction (a reminder for an appointment cancelled, moved or already begun is
    skipped), delivers through the notification port with the reminder's id as idempotency
    key, and records it as sent in the same transaction. A run that crashes midway leaves
    the rest pending; a reminder delivered just before a crash is recognised by the
    notifier on the next run and not sent twice."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, notifier: Notifier) -> None:
        self._uow = uow
        self._clock = clock
        self._notifier = notifier

    async def due_count(self) -> int:
        async with self._uow() as uow:
            return await uow.reminders.count_due(self._clock.now())

    async def execute(
        self, *, limit: int | None = None, on_progress: Callable[[int], None] | None = None
    ) -> ReminderRun:
        run = ReminderRun()
        while limit is None or run.processed < limit:
            batch = BATCH if limit is None else min(BATCH, limit - run.processed)
            async with self._uow() as uow:
                now = self._clock.now()
                claimed = await uow.reminders.claim_due(now, batch)
                if not claimed:
                    break
                for reminder in claimed:
                    outcome = await self._send_one(uow, reminder, now)
                    if outcome == "sent":
                        run.sent += 1
                    elif outcome == "already_sent":
                        run.already_sent += 1
                    else:
                        run.skipped += 1
                        run.skip_reasons[outcome] = run.skip_reasons.get(outcome, 0) + 1
                await uow.commit()
            if on_progress is not None:
                on_progress(len(claimed))
        return run

    async def _send_one(self, uow, reminder: Reminder, now) -> str:  # type: ignore[no-untyped-def]
        appointment = await uow.appointments.get(reminder.organization_id, reminder.appointment_id)
        reason = None
        if appointment is None or not appointment.occupying or appointment.status.value in ("completed",):
            reason = "appointment_cancelled"
        elif appointment.starts_at <= now:
            reason = "appointment_started"
        patient = await uow.patients.get(reminder.organization_id, appointment.patient_id) if appointment else None
        to = None
        if patient is not None:
            to = patient.phone if reminder.channel is Channel.SMS else patient.email
        if reason is None and not to:
            reason = "no_contact"
        if reason is not None:
            reminder.skip(reason, now)
            await uow.reminders.save(reminder)
            return reason
        assert appointment is not None
        assert patient is not None
        assert to is not None
        practitioner = await uow.practitioners.get(reminder.organization_id, appointment.practitioner_id)
        zone = practitioner.time_zone.zone if practitioner else None
        local = appointment.starts_at.astimezone(zone) if zone else appointment.starts_at
        with_whom = f" with {practitioner.given_name} {practitioner.family_name}" if practitioner else ""
        delivered = await self._notifier.deliver(
            Notification(
                id=reminder.id,
                organization_id=reminder.organization_id,
                channel=reminder.channel,
                to=to,
                subject="Appointment reminder",
                text=(
                    f"Reminder: you have an appointment{with_whom} on {local:%A %d %B %Y at %H:%M}. "
                    "If you cannot come, please cancel it from your patient portal or call the practice."
                ),
                kind="appointment.reminder",
            )
        )
        reminder.mark_sent(now)
        await uow.reminders.save(reminder)
        await uow.audit.record(
            AuditEntry(
                organization_id=reminder.organization_id,
                action="appointment.reminder",
                outcome=Outcome.SUCCESS,
                actor_type=ActorType.SYSTEM,
                resource_type="appointment",
                resource_id=appointment.id,
                patient_id=appointment.patient_id,
                details={
                    "channel": reminder.channel.value,
                    "reminder_id": str(reminder.id),
                    "redelivery": not delivered,
                },
            )
        )
        return "sent" if delivered else "already_sent"
