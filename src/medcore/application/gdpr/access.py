"""Who reaches a patient's exports: who may request them (the patient, or staff with
``patients:export``); another patient's export answers 404."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import reach_patient
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.gdpr.export import GdprExport
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found


async def reach_export(
    uow: UnitOfWork, actor: Actor, patient_id: UUID, export_id: UUID, action: str
) -> Result[tuple[GdprExport, dict[str, str | int | bool | None]], DomainError]:
    reached = await reach_patient(
        uow, actor, patient_id, Permission.PATIENTS_EXPORT, action=action, resource_type="gdpr_export"
    )
    if isinstance(reached, Failure):
        return Failure(reached.failure())
    export = await uow.gdpr_exports.get(actor.organization_id, patient_id, export_id)
    if export is None:
        return Failure(not_found("gdpr_export"))
    return Success((export, reached.unwrap().details()))
