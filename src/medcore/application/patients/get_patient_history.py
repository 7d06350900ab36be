"""GetPatientHistory: the versions of a patient record, who changed what and when."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import deny, portal_policy, reach_patient
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.versions import PatientVersion, VersionedResource
from medcore.domain.shared.errors import DomainError, forbidden
from medcore.domain.shared.listing import ListQuery, Page

MEDICAL_VERSIONS_HIDDEN = forbidden(
    "patient.history_hidden", "You may see the versions of the demographics only, not of the medical history."
)


class GetPatientHistory:
    """Every change to the record, oldest first: the demographics and each history entry,
    with the fields changed, the state after the change, who made it and when. Staff with
    ``medical_history:read`` see all of it; staff with ``patients:read`` only (reception)
    see the versions of the demographics; a patient sees their own, the medical part where
    the organization shows the history to patients. Filters: ``resource_type``,
    ``resource_id``."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(
        self, actor: Actor, patient_id: UUID, query: ListQuery
    ) -> Result[Page[PatientVersion], DomainError]:
        clinical = actor.can(Permission.MEDICAL_HISTORY_READ)
        staff_permission = Permission.MEDICAL_HISTORY_READ if clinical else Permission.PATIENTS_READ
        async with self._uow() as uow:
            reached = await reach_patient(uow, actor, patient_id, staff_permission, action="patient.history.read")
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            access = reached.unwrap()
            if access.as_patient:
                clinical = (await portal_policy(uow, actor)).history_visible
            visible = frozenset(VersionedResource) if clinical else frozenset({VersionedResource.PATIENT})
            asked = query.filters.get("resource_type")
            if asked is not None and asked not in visible:
                await deny(
                    uow,
                    actor,
                    "patient.history.read",
                    resource_type="patient",
                    resource_id=patient_id,
                    patient_id=patient_id,
                    reason="medical_history_not_visible",
                )
                return Failure(MEDICAL_VERSIONS_HIDDEN)
            listed = await uow.medical_history.versions(
                actor.organization_id, patient_id, query, resource_types=None if clinical else visible
            )
            if isinstance(listed, Failure):
                return listed
            page = listed.unwrap()
            await uow.audit.record(
                actor.audit(
                    "patient.history.read",
                    resource_type="patient",
                    resource_id=patient_id,
                    patient_id=patient_id,
                    details={"count": len(page.items), "medical": clinical, **access.details()},
                )
            )
            await uow.commit()
            return Success(page)
