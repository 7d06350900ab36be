"""DownloadPatientExport: the archive of an export."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.gdpr.access import reach_export
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.gdpr.export import GdprExport
from medcore.domain.shared.blobs import BlobStore
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class DownloadedExport:
    export: GdprExport
    data: bytes


class DownloadPatientExport:
    """The archive (a zip) while the export has not expired (409 ``gdpr_export.expired``
    after). Every download is audited."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, blobs: BlobStore) -> None:
        self._uow = uow
        self._clock = clock
        self._blobs = blobs

    async def execute(self, actor: Actor, patient_id: UUID, export_id: UUID) -> Result[DownloadedExport, DomainError]:
        async with self._uow() as uow:
            reached = await reach_export(uow, actor, patient_id, export_id, "patient.export.download")
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            export, details = reached.unwrap()
            key = export.downloadable(self._clock.now())
            if isinstance(key, Failure):
                return Failure(key.failure())
            data = await self._blobs.get(key.unwrap())
            if data is None:
                return Failure(not_found("gdpr_export"))
            await uow.audit.record(
                actor.audit(
                    "patient.export.download",
                    resource_type="gdpr_export",
                    resource_id=export_id,
                    patient_id=patient_id,
                    details={**details, "size_bytes": len(data)},
                )
            )
            await uow.commit()
            return Success(DownloadedExport(export, data))
