"""AddAllergy: record an allergy or intolerance."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.entries import issues_of, optional, optional_text, reach_for_recording, refuse
from medcore.application.patients.recording import record_new_entry
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.patients.codes import AtcCode
from medcore.domain.patients.history import Allergy, AllergySeverity, EntryKind, EntryStatus
from medcore.domain.patients.values import check_text
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class AddAllergyCommand:
    patient_id: UUID
    substance: str
    code: str | None = None
    reaction: str | None = None
    severity: AllergySeverity = AllergySeverity.UNKNOWN


class AddAllergy:
    """Needs ``medical_history:write``. ``substance`` names what the patient reacts to;
    ``code`` is its ATC code, a substance (``J01CA04``) or a whole class (``J01C``, the
    penicillins), which prescription checks read."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: AddAllergyCommand) -> Result[Allergy, DomainError]:
        async with self._uow() as uow:
            reached = await reach_for_recording(uow, actor, command.patient_id, EntryKind.ALLERGY)
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            substance = check_text(command.substance, "substance", 200)
            code = optional(command.code, lambda raw: AtcCode.parse(raw, "code"))
            reaction = optional_text(command.reaction, "reaction")
            issues = issues_of(substance, code, reaction)
            if issues:
                return refuse(issues)
            now = self._clock.now()
            allergy = Allergy(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                patient_id=command.patient_id,
                status=EntryStatus.ACTIVE,
                substance=substance.unwrap(),
                code=code.unwrap(),
                reaction=reaction.unwrap(),
                severity=command.severity,
                recorded_by_type=actor.actor_type,
                recorded_by=actor.id,
                created_at=now,
                updated_at=now,
            )
            await record_new_entry(uow, self._ids, actor, allergy, now)
            return Success(allergy)
