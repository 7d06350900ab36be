"""GetConsultationTemplate: one template of the organization."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.template import ConsultationTemplate
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found


class GetConsultationTemplate:
    """Needs ``consultations:read``."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, template_id: UUID) -> Result[ConsultationTemplate, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.CONSULTATIONS_READ,
                action="consultation_template.read",
                resource_type="consultation_template",
                resource_id=template_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            template = await uow.consultation_templates.get(actor.organization_id, template_id)
            if template is None:
                return Failure(not_found("consultation_template"))
            return Success(template)
