"""Authorization happens here, in the application layer, never in HTTP handlers."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, forbidden

MFA_ENROLLMENT_REQUIRED = forbidden(
    "auth.mfa_enrollment_required",
    "Your organization requires two-factor authentication: enrol an authenticator first.",
)


async def authorize(
    uow: UnitOfWork,
    actor: Actor,
    permission: Permission,
    *,
    action: str,
    resource_type: str | None = None,
    resource_id: UUID | None = None,
) -> Result[None, DomainError]:
    """Allow, or refuse and record the denial.

    The denial is committed at once, so call this first, before any change of the use case.
    """
    if actor.can(permission) and not actor.mfa_enrollment_required:
        return Success(None)
    await uow.audit.record(
        actor.audit(
            action,
            outcome=Outcome.DENIED,
            resource_type=resource_type,
            resource_id=resource_id,
            details={"permission": permission.value},
        )
    )
    await uow.commit()
    if actor.mfa_enrollment_required:
        return Failure(MFA_ENROLLMENT_REQUIRED)
    return Failure(forbidden(message=f"You need the '{permission.value}' permission to do this."))
