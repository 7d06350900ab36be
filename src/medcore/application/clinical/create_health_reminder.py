"""CreateHealthReminder: remind a patient of something at set times ("take X at 08:00")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.clinical.access import patient_zone, reach_clinical_patient
from medcore.application.clinical.reminder_channels import channel_for
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.health_reminder import HealthReminder, HealthReminderStatus, ReminderInput, parse_schedule
from medcore.domain.identity.permissions import Permission
from medcore.domain.notifications.ports import Channel
from medcore.domain.shared.errors import DomainError, field_invalid
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateHealthReminderCommand:
    patient_id: UUID
    text: str
    times: tuple[str, ...]
    starts_on: date
    days: tuple[int, ...] = ()
    ends_on: date | None = None
    channel: Channel | None = None


class CreateHealthReminder:
    """Staff need ``health_metrics:write``; a patient sets reminders on their own record.
    ``times`` are local ``HH:MM`` in the patient's time zone (UTC when the record has none,
    kept with the reminder), on ``days`` (ISO weekdays, every day when left out), from
    ``starts_on`` to ``ends_on`` included. The reminder goes by ``channel``, else by the
    patient's preferred channel, to the patient's own email or phone; the patient must be
    reachable on it. A reminder that could never fire again is refused."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: CreateHealthReminderCommand) -> Result[HealthReminder, DomainError]:
        async with self._uow() as uow:
            reached = await reach_clinical_patient(
                uow,
                actor,
                command.patient_id,
                (Permission.HEALTH_METRICS_WRITE,),
                action="health_reminder.create",
                resource_type="health_reminder",
            )
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            access = reached.unwrap()
            patient = access.patient
            parsed = parse_schedule(
                ReminderInput(
                    text=command.text,
                    times=command.times,
                    weekdays=command.days,
                    starts_on=command.starts_on,
                    ends_on=command.ends_on,
                ),
                patient_zone(patient),
            )
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            if channel_for(patient, command.channel) is None:
                return Failure(
                    field_invalid(
                        "channel",
                        "The patient cannot be reached this way: record their email or phone, or choose "
                        "email or sms explicitly.",
                    )
                )
            text, schedule = parsed.unwrap()
            reminder = HealthReminder.create(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                patient_id=patient.id,
                text=text,
                schedule=schedule,
                channel=command.channel,
                created_by_type=actor.actor_type,
                created_by=actor.id,
                now=self._clock.now(),
            )
            if reminder.status is HealthReminderStatus.ENDED:
                return Failure(field_invalid("ends_on", "Every occurrence of this reminder is already past."))
            await uow.health_reminders.add(reminder)
            await uow.audit.record(
                actor.audit(
                    "health_reminder.create",
                    resource_type="health_reminder",
                    resource_id=reminder.id,
                    patient_id=patient.id,
                    details={
                        "times": len(schedule.times),
                        "channel": command.channel.value if command.channel else None,
                        **access.details(),
                    },
                )
            )
            await uow.commit()
            return Success(reminder)
