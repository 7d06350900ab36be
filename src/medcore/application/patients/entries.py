"""What the use cases that record history entries share: reaching the record to write in,
and checking optional inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import PatientAccess, deny, reach_patient
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.history import EntryKind
from medcore.domain.patients.values import check_text
from medcore.domain.shared.errors import DomainError, FieldIssue, forbidden, invalid

T = TypeVar("T")

MEASUREMENTS_ONLY = forbidden(
    "patient.history_read_only",
    "Patients record their own measurements; the practice records allergies, conditions and medications.",
)


async def reach_for_recording(
    uow: UnitOfWork, actor: Actor, patient_id: UUID, kind: EntryKind
) -> Result[PatientAccess, DomainError]:
    """The record, locked, if the actor may add an entry of ``kind`` to it: staff with
    ``medical_history:write``; the patient, on their own record, measurements only."""
    reached = await reach_patient(
        uow,
        actor,
        patient_id,
        Permission.MEDICAL_HISTORY_WRITE,
        action=f"{kind}.create",
        resource_type=kind.value,
        lock=True,
    )
    if isinstance(reached, Failure):
        return reached
    access = reached.unwrap()
    if access.as_patient and kind is not EntryKind.MEASUREMENT:
        await deny(
            uow,
            actor,
            f"{kind}.create",
            resource_type=kind.value,
            resource_id=None,
            patient_id=access.patient.id,
            reason="patients_record_measurements_only",
        )
        return Failure(MEASUREMENTS_ONLY)
    return Success(access)


def optional(raw: T | None, parse: Callable[[T], Result[Any, DomainError]]) -> Result[Any, DomainError]:
    """``None`` (or blank text) stays ``None``; anything else is parsed."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Success(None)
    return parse(raw)


def optional_text(raw: str | None, field: str, max_length: int = 500) -> Result[str | None, DomainError]:
    return optional(raw, lambda text: check_text(text, field, max_length))


def issues_of(*results: Result[Any, DomainError]) -> list[FieldIssue]:
    return [issue for result in results if isinstance(result, Failure) for issue in result.failure().fields]


def refuse(issues: list[FieldIssue]) -> Failure[DomainError]:
    return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
