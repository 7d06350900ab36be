"""DeletePrescriptionTemplate: remove a template (prescriptions made from it stay)."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.templates import RESOURCE, check_owner
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found


class DeletePrescriptionTemplate:
    """Needs ``prescriptions:write``; a prescribing practitioner deletes only their own
    templates (403 ``prescription_template.not_yours``). A template holds no patient data,
    so the deletion is real; prescriptions started from it are unaffected."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, template_id: UUID) -> Result[None, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.PRESCRIPTIONS_WRITE,
                action="prescription_template.delete",
                resource_type=RESOURCE,
                resource_id=template_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            template = await uow.prescription_templates.get(actor.organization_id, template_id)
            if template is None:
                return Failure(not_found(RESOURCE))
            owned = await check_owner(uow, actor, template)
            if isinstance(owned, Failure):
                return owned
            await uow.prescription_templates.delete(actor.organization_id, template_id)
            await uow.audit.record(
                actor.audit(
                    "prescription_template.delete",
                    resource_type=RESOURCE,
                    resource_id=template_id,
                    details={"practitioner_id": str(template.practitioner_id)},
                )
            )
            await uow.commit()
            return Success(None)
