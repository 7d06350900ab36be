"""Who reaches which patient record: staff with the permission the use case asks for reach
any record of their organization; a ``patient`` account (``patient_record:own``) reaches
the record linked to it, and another record answers exactly as one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.patient import Patient
from medcore.domain.patients.policy import PatientPortalPolicy
from medcore.domain.shared.errors import DomainError, forbidden, not_found

HISTORY_HIDDEN_FROM_PATIENTS = forbidden(
    "patient.history_hidden", "Your practice does not show the medical history in the patient portal."
)


@dataclass(frozen=True, slots=True)
class PatientAccess:
    patient: Patient
    as_patient: bool  # the actor is the patient this record belongs to

    def details(self) -> dict[str, str | int | bool | None]:
        """Audit details saying the patient acted on their own record."""
        return {"self": True} if self.as_patient else {}


async def reach_patient(
    uow: UnitOfWork,
    actor: Actor,
    patient_id: UUID,
    staff_permission: Permission,
    *,
    action: str,
    resource_type: str = "patient",
    lock: bool = False,
) -> Result[PatientAccess, DomainError]:
    """The record, if the actor may reach it. Refusals are audited (and committed) here."""
    if actor.can(staff_permission) and not actor.mfa_enrollment_required:
        patient = await uow.patients.get(actor.organization_id, patient_id, lock=lock)
        if patient is None:
            return Failure(not_found("patient"))
        return Success(PatientAccess(patient, as_patient=False))
    own = await own_record(uow, actor)
    if own is not None:
        if own.id != patient_id:
            # Another patient's record, or none at all: the same answer either way.
            await deny(uow, actor, action, resource_type=resource_type, resource_id=patient_id, reason="not_own_record")
            return Failure(not_found("patient"))
        if lock:
            own = await uow.patients.get(actor.organization_id, own.id, lock=True)
            if own is None:  # deleted meanwhile
                return Failure(not_found("patient"))
        return Success(PatientAccess(own, as_patient=True))
    allowed = await authorize(
        uow, actor, staff_permission, action=action, resource_type=resource_type, resource_id=patient_id
    )
    assert isinstance(allowed, Failure)
    return Failure(allowed.failure())


async def own_record(uow: UnitOfWork, actor: Actor) -> Patient | None:
    """The record linked to a patient account acting on its own behalf, if any."""
    if not actor.can(Permission.OWN_PATIENT_RECORD) or actor.mfa_enrollment_required or actor.user_id is None:
        return None
    return await uow.patients.by_user(actor.organization_id, actor.user_id)


async def portal_policy(uow: UnitOfWork, actor: Actor) -> PatientPortalPolicy:
    organization = await uow.organizations.get(actor.organization_id)
    assert organization is not None, "an actor's organization exists"
    return organization.settings.patients


async def deny(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    *,
    resource_type: str,
    resource_id: UUID | None,
    reason: str,
    patient_id: UUID | None = None,
) -> None:
    """Record a refused attempt and commit it on its own: call it before the use case
    changes anything, as ``authorize``."""
    await uow.audit.record(
        actor.audit(
            action,
            outcome=Outcome.DENIED,
            resource_type=resource_type,
            resource_id=resource_id,
            patient_id=patient_id,
            details={"reason": reason},
        )
    )
    await uow.commit()
