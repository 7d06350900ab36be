"""CancelHealthReminder: stop a health reminder (kept, marked cancelled)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.clinical.access import reach_clinical_patient
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.health_reminder import HealthReminder
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelHealthReminderCommand:
    patient_id: UUID
    reminder_id: UUID
    expected_version: int | None = None


class CancelHealthReminder:
    """Staff need ``health_metrics:write``; a patient cancels their own. No occurrence is
    sent after it; the reminder and what it sent stay on record. Cancelling twice answers
    409 ``health_reminder.cancelled``."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: CancelHealthReminderCommand) -> Result[HealthReminder, DomainError]:
        async with self._uow() as uow:
            reached = await reach_clinical_patient(
                uow,
                actor,
                command.patient_id,
                (Permission.HEALTH_METRICS_WRITE,),
                action="health_reminder.cancel",
                resource_type="health_reminder",
            )
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            reminder = await uow.health_reminders.get(
                actor.organization_id, command.patient_id, command.reminder_id, lock=True
            )
            if reminder is None:
                return Failure(not_found("health_reminder"))
            if command.expected_version is not None and command.expected_version != reminder.version:
                return Failure(version_mismatch("health_reminder"))
            cancelled = reminder.cancel(actor.id, self._clock.now())
            if isinstance(cancelled, Failure):
                return Failure(cancelled.failure())
            if not await uow.health_reminders.save(reminder):
                return Failure(version_mismatch("health_reminder"))
            await uow.audit.record(
                actor.audit(
                    "health_reminder.cancel",
                    resource_type="health_reminder",
                    resource_id=reminder.id,
                    patient_id=command.patient_id,
                    details=reached.unwrap().details(),
                )
            )
            await uow.commit()
            return Success(reminder)
