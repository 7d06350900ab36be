"""GetLegalHold: one hold of the organization."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.compliance.holds import HoldScope, LegalHold
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found


class GetLegalHold:
    """``legal_holds:read``; another organization's hold is not found. Audited as
    ``legal_hold.read``."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, actor: Actor, hold_id: UUID) -> Result[LegalHold, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.LEGAL_HOLDS_READ,
                action="legal_hold.read",
                resource_type="legal_hold",
                resource_id=hold_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            hold = await uow.legal_holds.get(actor.organization_id, hold_id)
            if hold is None:
                return Failure(not_found("legal_hold"))
            await uow.audit.record(
                actor.audit(
                    "legal_hold.read",
                    resource_type="legal_hold",
                    resource_id=hold.id,
                    patient_id=hold.subject_id if hold.scope is HoldScope.PATIENT else None,
                )
            )
            await uow.commit()
            return Success(hold)
