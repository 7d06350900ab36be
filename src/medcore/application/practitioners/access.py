"""Who sees and changes what of practitioners.

- Everyone holding ``practitioners:read`` (staff, and patients choosing whom to book) sees
  the *directory* entry of a practitioner: names, specialties, time zone, working hours.
- The professional details (licence, prescribing authorisations, linked account, buffer,
  daily capacity) and time off are for the staff who run the practice: principals that
  manage practitioners (``practitioners:write``) or work with patients (``patients:read``).
  A patient, or an API key scoped to the directory, gets the directory entry only.
- Changing a practitioner needs ``practitioners:write``, except that the person linked to a
  practitioner manages their own working hours and time off.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.identity.permissions import Permission, Role
from medcore.domain.identity.user import UserStatus
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.shared.errors import DomainError, FieldIssue, conflict, invalid, not_found

# Accounts a practitioner profile may be linked to: the people who see patients.
LINKABLE_ROLES = frozenset({Role.PRACTITIONER, Role.NURSE})

USER_TAKEN = conflict("practitioner.user_taken", "This account is already linked to another practitioner.")


def sees_staff_details(actor: Actor) -> bool:
    return not actor.mfa_enrollment_required and (
        actor.can(Permission.PRACTITIONERS_WRITE) or actor.can(Permission.PATIENTS_READ)
    )


@dataclass(frozen=True, slots=True)
class PractitionerView:
    """A practitioner as one principal may see it: ``full`` with the professional details,
    else the directory entry only."""

    practitioner: Practitioner
    full: bool


def is_own(actor: Actor, practitioner: Practitioner) -> bool:
    return actor.user_id is not None and practitioner.user_id == actor.user_id


async def practitioner_for(
    uow: UnitOfWork,
    actor: Actor,
    practitioner_id: UUID,
    *,
    staff: bool,
    action: str,
    resource_type: str = "practitioner",
    lock: bool = False,
) -> Result[Practitioner, DomainError]:
    """The practitioner, for staff (``staff`` says whether the actor qualifies) or for the
    person linked to it. Anyone else is refused (and the refusal audited) whether or not
    the id exists, so the answer tells nothing about other practitioners; unknown ids are
    404 for staff."""
    if staff and not actor.mfa_enrollment_required:
        practitioner = await uow.practitioners.get(actor.organization_id, practitioner_id, lock=lock)
        if practitioner is None:
            return Failure(not_found("practitioner"))
        return Success(practitioner)
    if actor.user_id is not None and not actor.mfa_enrollment_required:
        own = await uow.practitioners.get(actor.organization_id, practitioner_id, lock=lock)
        if own is not None and is_own(actor, own):
            return Success(own)
    denied = await authorize(
        uow,
        actor,
        Permission.PRACTITIONERS_WRITE,
        action=action,
        resource_type=resource_type,
        resource_id=practitioner_id if resource_type == "practitioner" else None,
    )
    assert isinstance(denied, Failure)
    return Failure(denied.failure())


async def check_link(
    uow: UnitOfWork, organization_id: UUID, user_id: UUID, practitioner_id: UUID | None
) -> Result[None, DomainError]:
    """An account may be linked when it is an active (or invited) practitioner or nurse of
    this organization, not linked to another practitioner yet."""
    user = await uow.users.get(organization_id, user_id)
    problem = None
    if user is None:
        problem = "No such account in this organization."
    elif user.role not in LINKABLE_ROLES:
        problem = "Link an account whose role is practitioner or nurse."
    elif user.status is UserStatus.DEACTIVATED:
        problem = "This account is deactivated."
    if problem is not None:
        return Failure(
            invalid("practitioner.invalid_user", "The account cannot be linked.", FieldIssue("user_id", problem))
        )
    linked = await uow.practitioners.by_user(organization_id, user_id)
    if linked is not None and linked.id != practitioner_id:
        return Failure(USER_TAKEN)
    return Success(None)
