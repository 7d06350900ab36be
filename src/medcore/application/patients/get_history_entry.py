"""GetHistoryEntry: one allergy, condition, medication or measurement of a patient."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import HISTORY_HIDDEN_FROM_PATIENTS, deny, portal_policy, reach_patient
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.history import AnyEntry, EntryKind
from medcore.domain.shared.errors import DomainError, not_found


class GetHistoryEntry:
    """Staff need ``medical_history:read``; a patient reads their own entries where the
    organization shows the history to patients. Each read is audited."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(
        self, actor: Actor, patient_id: UUID, kind: EntryKind, entry_id: UUID
    ) -> Result[AnyEntry, DomainError]:
        action = f"{kind}.read"
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
                    resource_type=kind.value,
                    resource_id=entry_id,
                    patient_id=patient_id,
                    reason="history_hidden",
                )
                return Failure(HISTORY_HIDDEN_FROM_PATIENTS)
            entry = await uow.medical_history.get(actor.organization_id, patient_id, kind, entry_id)
            if entry is None:
                return Failure(not_found(kind.value))
            await uow.audit.record(
                actor.audit(
                    action,
                    resource_type=kind.value,
                    resource_id=entry.id,
                    patient_id=patient_id,
                    details=access.details(),
                )
            )
            await uow.commit()
            return Success(entry)
