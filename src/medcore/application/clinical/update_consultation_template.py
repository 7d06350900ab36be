"""UpdateConsultationTemplate: rename, rewrite the sections, retire or reactivate."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.template import ConsultationTemplate, TemplateChanges
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateTemplateCommand:
    template_id: UUID
    changes: TemplateChanges
    expected_version: int | None = None


class UpdateConsultationTemplate:
    """Needs ``consultations:write``. Merge semantics; ``sections`` are replaced whole.
    Consultations already opened from the template keep the sections they were opened
    with; a retired template (``active: false``) opens no new consultation."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: UpdateTemplateCommand) -> Result[ConsultationTemplate, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.CONSULTATIONS_WRITE,
                action="consultation_template.update",
                resource_type="consultation_template",
                resource_id=command.template_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            template = await uow.consultation_templates.get(actor.organization_id, command.template_id, lock=True)
            if template is None:
                return Failure(not_found("consultation_template"))
            if command.expected_version is not None and command.expected_version != template.version:
                return Failure(version_mismatch("consultation_template"))
            changed = template.change(command.changes, self._clock.now())
            if isinstance(changed, Failure):
                return Failure(changed.failure())
            if changed.unwrap() and not await uow.consultation_templates.save(template):
                return Failure(version_mismatch("consultation_template"))
            await uow.audit.record(
                actor.audit(
                    "consultation_template.update",
                    resource_type="consultation_template",
                    resource_id=template.id,
                    details={"fields": ",".join(changed.unwrap())},
                )
            )
            await uow.commit()
            return Success(template)
