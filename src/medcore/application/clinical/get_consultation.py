"""GetConsultation: one consultation, with its addenda."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.clinical.access import clinical_scope, visible_consultation
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.consultation import Consultation
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError


class GetConsultation:
    """Staff need ``consultations:read``. A patient reads their own signed consultations
    only: a draft, or another patient's consultation, is not found. Each read is audited."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, consultation_id: UUID) -> Result[Consultation, DomainError]:
        async with self._uow() as uow:
            scope = await clinical_scope(
                uow,
                actor,
                (Permission.CONSULTATIONS_READ,),
                action="consultation.read",
                resource_type="consultation",
                resource_id=consultation_id,
            )
            if isinstance(scope, Failure):
                return Failure(scope.failure())
            found = await visible_consultation(uow, actor, scope.unwrap(), consultation_id)
            if isinstance(found, Failure):
                return found
            consultation = found.unwrap()
            await uow.audit.record(
                actor.audit(
                    "consultation.read",
                    resource_type="consultation",
                    resource_id=consultation.id,
                    patient_id=consultation.patient_id,
                    details={"status": consultation.status.value, **scope.unwrap().details()},
                )
            )
            await uow.commit()
            return Success(consultation)
