"""GetPrescriptionTemplate: one prescription template."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.templates import RESOURCE
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.template import PrescriptionTemplate
from medcore.domain.shared.errors import DomainError, not_found


class GetPrescriptionTemplate:
    """Needs ``prescriptions:read``."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, template_id: UUID) -> Result[PrescriptionTemplate, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.PRESCRIPTIONS_READ,
                action="prescription_template.read",
                resource_type=RESOURCE,
                resource_id=template_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            template = await uow.prescription_templates.get(actor.organization_id, template_id)
            if template is None:
                return Failure(not_found(RESOURCE))
            return Success(template)
