"""Scheduling an appointment's reminders when it is booked (sending is a batch job)."""

from __future__ import annotations

from collections.abc import Sequence

from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.notifications.ports import Channel
from medcore.domain.patients.patient import Patient
from medcore.domain.scheduling.appointment import Appointment
from medcore.domain.scheduling.policy import SchedulingPolicy
from medcore.domain.scheduling.reminder import Reminder, reminder_times
from medcore.domain.shared.ports import Clock, IdGenerator


def reminder_channel(patient: Patient) -> Channel | None:
    """The patient's preferred channel, if they can be reached on it."""
    preferred = str(getattr(patient.preferred_channel, "value", patient.preferred_channel))
    if preferred == "sms" and patient.phone:
        return Channel.SMS
    if preferred == "email" and patient.email:
        return Channel.EMAIL
    return None


async def schedule_reminders(
    uow: UnitOfWork,
    appointments: Sequence[Appointment],
    patient: Patient,
    policy: SchedulingPolicy,
    clock: Clock,
    ids: IdGenerator,
) -> int:
    channel = reminder_channel(patient)
    if channel is None:
        return 0
    now = clock.now()
    reminders = [
        Reminder(
            id=ids.new_id(),
            organization_id=appointment.organization_id,
            appointment_id=appointment.id,
            due_at=due,
            channel=channel,
            created_at=now,
            updated_at=now,
        )
        for appointment in appointments
        for due in reminder_times(appointment.starts_at, policy.reminder_offsets_minutes, now)
    ]
    if reminders:
        await uow.reminders.add_many(reminders)
    return len(reminders)
