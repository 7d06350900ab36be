"""SignConsultation: sign a draft; from then on it never changes."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.clinical.access import deny_signature, may_sign
from medcore.application.clinical.vitals_history import record_vitals
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.consultation import Consultation
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class SignConsultationCommand:
    consultation_id: UUID
    expected_version: int | None = None


class SignConsultation:
    """Needs ``consultations:sign``, and to be the author: the practitioner linked to the
    signing account (or an owner) — anyone else gets 403 ``consultation.not_author``.
    Every required section must hold text (422 ``consultation.required_sections_missing``
    naming each empty one); a signed consultation answers 409 ``consultation.signed``.
    Signing records the vitals in the patient's medical history as measurements (each with
    its version and audit event), in the same transaction."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: SignConsultationCommand) -> Result[Consultation, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.CONSULTATIONS_SIGN,
                action="consultation.sign",
                resource_type="consultation",
                resource_id=command.consultation_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            consultation = await uow.consultations.get(actor.organization_id, command.consultation_id, lock=True)
            if consultation is None:
                return Failure(not_found("consultation"))
            author = await uow.practitioners.get(actor.organization_id, consultation.practitioner_id)
            if not may_sign(actor, author):
                return await deny_signature(uow, actor, consultation)
            if command.expected_version is not None and command.expected_version != consultation.version:
                return Failure(version_mismatch("consultation"))
            # The patient's lock numbers the history versions the vitals add, in order.
            if await uow.patients.get(actor.organization_id, consultation.patient_id, lock=True) is None:
                return Failure(not_found("patient"))
            now = self._clock.now()
            signed = consultation.sign(actor.id, now)
            if isinstance(signed, Failure):
                return Failure(signed.failure())
            if not await uow.consultations.save(consultation):
                return Failure(version_mismatch("consultation"))
            measurements = await record_vitals(uow, self._ids, actor, consultation, now)
            await uow.audit.record(
                actor.audit(
                    "consultation.sign",
                    resource_type="consultation",
                    resource_id=consultation.id,
                    patient_id=consultation.patient_id,
                    details={"measurements_recorded": len(measurements), "diagnoses": len(consultation.diagnoses)},
                )
            )
            await uow.commit()
            return Success(consultation)
