"""PrescribeFromTemplate: a draft for a patient, starting from a template."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE
from medcore.application.prescribing.drafting import (
    PrescriptionView,
    check_consultation,
    check_notes,
    open_draft,
    prescriber,
)
from medcore.application.prescribing.templates import RESOURCE as TEMPLATE
from medcore.application.prescribing.templates import check_owner
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.shared.errors import DomainError, invalid, not_found
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class PrescribeFromTemplateCommand:
    template_id: UUID
    patient_id: UUID
    consultation_id: UUID | None = None
    notes: str | None = None  # replaces the template's notes when given


class PrescribeFromTemplate:
    """Needs ``prescriptions:write``. The draft has the template's items (and notes, unless
    others are given) and its practitioner as prescriber; it is checked against the
    patient's record like any draft and answered with its findings."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, formulary: Formulary) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._formulary = formulary

    async def execute(
        self, actor: Actor, command: PrescribeFromTemplateCommand
    ) -> Result[PrescriptionView, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.PRESCRIPTIONS_WRITE, action="prescription.create", resource_type=RESOURCE
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            notes = check_notes(command.notes)
            if isinstance(notes, Failure):
                return Failure(invalid("validation_failed", "Some fields are not valid.", notes.failure()))
            template = await uow.prescription_templates.get(actor.organization_id, command.template_id)
            if template is None:
                return Failure(not_found(TEMPLATE))
            owned = await check_owner(uow, actor, template)
            if isinstance(owned, Failure):
                return Failure(owned.failure())
            patient = await uow.patients.get(actor.organization_id, command.patient_id)
            if patient is None:
                return Failure(not_found("patient"))
            practitioner = await prescriber(uow, actor, template.practitioner_id)
            if isinstance(practitioner, Failure):
                return Failure(practitioner.failure())
            linked = await check_consultation(uow, actor, command.consultation_id, patient.id)
            if isinstance(linked, Failure):
                return Failure(linked.failure())
            view = await open_draft(
                uow,
                actor,
                self._clock,
                self._ids,
                self._formulary,
                patient=patient,
                practitioner=practitioner.unwrap(),
                items=list(template.items),
                notes=notes.unwrap() if command.notes is not None else template.notes,
                consultation_id=command.consultation_id,
                action="prescription.create",
                details={"template_id": str(template.id)},
            )
            return Success(view)
