"""EndHistoryEntry: resolve, stop, or mark entered in error an entry of the history."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import deny, reach_patient
from medcore.application.patients.entries import optional_text
from medcore.application.patients.recording import record_version
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.history import AnyEntry, EntryKind, EntryStatus, Measurement
from medcore.domain.patients.versions import VersionAction, VersionedResource
from medcore.domain.shared.errors import DomainError, forbidden, not_found, version_mismatch
from medcore.domain.shared.ports import Clock, IdGenerator

ONLY_OWN_MEASUREMENTS = forbidden(
    "patient.history_read_only",
    "Patients may only mark a measurement they recorded themselves as entered in error.",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EndEntryCommand:
    patient_id: UUID
    kind: EntryKind
    entry_id: UUID
    status: EntryStatus
    reason: str | None = None
    expected_version: int | None = None


class EndHistoryEntry:
    """Needs ``medical_history:write``. Ends an entry by a status, keeping what was recorded:
    an allergy becomes ``resolved``, a condition ``resolved`` or ``inactive``, a medication
    ``stopped``; any entry may be marked ``entered_in_error``, also after it ended. A patient
    may mark a measurement they recorded themselves as entered in error. Each end leaves a
    version in the record's history."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: EndEntryCommand) -> Result[AnyEntry, DomainError]:
        kind = command.kind
        async with self._uow() as uow:
            reached = await reach_patient(
                uow,
                actor,
                command.patient_id,
                Permission.MEDICAL_HISTORY_WRITE,
                action="entry.end",
                resource_type=kind.value,
                lock=True,
            )
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            access = reached.unwrap()
            entry = await uow.medical_history.get(
                actor.organization_id, command.patient_id, kind, command.entry_id, lock=True
            )
            if entry is None:
                return Failure(not_found(kind.value))
            if access.as_patient and not (
                isinstance(entry, Measurement)
                and entry.recorded_by_patient
                and command.status is EntryStatus.ENTERED_IN_ERROR
            ):
                await deny(
                    uow,
                    actor,
                    "entry.end",
                    resource_type=kind.value,
                    resource_id=entry.id,
                    patient_id=command.patient_id,
                    reason="patients_end_own_measurements_only",
                )
                return Failure(ONLY_OWN_MEASUREMENTS)
            if command.expected_version is not None and command.expected_version != entry.version:
                return Failure(version_mismatch(kind.value))
            reason = optional_text(command.reason, "reason")
            if isinstance(reason, Failure):
                return Failure(reason.failure())
            now = self._clock.now()
            ended = entry.end(command.status, reason=reason.unwrap(), by=actor.id, now=now)
            if isinstance(ended, Failure):
                return Failure(ended.failure())
            if not await uow.medical_history.save(entry):
                return Failure(version_mismatch(kind.value))
            await record_version(
                uow,
                self._ids,
                actor,
                patient_id=command.patient_id,
                resource_type=VersionedResource(kind.value),
                resource_id=entry.id,
                action=VersionAction.END,
                changed_fields=ended.unwrap(),
                snapshot=entry.snapshot(),
                now=now,
            )
            await uow.audit.record(
                actor.audit(
                    "entry.end",
                    resource_type=kind.value,
                    resource_id=entry.id,
                    patient_id=command.patient_id,
                    details={"status": command.status.value, **access.details()},
                )
            )
            await uow.commit()
            return Success(entry)
