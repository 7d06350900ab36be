"""Who reaches which prescriptions: staff with ``prescriptions:read`` any of their
organization; a patient account (``clinical_record:own``) only its own, and only those
that were signed (a draft is the prescriber's work in progress). Anything else answers
exactly as a prescription that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.prescribing.prescription import Prescription
from medcore.domain.shared.errors import DomainError, not_found

RESOURCE = "prescription"


@dataclass(frozen=True, slots=True)
class Scope:
    """``patient_id`` is None for staff (any patient), else the only patient visible."""

    patient_id: UUID | None

    @property
    def is_patient(self) -> bool:
        return self.patient_id is not None

    def sees(self, prescription: Prescription) -> bool:
        if self.patient_id is None:
            return True
        return prescription.patient_id == self.patient_id and prescription.signed_at is not None

    def details(self) -> dict[str, str | int | bool | None]:
        """Audit details saying a patient read their own prescriptions."""
        return {"self": True} if self.is_patient else {}


async def read_scope(
    uow: UnitOfWork, actor: Actor, *, action: str, resource_id: UUID | None = None
) -> Result[Scope, DomainError]:
    """Staff need ``prescriptions:read``; a patient account ``clinical_record:own`` and a
    record linked to it. Refusals are audited (and committed) here."""
    if actor.can(Permission.PRESCRIPTIONS_READ) and not actor.mfa_enrollment_required:
        return Success(Scope(None))
    if actor.can(Permission.OWN_CLINICAL_RECORD) and actor.user_id is not None and not actor.mfa_enrollment_required:
        own = await uow.patients.by_user(actor.organization_id, actor.user_id)
        if own is not None:
            return Success(Scope(own.id))
    allowed = await authorize(
        uow, actor, Permission.PRESCRIPTIONS_READ, action=action, resource_type=RESOURCE, resource_id=resource_id
    )
    assert isinstance(allowed, Failure)
    return Failure(allowed.failure())


async def visible_prescription(
    uow: UnitOfWork, actor: Actor, scope: Scope, prescription_id: UUID, *, lock: bool = False
) -> Result[Prescription, DomainError]:
    prescription = await uow.prescriptions.get(actor.organization_id, prescription_id, lock=lock)
    if prescription is None or not scope.sees(prescription):
        return Failure(not_found(RESOURCE))
    return Success(prescription)


async def writable_prescription(
    uow: UnitOfWork, actor: Actor, permission: Permission, prescription_id: UUID, *, action: str
) -> Result[Prescription, DomainError]:
    """The prescription, locked, for a change that needs ``permission``."""
    allowed = await authorize(
        uow, actor, permission, action=action, resource_type=RESOURCE, resource_id=prescription_id
    )
    if isinstance(allowed, Failure):
        return Failure(allowed.failure())
    prescription = await uow.prescriptions.get(actor.organization_id, prescription_id, lock=True)
    if prescription is None:
        return Failure(not_found(RESOURCE))
    return Success(prescription)


async def own_practitioner(uow: UnitOfWork, actor: Actor) -> Practitioner | None:
    """The practitioner a prescribing account is: an account with ``prescriptions:sign``
    linked to a practitioner prescribes as that practitioner, never as another."""
    if actor.user_id is None or not actor.can(Permission.PRESCRIPTIONS_SIGN):
        return None
    return await uow.practitioners.by_user(actor.organization_id, actor.user_id)
