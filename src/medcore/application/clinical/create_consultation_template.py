"""CreateConsultationTemplate: a template for the organization's consultations."""

from __future__ import annotations

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.template import ConsultationTemplate, TemplateChanges
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock, IdGenerator


class CreateConsultationTemplate:
    """Needs ``consultations:write``. A name (unique in the organization, case aside) and
    1-30 sections, each with a key (``subjective``, ``family_history``...), a title, a
    default text and whether it is required before signing."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, changes: TemplateChanges) -> Result[ConsultationTemplate, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.CONSULTATIONS_WRITE,
                action="consultation_template.create",
                resource_type="consultation_template",
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            created = ConsultationTemplate.create(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                changes=changes,
                created_by=actor.id,
                now=self._clock.now(),
            )
            if isinstance(created, Failure):
                return created
            template = created.unwrap()
            await uow.consultation_templates.add(template)
            await uow.audit.record(
                actor.audit(
                    "consultation_template.create",
                    resource_type="consultation_template",
                    resource_id=template.id,
                    details={"sections": len(template.sections)},
                )
            )
            await uow.commit()
            return Success(template)
