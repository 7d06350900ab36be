"""GetPatientExport: an export's status and metadata."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.gdpr.access import reach_export
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.gdpr.export import GdprExport
from medcore.domain.shared.errors import DomainError


class GetPatientExport:
    """An export's status and metadata (size, SHA-256 of the archive, expiry). Who may
    request an export may read it; another patient's export answers 404. Audited."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, patient_id: UUID, export_id: UUID) -> Result[GdprExport, DomainError]:
        async with self._uow() as uow:
            reached = await reach_export(uow, actor, patient_id, export_id, "patient.export.read")
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            export, details = reached.unwrap()
            await uow.audit.record(
                actor.audit(
                    "patient.export.read",
                    resource_type="gdpr_export",
                    resource_id=export_id,
                    patient_id=patient_id,
                    details=details,
                )
            )
            await uow.commit()
            return Success(export)
