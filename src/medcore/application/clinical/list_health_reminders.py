"""ListHealthReminders: a patient's health reminders."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.clinical.access import reach_clinical_patient
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.health_reminder import HealthReminder
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListHealthReminders:
    """Staff need ``health_metrics:read``; a patient lists their own. Deleted ones are
    included (filter ``status=active`` for those that will fire). Each read is audited."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(
        self, actor: Actor, patient_id: UUID, query: ListQuery
    ) -> Result[Page[HealthReminder], DomainError]:
        async with self._uow() as uow:
            reached = await reach_clinical_patient(
                uow,
                actor,
                patient_id,
                (Permission.HEALTH_METRICS_READ,),
                action="health_reminder.list",
                resource_type="health_reminder",
            )
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            listed = await uow.health_reminders.list(actor.organization_id, patient_id, query)
            if isinstance(listed, Failure):
                return listed
            page = listed.unwrap()
            await uow.audit.record(
                actor.audit(
                    "health_reminder.list",
                    resource_type="patient",
                    resource_id=patient_id,
                    patient_id=patient_id,
                    details={"count": len(page.items), **reached.unwrap().details()},
                )
            )
            await uow.commit()
            return Success(page)
