"""ListConsultationTemplates: the organization's templates."""

from __future__ import annotations

from returns.result import Failure, Result

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.template import ConsultationTemplate
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListConsultationTemplates:
    """Needs ``consultations:read``. Filter ``active``; by name unless sorted."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[ConsultationTemplate], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.CONSULTATIONS_READ,
                action="consultation_template.list",
                resource_type="consultation_template",
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            return await uow.consultation_templates.list(actor.organization_id, query)
