"""PlaceLegalHold: stop every disposal of a patient's, a practitioner's or the whole
organization's records until the hold is released."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.compliance.holds import HoldScope, LegalHold
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True)
class PlaceLegalHoldCommand:
    scope: HoldScope
    reason: str
    subject_id: UUID | None = None


class PlaceLegalHold:
    """Owners and auditors (``legal_holds:write``). The subject must be a patient or a
    practitioner of the organization (404 otherwise). Audited as ``legal_hold.place`` with
    the scope and subject (the reason, free text, is not copied into the audit trail)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: PlaceLegalHoldCommand) -> Result[LegalHold, DomainError]:
        checked = LegalHold.check(command.scope, command.subject_id, command.reason)
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.LEGAL_HOLDS_WRITE, action="legal_hold.place", resource_type="legal_hold"
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            if isinstance(checked, Failure):
                return Failure(checked.failure())
            organization_id = actor.organization_id
            patient_id: UUID | None = None
            if command.scope is HoldScope.PATIENT and command.subject_id is not None:
                if await uow.patients.get(organization_id, command.subject_id) is None:
                    return Failure(not_found("patient"))
                patient_id = command.subject_id
            if (
                command.scope is HoldScope.PRACTITIONER
                and command.subject_id is not None
                and await uow.practitioners.get(organization_id, command.subject_id) is None
            ):
                return Failure(not_found("practitioner"))
            now = self._clock.now()
            hold = LegalHold(
                id=self._ids.new_id(),
                organization_id=organization_id,
                scope=command.scope,
                subject_id=command.subject_id,
                reason=command.reason.strip(),
                placed_by=actor.id,
                placed_at=now,
                created_at=now,
                updated_at=now,
            )
            await uow.legal_holds.add(hold)
            await uow.audit.record(
                actor.audit(
                    "legal_hold.place",
                    resource_type="legal_hold",
                    resource_id=hold.id,
                    patient_id=patient_id,
                    details={
                        "scope": hold.scope.value,
                        "subject_id": str(hold.subject_id) if hold.subject_id else None,
                    },
                )
            )
            await uow.commit()
            return Success(hold)
