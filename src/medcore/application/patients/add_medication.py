"""AddMedication: record a medication the patient takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.entries import issues_of, optional, optional_text, reach_for_recording, refuse
from medcore.application.patients.recording import record_new_entry
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.patients.codes import AtcCode
from medcore.domain.patients.history import EntryKind, EntryStatus, Medication
from medcore.domain.patients.values import check_past_date
from medcore.domain.shared.errors import DomainError, FieldIssue
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True, kw_only=True)
class AddMedicationCommand:
    patient_id: UUID
    code: str | None = None
    name: str | None = None
    dose: str | None = None
    since: date | None = None


class AddMedication:
    """Needs ``medical_history:write``. A medication is named by the ATC code of its
    substance (``C09AA05``, ramipril), by free text (``name``), or both; ``dose`` is free
    text ("5 mg once daily"); ``since`` lies between the birth date and today."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: AddMedicationCommand) -> Result[Medication, DomainError]:
        async with self._uow() as uow:
            reached = await reach_for_recording(uow, actor, command.patient_id, EntryKind.MEDICATION)
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            patient = reached.unwrap().patient
            now = self._clock.now()
            code = optional(command.code, lambda raw: AtcCode.parse(raw, "code", substance=True))
            name = optional_text(command.name, "name", 200)
            dose = optional_text(command.dose, "dose", 200)
            since = optional(
                command.since, lambda day: check_past_date(day, now, "since", not_before=patient.birth_date)
            )
            issues = issues_of(code, name, dose, since)
            if not issues and code.unwrap() is None and name.unwrap() is None:
                issues.append(FieldIssue("name", "Give the medication's ATC code, its name, or both."))
            if issues:
                return refuse(issues)
            medication = Medication(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                patient_id=patient.id,
                status=EntryStatus.ACTIVE,
                code=code.unwrap(),
                name=name.unwrap(),
                dose=dose.unwrap(),
                since=since.unwrap(),
                recorded_by_type=actor.actor_type,
                recorded_by=actor.id,
                created_at=now,
                updated_at=now,
            )
            await record_new_entry(uow, self._ids, actor, medication, now)
            return Success(medication)
