"""CreatePrescriptionTemplate: keep a practitioner's usual prescription under a name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import own_practitioner
from medcore.application.prescribing.drafting import check_notes, prescriber
from medcore.application.prescribing.items import ItemInput, parse_items
from medcore.application.prescribing.templates import RESOURCE
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.template import PrescriptionTemplate
from medcore.domain.shared.errors import DomainError, FieldIssue, field_invalid, invalid
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePrescriptionTemplateCommand:
    name: str
    items: Sequence[ItemInput]
    practitioner_id: UUID | None = None  # defaults to the actor's own practitioner
    notes: str | None = None


class CreatePrescriptionTemplate:
    """Needs ``prescriptions:write``. A template belongs to one practitioner (by default the
    actor's own); its name is unique for that practitioner, regardless of case (409
    ``prescription_template.name_taken``). Items are checked as a prescription's."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(
        self, actor: Actor, command: CreatePrescriptionTemplateCommand
    ) -> Result[PrescriptionTemplate, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.PRESCRIPTIONS_WRITE,
                action="prescription_template.create",
                resource_type=RESOURCE,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            practitioner_id = command.practitioner_id
            if practitioner_id is None:
                own = await own_practitioner(uow, actor)
                if own is None:
                    return Failure(field_invalid("practitioner_id", "Say whose template this is."))
                practitioner_id = own.id
            issues: list[FieldIssue] = []
            items = parse_items(command.items)
            if isinstance(items, Failure):
                issues.extend(items.failure().fields)
            notes = check_notes(command.notes)
            if isinstance(notes, Failure):
                issues.append(notes.failure())
            if issues:
                return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
            practitioner = await prescriber(uow, actor, practitioner_id)
            if isinstance(practitioner, Failure):
                error = practitioner.failure()
                fields = tuple(FieldIssue("practitioner_id", f.message) for f in error.fields)
                return Failure(invalid(error.code, error.message, *fields) if fields else error)
            created = PrescriptionTemplate.create(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                practitioner_id=practitioner_id,
                name=command.name,
                items=items.unwrap(),
                notes=notes.unwrap(),
                created_by=actor.id,
                now=self._clock.now(),
            )
            if isinstance(created, Failure):
                return created
            template = created.unwrap()
            await uow.prescription_templates.add(template)
            await uow.audit.record(
                actor.audit(
                    "prescription_template.create",
                    resource_type=RESOURCE,
                    resource_id=template.id,
                    details={"practitioner_id": str(practitioner_id), "items": len(template.items)},
                )
            )
            await uow.commit()
            return Success(template)
