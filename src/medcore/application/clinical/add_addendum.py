"""AddAddendum: correct or complete a signed consultation without touching it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.clinical.consultation import Addendum, check_addendum_text
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class AddAddendumCommand:
    consultation_id: UUID
    text: str


class AddAddendum:
    """Appends a text (1-5000 characters) with its author and time to a signed consultation
    (``consultations:write``). The signed content stays exactly as it was; a draft answers
    409 ``consultation.draft`` (change it directly instead)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: AddAddendumCommand) -> Result[Addendum, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.CONSULTATIONS_WRITE,
                action="consultation.addendum",
                resource_type="consultation",
                resource_id=command.consultation_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            consultation = await uow.consultations.get(actor.organization_id, command.consultation_id, lock=True)
            if consultation is None:
                return Failure(not_found("consultation"))
            text = check_addendum_text(command.text)
            if isinstance(text, Failure):
                return Failure(text.failure())
            appended = consultation.append(
                Addendum(
                    id=self._ids.new_id(),
                    consultation_id=consultation.id,
                    text=text.unwrap(),
                    author_type=actor.actor_type,
                    author_id=actor.id,
                    created_at=self._clock.now(),
                )
            )
            if isinstance(appended, Failure):
                return appended
            addendum = appended.unwrap()
            await uow.consultations.add_addendum(actor.organization_id, addendum)
            await uow.audit.record(
                actor.audit(
                    "consultation.addendum",
                    resource_type="consultation",
                    resource_id=consultation.id,
                    patient_id=consultation.patient_id,
                    details={"addendum_id": str(addendum.id)},
                )
            )
            await uow.commit()
            return Success(addendum)
