"""RequestPatientExport: a patient's data, as an archive to download."""

from __future__ import annotations

import asyncio
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.gdpr.archive import build_archive
from medcore.application.gdpr.dossier import export_members
from medcore.application.patients.access import reach_patient
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.gdpr.export import GdprExport, export_blob_key
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.blobs import BlobStore
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock, IdGenerator

ACTION = "patient.export.create"


class RequestPatientExport:
    """Gathers every record about the patient (demographics, the versioned medical history,
    appointments, waitlist entries, consultations, measurements, prescriptions, reminders,
    the portal account and its sessions, the audit trail of the record) into a zip: one
    JSON document per record type, a FHIR R4 Bundle, a README and a manifest with the
    SHA-256 of every member. The archive is kept 7 days in the blob store; fetch it with
    the export's download link.

    The patient asks for their own record (``patient_record:own``; another id answers 404);
    staff need ``patients:export`` (owners, practitioners, nurses). The patient's own export
    leaves out unsigned drafts, as the portal does. Generated at once (well under a second
    for a typical record). Audited."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, blobs: BlobStore) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._blobs = blobs

    async def execute(self, actor: Actor, patient_id: UUID) -> Result[GdprExport, DomainError]:
        async with self._uow() as uow:
            reached = await reach_patient(uow, actor, patient_id, Permission.PATIENTS_EXPORT, action=ACTION)
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            access = reached.unwrap()
            now = self._clock.now()
            export_id = self._ids.new_id()
            members = await export_members(
                uow, actor.organization_id, patient_id, for_patient=access.as_patient, generated_at=now
            )
            archive = await asyncio.to_thread(
                build_archive, members, export_id=export_id, patient_id=patient_id, generated_at=now
            )
            key = export_blob_key(actor.organization_id, export_id)
            await self._blobs.put(key, archive.data, "application/zip")
            export = GdprExport.ready(
                id=export_id,
                organization_id=actor.organization_id,
                patient_id=patient_id,
                requested_by_type=actor.actor_type.value,
                requested_by=actor.id,
                blob_key=key,
                size_bytes=len(archive.data),
                sha256=archive.sha256,
                members=archive.members,
                now=now,
            )
            await uow.gdpr_exports.add(export)
            await uow.audit.record(
                actor.audit(
                    ACTION,
                    resource_type="gdpr_export",
                    resource_id=export_id,
                    patient_id=patient_id,
                    details={**access.details(), "members": archive.members, "size_bytes": len(archive.data)},
                )
            )
            await uow.commit()
            return Success(export)
