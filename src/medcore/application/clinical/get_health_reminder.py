"""GetHealthReminder: one health reminder of a patient."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.clinical.access import reach_clinical_patient
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.health_reminder import HealthReminder
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found


class GetHealthReminder:
    """Staff need ``health_metrics:read``; a patient reads their own. Audited."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, patient_id: UUID, reminder_id: UUID) -> Result[HealthReminder, DomainError]:
        async with self._uow() as uow:
            reached = await reach_clinical_patient(
                uow,
                actor,
                patient_id,
                (Permission.HEALTH_METRICS_READ,),
                action="health_reminder.read",
                resource_type="health_reminder",
            )
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            reminder = await uow.health_reminders.get(actor.organization_id, patient_id, reminder_id)
            if reminder is None:
                return Failure(not_found("health_reminder"))
            await uow.audit.record(
                actor.audit(
                    "health_reminder.read",
                    resource_type="health_reminder",
                    resource_id=reminder.id,
                    patient_id=patient_id,
                    details=reached.unwrap().details(),
                )
            )
            await uow.commit()
            return Success(reminder)
