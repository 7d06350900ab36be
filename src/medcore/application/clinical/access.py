"""Who reaches what of the clinical record.

- Staff reach every consultation, metric and reminder of their organization with the
  permission the use case names (``consultations:read`` ...).
- A ``patient`` account (``clinical_record:own``) reaches only the record linked to it:
  its *signed* consultations (drafts are the clinician's working notes), its metrics and
  its health reminders. Anything else answers exactly as an id that does not exist.
- Signing is for the author: the practitioner linked to the signing account, or an owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import deny
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.clinical.consultation import Consultation
from medcore.domain.identity.permissions import Permission, Role
from medcore.domain.patients.patient import Patient
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.practitioners.schedule import TimeZoneName
from medcore.domain.shared.errors import DomainError, forbidden, not_found

UTC_ZONE = TimeZoneName("UTC")

NOT_THE_AUTHOR = forbidden(
    "consultation.not_author", "Only the practitioner who wrote this consultation (or an owner) can sign it."
)


@dataclass(frozen=True, slots=True)
class ClinicalScope:
    """``patient_id`` is None for staff (any patient), else the one patient reachable."""

    patient_id: UUID | None

    @property
    def as_patient(self) -> bool:
        return self.patient_id is not None

    def sees(self, consultation: Consultation) -> bool:
        """Staff see every consultation; a patient only their own signed ones."""
        return self.patient_id is None or (consultation.patient_id == self.patient_id and consultation.signed)

    def details(self) -> dict[str, str | int | bool | None]:
        return {"self": True} if self.as_patient else {}


def _staff(actor: Actor, permissions: tuple[Permission, ...]) -> bool:
    return not actor.mfa_enrollment_required and any(actor.can(p) for p in permissions)


async def own_clinical_record(uow: UnitOfWork, actor: Actor) -> Patient | None:
    """The record linked to a patient account acting on its own clinical record, if any."""
    if not actor.can(Permission.OWN_CLINICAL_RECORD) or actor.mfa_enrollment_required or actor.user_id is None:
        return None
    return await uow.patients.by_user(actor.organization_id, actor.user_id)


async def clinical_scope(
    uow: UnitOfWork,
    actor: Actor,
    staff_permissions: tuple[Permission, ...],
    *,
    action: str,
    resource_type: str,
    resource_id: UUID | None = None,
    patients_allowed: bool = True,
) -> Result[ClinicalScope, DomainError]:
    """Staff holding one of ``staff_permissions``, or (where ``patients_allowed``) a patient
    account on its own record. Refusals are audited (and committed) here."""
    if _staff(actor, staff_permissions):
        return Success(ClinicalScope(None))
    if patients_allowed:
        own = await own_clinical_record(uow, actor)
        if own is not None:
            return Success(ClinicalScope(own.id))
    refused = await authorize(
        uow, actor, staff_permissions[0], action=action, resource_type=resource_type, resource_id=resource_id
    )
    assert isinstance(refused, Failure)
    return Failure(refused.failure())


@dataclass(frozen=True, slots=True)
class ClinicalPatient:
    patient: Patient
    as_patient: bool

    def details(self) -> dict[str, str | int | bool | None]:
        return {"self": True} if self.as_patient else {}


async def reach_clinical_patient(
    uow: UnitOfWork,
    actor: Actor,
    patient_id: UUID,
    staff_permissions: tuple[Permission, ...],
    *,
    action: str,
    resource_type: str,
    lock: bool = False,
) -> Result[ClinicalPatient, DomainError]:
    """The patient record behind a per-patient clinical resource (metrics, reminders), if
    the actor reaches it: staff of the organization, or the patient themselves. Another
    patient's record answers as a missing one (and the attempt is audited)."""
    scope = await clinical_scope(
        uow, actor, staff_permissions, action=action, resource_type=resource_type, resource_id=patient_id
    )
    if isinstance(scope, Failure):
        return Failure(scope.failure())
    own = scope.unwrap().patient_id
    if own is not None and own != patient_id:
        await deny(uow, actor, action, resource_type=resource_type, resource_id=patient_id, reason="not_own_record")
        return Failure(not_found("patient"))
    patient = await uow.patients.get(actor.organization_id, patient_id, lock=lock)
    if patient is None:
        return Failure(not_found("patient"))
    return Success(ClinicalPatient(patient, as_patient=own is not None))


async def visible_consultation(
    uow: UnitOfWork, actor: Actor, scope: ClinicalScope, consultation_id: UUID, *, lock: bool = False
) -> Result[Consultation, DomainError]:
    consultation = await uow.consultations.get(actor.organization_id, consultation_id, lock=lock)
    if consultation is None or not scope.sees(consultation):
        return Failure(not_found("consultation"))
    return Success(consultation)


def patient_zone(patient: Patient) -> TimeZoneName:
    """The patient's time zone, UTC when the record names none."""
    return patient.time_zone or UTC_ZONE


def is_author(actor: Actor, practitioner: Practitioner | None) -> bool:
    return practitioner is not None and actor.user_id is not None and practitioner.user_id == actor.user_id


def may_sign(actor: Actor, author: Practitioner | None) -> bool:
    """The author practitioner's own account, or an owner (who answers for the practice's
    records, e.g. when the author has left)."""
    return is_author(actor, author) or actor.role is Role.OWNER


async def deny_signature(uow: UnitOfWork, actor: Actor, consultation: Consultation) -> Failure[DomainError]:
    await deny(
        uow,
        actor,
        "consultation.sign",
        resource_type="consultation",
        resource_id=consultation.id,
        patient_id=consultation.patient_id,
        reason="not_author",
    )
    return Failure(NOT_THE_AUTHOR)
