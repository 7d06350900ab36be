"""JoinWaitlist: wait for a practitioner, or any practitioner of a specialty, in a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.scheduling.access import appointment_scope
from medcore.application.scheduling.booking_context import plausible_instant
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.practitioners.practitioner import check_specialties
from medcore.domain.scheduling.waitlist import WaitlistEntry
from medcore.domain.shared.errors import DomainError, field_invalid, not_found
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True)
class JoinWaitlistCommand:
    window_start: datetime
    window_end: datetime
    patient_id: UUID | None = None
    practitioner_id: UUID | None = None
    specialty: str | None = None
    note: str | None = None


class JoinWaitlist:
    """When an appointment in the window is cancelled or moved, the oldest matching entry is
    offered the slot by email or SMS. A patient account may join for itself."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: JoinWaitlistCommand) -> Result[WaitlistEntry, DomainError]:
        async with self._uow() as uow:
            scope_result = await appointment_scope(uow, actor, Permission.APPOINTMENTS_WRITE, action="waitlist.create")
            if isinstance(scope_result, Failure):
                return Failure(scope_result.failure())
            scope = scope_result.unwrap()
            patient_id = command.patient_id or scope.patient_id
            if patient_id is None:
                return Failure(field_invalid("patient_id", "Say who is waiting."))
            if not scope.allows(patient_id) or await uow.patients.get(actor.organization_id, patient_id) is None:
                return Failure(not_found("patient"))
            window: list[datetime] = []
            for name, instant in (("window_start", command.window_start), ("window_end", command.window_end)):
                if isinstance(plausible := plausible_instant(name, instant), Failure):
                    return Failure(plausible.failure())
                window.append(plausible.unwrap())
            window_start, window_end = window
            now = self._clock.now()
            # The practitioners' own spelling: "General practice" waits for general_practice.
            specialty = None
            if command.specialty is not None:
                code = check_specialties([command.specialty], "specialty")
                if isinstance(code, Failure):
                    return Failure(field_invalid("specialty", code.failure().message))
                [specialty] = code.unwrap()
            checked = WaitlistEntry.check(command.practitioner_id, specialty, (window_start, window_end), now)
            if isinstance(checked, Failure):
                return Failure(checked.failure())
            if command.practitioner_id is not None:
                practitioner = await uow.practitioners.get(actor.organization_id, command.practitioner_id)
                if practitioner is None or not practitioner.active:
                    return Failure(not_found("practitioner"))
            entry = WaitlistEntry(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                patient_id=patient_id,
                practitioner_id=command.practitioner_id,
                specialty=specialty,
                window_start=window_start,
                window_end=window_end,
                note=command.note,
                created_at=now,
                updated_at=now,
            )
            await uow.waitlist.add(entry)
            await uow.audit.record(
                actor.audit(
                    "waitlist.create", resource_type="waitlist_entry", resource_id=entry.id, patient_id=patient_id
                )
            )
            await uow.commit()
            return Success(entry)
