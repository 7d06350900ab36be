"""CreatePrescription: a draft for a patient, with its findings."""

from __future__ import annotations

from collections.abc import Sequence
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
from medcore.application.prescribing.items import ItemInput, parse_items
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.shared.errors import DomainError, invalid, not_found
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePrescriptionCommand:
    patient_id: UUID
    prescriber_id: UUID
    items: Sequence[ItemInput]
    consultation_id: UUID | None = None
    notes: str | None = None


class CreatePrescription:
    """Needs ``prescriptions:write`` (practitioners and nurses). The prescriber is an active
    practitioner of the organization; a practitioner's own account prescribes as itself.
    The draft is checked at once against the patient's record (allergies, conditions,
    medications, measurements) and the prescriber: the answer carries the findings, and
    nothing blocks a draft; errors and unacknowledged warnings block signing."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, formulary: Formulary) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._formulary = formulary

    async def execute(self, actor: Actor, command: CreatePrescriptionCommand) -> Result[PrescriptionView, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.PRESCRIPTIONS_WRITE, action="prescription.create", resource_type=RESOURCE
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            items = parse_items(command.items)
            notes = check_notes(command.notes)
            if isinstance(items, Failure) or isinstance(notes, Failure):
                fields = [*(items.failure().fields if isinstance(items, Failure) else ())]
                if isinstance(notes, Failure):
                    fields.append(notes.failure())
                return Failure(invalid("validation_failed", "Some fields are not valid.", *fields))
            patient = await uow.patients.get(actor.organization_id, command.patient_id)
            if patient is None:
                return Failure(not_found("patient"))
            practitioner = await prescriber(uow, actor, command.prescriber_id)
            if isinstance(practitioner, Failure):
                return Failure(practitioner.failure())
            linked = await check_consultation(uow, actor, command.consultation_id, patient.id)
            if isinstance(linked, Failure):
                return Failure(linked.failure())
            draft = await open_draft(
                uow,
                actor,
                self._clock,
                self._ids,
                self._formulary,
                patient=patient,
                practitioner=practitioner.unwrap(),
                items=items.unwrap(),
                notes=notes.unwrap(),
                consultation_id=command.consultation_id,
                action="prescription.create",
            )
            return Success(draft)
