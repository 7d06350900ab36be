"""ReleaseLegalHold: end a hold; disposal of its scope resumes with the next run."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.compliance.holds import HoldScope, LegalHold
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, field_invalid, not_found, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class ReleaseLegalHoldCommand:
    hold_id: UUID
    note: str | None = None
    expected_version: int | None = None


class ReleaseLegalHold:
    """``legal_holds:write``. A released hold cannot be released again (409
    ``legal_hold.already_released``); ``If-Match`` guards against a concurrent change (412).
    Audited as ``legal_hold.release``."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: ReleaseLegalHoldCommand) -> Result[LegalHold, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.LEGAL_HOLDS_WRITE,
                action="legal_hold.release",
                resource_type="legal_hold",
                resource_id=command.hold_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            note = command.note.strip() if command.note is not None else None
            if note is not None and not 1 <= len(note) <= 1000:
                return Failure(field_invalid("note", "Use 1-1000 characters, or leave it out."))
            hold = await uow.legal_holds.get(actor.organization_id, command.hold_id, lock=True)
            if hold is None:
                return Failure(not_found("legal_hold"))
            if command.expected_version is not None and command.expected_version != hold.version:
                return Failure(version_mismatch("legal_hold"))
            released = hold.release(actor.id, note, self._clock.now())
            if isinstance(released, Failure):
                return Failure(released.failure())
            if not await uow.legal_holds.save(hold):
                return Failure(version_mismatch("legal_hold"))
            await uow.audit.record(
                actor.audit(
                    "legal_hold.release",
                    resource_type="legal_hold",
                    resource_id=hold.id,
                    patient_id=hold.subject_id if hold.scope is HoldScope.PATIENT else None,
                    details={"scope": hold.scope.value},
                )
            )
            await uow.commit()
            return Success(hold)
