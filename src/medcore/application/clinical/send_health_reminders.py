"""SendHealthReminders: the batch job that delivers due health reminders, each occurrence
exactly once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from medcore.application.clinical.reminder_channels import address_for, channel_for
from medcore.application.shared.unit_of_work import UnitOfWork, UnitOfWorkFactory
from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome
from medcore.domain.clinical.health_reminder import DeliveryStatus, HealthReminder, HealthReminderDelivery
from medcore.domain.notifications.ports import Notification, Notifier
from medcore.domain.shared.ports import Clock

BATCH = 100
SUBJECT = "Your reminder"


@dataclass
class HealthReminderRun:
    sent: int = 0
    already_sent: int = 0  # delivered by an earlier run that crashed before recording it
    skipped: int = 0  # nobody to send it to
    missed: int = 0  # older than 24 h when the job came by: dropped
    reminders: int = 0  # reminders handled
    ended: int = 0  # reminders with no occurrence left
    skip_reasons: dict[str, int] = field(default_factory=dict)


def message_text(reminder: HealthReminder, occurrence_at: datetime) -> str:
    """What the patient reads: their reminder's own words and its time, nothing else (no
    name, no diagnosis, no practice detail)."""
    local = occurrence_at.astimezone(reminder.schedule.zone.zone)
    return f"Reminder for {local:%H:%M}: {reminder.text}"


class SendHealthReminders:
    """Claims reminders whose next occurrence is due, in batches, with ``FOR UPDATE SKIP
    LOCKED`` (runs that overlap share the work). For each, in one transaction: the
    occurrences since the later of its creation and its last processed occurrence, at most
    24 h back (older ones are dropped), each recorded in the deliveries table (unique per
    reminder and instant) before it is delivered through the notification port with an id
    derived from (reminder, instant). A crash after delivering and before committing leaves
    the occurrence unrecorded; the next run delivers it again under the same id, which the
    notifier recognises, so the patient gets it once. Only the patient's own email or phone
    is used."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, notifier: Notifier) -> None:
        self._uow = uow
        self._clock = clock
        self._notifier = notifier

    async def due_count(self) -> int:
        async with self._uow() as uow:
            return await uow.health_reminders.count_due(self._clock.now())

    async def execute(
        self, *, limit: int | None = None, on_progress: Callable[[int], None] | None = None
    ) -> HealthReminderRun:
        """``limit`` caps the reminders handled (each may have several occurrences due)."""
        run = HealthReminderRun()
        while limit is None or run.reminders < limit:
            batch = BATCH if limit is None else min(BATCH, limit - run.reminders)
            async with self._uow() as uow:
                now = self._clock.now()
                claimed = await uow.health_reminders.claim_due(now, batch)
                if not claimed:
                    break
                for reminder in claimed:
                    await self._handle(uow, reminder, now, run)
                await uow.commit()
            run.reminders += len(claimed)
            if on_progress is not None:
                on_progress(len(claimed))
        return run

    async def _handle(self, uow: UnitOfWork, reminder: HealthReminder, now: datetime, run: HealthReminderRun) -> None:
        patient = await uow.patients.get(reminder.organization_id, reminder.patient_id)
        if patient is None:  # the record was deleted: nothing more to send
            reminder.end(now)
            await uow.health_reminders.save(reminder)
            run.ended += 1
            return
        due = reminder.due(now)
        run.missed += due.missed
        channel = channel_for(patient, reminder.channel)  # the patient's own contact, as it is now
        for occurrence_at in due.deliver:
            delivery = HealthReminderDelivery(
                id=reminder.occurrence_id(occurrence_at),
                organization_id=reminder.organization_id,
                reminder_id=reminder.id,
                occurrence_at=occurrence_at,
                status=DeliveryStatus.SENT if channel is not None else DeliveryStatus.SKIPPED,
                channel=channel,
                skip_reason=None if channel is not None else "no_contact",
                created_at=now,
            )
            if not await uow.health_reminders.record_delivery(delivery):
                continue  # another run handled this occurrence
            if channel is None:
                run.skipped += 1
                run.skip_reasons["no_contact"] = run.skip_reasons.get("no_contact", 0) + 1
                continue
            to = address_for(patient, channel)
            assert to is not None
            delivered = await self._notifier.deliver(
                Notification(
                    id=delivery.id,
                    organization_id=reminder.organization_id,
                    channel=channel,
                    to=to,
                    subject=SUBJECT,
                    text=message_text(reminder, occurrence_at),
                    kind="health.reminder",
                )
            )
            if delivered:
                run.sent += 1
            else:
                run.already_sent += 1
            await uow.audit.record(
                AuditEntry(
                    organization_id=reminder.organization_id,
                    action="health_reminder.sent",
                    outcome=Outcome.SUCCESS,
                    actor_type=ActorType.SYSTEM,
                    resource_type="health_reminder",
                    resource_id=reminder.id,
                    patient_id=reminder.patient_id,
                    details={
                        "channel": channel.value,
                        "occurrence_at": occurrence_at.astimezone(UTC).isoformat(),
                        "notification_id": str(delivery.id),
                        "redelivery": not delivered,
                    },
                )
            )
        reminder.processed(due.latest, now)
        if reminder.next_due_at is None:
            run.ended += 1
        await uow.health_reminders.save(reminder)
