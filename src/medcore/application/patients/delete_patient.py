"""DeletePatient: soft-delete a patient record."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.recording import record_version
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.versions import VersionAction, VersionedResource
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock, IdGenerator


class DeletePatient:
    """Needs ``patients:write``. The record is marked deleted, not erased: it is no longer
    found (404 afterwards), its history stays, its MRN is not given again, and the linked
    account may be linked to a new record. Erasure is a compliance operation."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(
        self, actor: Actor, patient_id: UUID, expected_version: int | None = None
    ) -> Result[None, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.PATIENTS_WRITE,
                action="patient.delete",
                resource_type="patient",
                resource_id=patient_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            patient = await uow.patients.get(actor.organization_id, patient_id, lock=True)
            if patient is None:
                return Failure(not_found("patient"))
            if expected_version is not None and expected_version != patient.version:
                return Failure(version_mismatch("patient"))
            now = self._clock.now()
            deleted = patient.delete(now)
            if isinstance(deleted, Failure):
                return Failure(deleted.failure())
            if not await uow.patients.save(patient):
                return Failure(version_mismatch("patient"))
            await record_version(
                uow,
                self._ids,
                actor,
                patient_id=patient.id,
                resource_type=VersionedResource.PATIENT,
                resource_id=patient.id,
                action=VersionAction.DELETE,
                changed_fields=("deleted_at",),
                snapshot=patient.snapshot(),
                now=now,
            )
            await uow.audit.record(
                actor.audit("patient.delete", resource_type="patient", resource_id=patient.id, patient_id=patient.id)
            )
            await uow.commit()
            return Success(None)
