"""ListPrescriptionTemplates: the organization's prescription templates."""

from __future__ import annotations

from returns.result import Failure, Result

from medcore.application.prescribing.templates import RESOURCE
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.template import PrescriptionTemplate
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListPrescriptionTemplates:
    """Needs ``prescriptions:read``. Filter ``practitioner_id``; sort by ``name`` (default)
    or ``created_at``."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, query: ListQuery) -> Result[Page[PrescriptionTemplate], DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.PRESCRIPTIONS_READ, action="prescription_template.list", resource_type=RESOURCE
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            return await uow.prescription_templates.list(actor.organization_id, query)
