"""ListPatientPrescriptions: a patient's prescriptions, newest first."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import deny
from medcore.application.prescribing.access import RESOURCE, read_scope
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.prescribing.prescription import Prescription
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.listing import ListQuery, Page

ACTION = "prescription.list"


class ListPatientPrescriptions:
    """Staff with ``prescriptions:read`` list any patient's prescriptions, drafts included; a
    patient lists their own, once signed (another patient's list answers 404, as an
    unknown patient). Filters: ``status``, ``prescriber_id``; sort by ``created_at``
    (default newest first) or ``signed_at``."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(
        self, actor: Actor, patient_id: UUID, query: ListQuery
    ) -> Result[Page[Prescription], DomainError]:
        async with self._uow() as uow:
            scoped = await read_scope(uow, actor, action=ACTION)
            if isinstance(scoped, Failure):
                return Failure(scoped.failure())
            scope = scoped.unwrap()
            if scope.is_patient and scope.patient_id != patient_id:
                await deny(uow, actor, ACTION, resource_type="patient", resource_id=patient_id, reason="not_own_record")
                return Failure(not_found("patient"))
            if not scope.is_patient and await uow.patients.get(actor.organization_id, patient_id) is None:
                return Failure(not_found("patient"))
            listed = await uow.prescriptions.list_for_patient(
                actor.organization_id, patient_id, query, signed_only=scope.is_patient
            )
            if isinstance(listed, Failure):
                return listed
            page = listed.unwrap()
            await uow.audit.record(
                actor.audit(
                    ACTION,
                    resource_type="patient",
                    resource_id=patient_id,
                    patient_id=patient_id,
                    details={"count": len(page.items), "resource": RESOURCE, **scope.details()},
                )
            )
            await uow.commit()
            return Success(page)
