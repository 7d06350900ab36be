"""UpdateConsultation: change a draft consultation."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.clinical.linking import check_links
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.consultation import CONSULTATION_SIGNED, Consultation, ConsultationChanges
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.changes import UNCHANGED
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateConsultationCommand:
    consultation_id: UUID
    changes: ConsultationChanges
    expected_version: int | None = None


class UpdateConsultation:
    """Merge changes into a draft (``consultations:write``): ``notes`` by section key,
    ``vitals`` by field (``null`` clears one, or all), ``diagnoses`` and
    ``prescription_ids`` replaced whole. A signed consultation answers 409
    ``consultation.signed``: correct it with an addendum. With ``expected_version`` (from
    ``If-Match``) the change applies only to the version the caller read (412 otherwise)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: UpdateConsultationCommand) -> Result[Consultation, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.CONSULTATIONS_WRITE,
                action="consultation.update",
                resource_type="consultation",
                resource_id=command.consultation_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            consultation = await uow.consultations.get(actor.organization_id, command.consultation_id, lock=True)
            if consultation is None:
                return Failure(not_found("consultation"))
            if command.expected_version is not None and command.expected_version != consultation.version:
                return Failure(version_mismatch("consultation"))
            if consultation.signed:
                return Failure(CONSULTATION_SIGNED)
            linked = command.changes.prescription_ids
            if linked is not UNCHANGED and linked:
                checked = await check_links(uow, actor.organization_id, consultation.patient_id, linked)
                if isinstance(checked, Failure):
                    return Failure(checked.failure())
            revised = consultation.revise(command.changes, self._clock.now())
            if isinstance(revised, Failure):
                return Failure(revised.failure())
            changed = revised.unwrap()
            if changed and not await uow.consultations.save(consultation):
                return Failure(version_mismatch("consultation"))
            await uow.audit.record(
                actor.audit(
                    "consultation.update",
                    resource_type="consultation",
                    resource_id=consultation.id,
                    patient_id=consultation.patient_id,
                    details={"fields": ",".join(changed)},
                )
            )
            await uow.commit()
            return Success(consultation)
