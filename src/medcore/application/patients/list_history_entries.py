"""ListHistoryEntries: the allergies, conditions, medications or measurements of a patient."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import HISTORY_HIDDEN_FROM_PATIENTS, deny, portal_policy, reach_patient
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.history import AnyEntry, EntryKind
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ListHistoryEntries:
    """Entries of one kind, ended ones included (filter ``status=active`` for what is in
    force). Staff need ``medical_history:read`` (receptionists do not have it); a patient
    reads their own where the organization shows the history to patients
    (``settings.patients.history_visible``). Each read is audited."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(
        self, actor: Actor, patient_id: UUID, kind: EntryKind, query: ListQuery
    ) -> Result[Page[AnyEntry], DomainError]:
        action = f"{kind}.list"
        async with self._uow() as uow:
            reached = await reach_patient(
                uow, actor, patient_id, Permission.MEDICAL_HISTORY_READ, action=action, resource_type=kind.value
            )
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            access = reached.unwrap()
            if access.as_patient and not (await portal_policy(uow, actor)).history_visible:
                await deny(
                    uow,
                    actor,
                    action,
                    resource_type="patient",
                    resource_id=patient_id,
                    patient_id=patient_id,
                    reason="history_hidden",
                )
                return Failure(HISTORY_HIDDEN_FROM_PATIENTS)
            listed = await uow.medical_history.list(actor.organization_id, patient_id, kind, query)
            if isinstance(listed, Failure):
                return listed
            page = listed.unwrap()
            await uow.audit.record(
                actor.audit(
                    action,
                    resource_type="patient",
                    resource_id=patient_id,
                    patient_id=patient_id,
                    details={"count": len(page.items), **access.details()},
                )
            )
            await uow.commit()
            return Success(page)
