"""AddCondition: record a diagnosis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.entries import issues_of, optional, optional_text, reach_for_recording, refuse
from medcore.application.patients.recording import record_new_entry
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.patients.codes import Icd10Code
from medcore.domain.patients.history import LIFECYCLES, Condition, EntryKind, EntryStatus
from medcore.domain.patients.values import check_past_date
from medcore.domain.shared.errors import DomainError, FieldIssue
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class AddConditionCommand:
    patient_id: UUID
    code: str
    text: str | None = None
    onset: date | None = None
    status: EntryStatus = EntryStatus.ACTIVE


class AddCondition:
    """Needs ``medical_history:write``. ``code`` is ICD-10 (``I10``, ``E11.9``; ``e119``
    reads as ``E11.9``). A past condition may be recorded directly as ``resolved`` or
    ``inactive``. ``onset`` lies between the birth date and today."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: AddConditionCommand) -> Result[Condition, DomainError]:
        async with self._uow() as uow:
            reached = await reach_for_recording(uow, actor, command.patient_id, EntryKind.CONDITION)
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            patient = reached.unwrap().patient
            now = self._clock.now()
            code = Icd10Code.parse(command.code, "code")
            text = optional_text(command.text, "text")
            onset = optional(
                command.onset, lambda day: check_past_date(day, now, "onset", not_before=patient.birth_date)
            )
            issues = issues_of(code, text, onset)
            initial = LIFECYCLES[EntryKind.CONDITION].initial
            if command.status not in initial:
                allowed = ", ".join(sorted(s.value for s in initial))
                issues.append(FieldIssue("status", f"A condition is recorded as one of: {allowed}."))
            if issues:
                return refuse(issues)
            condition = Condition(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                patient_id=patient.id,
                status=command.status,
                code=code.unwrap(),
                text=text.unwrap(),
                onset=onset.unwrap(),
                recorded_by_type=actor.actor_type,
                recorded_by=actor.id,
                created_at=now,
                updated_at=now,
            )
            await record_new_entry(uow, self._ids, actor, condition, now, {"status": command.status.value})
            return Success(condition)
