"""GetAccessLog: who accessed a patient's record, when, what they did and why."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import deny, own_record
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWork, UnitOfWorkFactory
from medcore.domain.audit.ports import AccessLogEntry
from medcore.domain.identity.permissions import Permission, Role
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.listing import ListQuery, Page

ACTION = "patient.access_log.read"


class GetAccessLog:
    """The accounting of accesses to one patient record, newest first: every read, change
    and refused attempt recorded with the patient's id. Visible to the patient themselves
    (``patient_record:own``) and to holders of ``audit:read`` (auditors, owners); any other
    record answers 404 to a patient. Staff appear by role and name; other patients never
    appear by name. Reading the log is itself audited (and appears in it)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(
        self, actor: Actor, patient_id: UUID, query: ListQuery
    ) -> Result[Page[AccessLogEntry], DomainError]:
        async with self._uow() as uow:
            reached = await self._reach(uow, actor, patient_id)
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            owner_user = reached.unwrap()
            listed = await uow.audit_log.access_log(actor.organization_id, patient_id, query)
            if isinstance(listed, Failure):
                return listed
            page = listed.unwrap()
            await uow.audit.record(
                actor.audit(
                    ACTION,
                    resource_type="patient",
                    resource_id=patient_id,
                    patient_id=patient_id,
                    details={"self": actor.user_id is not None and actor.user_id == owner_user},
                )
            )
            await uow.commit()
            return Success(
                Page(
                    items=[_shown(e, owner_user) for e in page.items],
                    limit=page.limit,
                    next_cursor=page.next_cursor,
                    total=page.total,
                )
            )

    @staticmethod
    async def _reach(uow: UnitOfWork, actor: Actor, patient_id: UUID) -> Result[UUID | None, DomainError]:
        """The user account linked to the record, when the actor may read its log."""
        if actor.can(Permission.AUDIT_READ) and not actor.mfa_enrollment_required:
            patient = await uow.patients.get(actor.organization_id, patient_id)
            if patient is None:
                return Failure(not_found("patient"))
            return Success(patient.user_id)
        own = await own_record(uow, actor)
        if own is not None:
            if own.id != patient_id:
                await deny(uow, actor, ACTION, resource_type="patient", resource_id=patient_id, reason="not_own_record")
                return Failure(not_found("patient"))
            return Success(own.user_id)
        allowed = await authorize(
            uow, actor, Permission.AUDIT_READ, action=ACTION, resource_type="patient", resource_id=patient_id
        )
        assert isinstance(allowed, Failure)
        return Failure(allowed.failure())


def _shown(entry: AccessLogEntry, owner_user: UUID | None) -> AccessLogEntry:
    """Another patient's account is shown by its role only, never by name."""
    if entry.actor_role == Role.PATIENT.value and (owner_user is None or entry.actor_id != owner_user):
        return replace(entry, actor_id=None, actor_name=None)
    return entry
