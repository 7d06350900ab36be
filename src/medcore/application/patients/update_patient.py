"""UpdatePatient: change a patient record's demographics, contact or preferences."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.patients.access import deny, portal_policy, reach_patient
from medcore.application.patients.demographics import (
    PatientInput,
    check_linkable_account,
    check_mrn_free,
    parse_patient_input,
)
from medcore.application.patients.recording import record_version
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.patient import Patient
from medcore.domain.patients.versions import VersionAction, VersionedResource
from medcore.domain.shared.errors import DomainError, ErrorKind, FieldIssue, version_mismatch
from medcore.domain.shared.ports import Clock, IdGenerator


@dataclass(frozen=True, slots=True)
class UpdatePatientCommand:
    patient_id: UUID
    changes: PatientInput
    expected_version: int | None = None


def not_editable_by_patient(names: list[str]) -> DomainError:
    return DomainError(
        code="patient.field_not_editable",
        message="Your practice does not let patients change these fields.",
        kind=ErrorKind.FORBIDDEN,
        fields=tuple(FieldIssue(name, "Ask your practice to change it.") for name in names),
    )


class UpdatePatient:
    """Merge the given fields into the record (``null`` clears an optional one). Staff need
    ``patients:write`` and may change every field, ``mrn`` and ``user_id`` included. A
    patient may change on their own record only the fields the organization allows
    (``settings.patients.editable_fields``): any other field is refused with 403. With
    ``expected_version`` (``If-Match``) the change applies only to the version read.
    Each effective change leaves a version in the record's history."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: UpdatePatientCommand) -> Result[Patient, DomainError]:
        async with self._uow() as uow:
            reached = await reach_patient(
                uow, actor, command.patient_id, Permission.PATIENTS_WRITE, action="patient.update", lock=True
            )
            if isinstance(reached, Failure):
                return Failure(reached.failure())
            access = reached.unwrap()
            patient = access.patient
            if access.as_patient:
                policy = await portal_policy(uow, actor)
                refused = sorted(command.changes.given() - policy.editable_fields)
                if refused:
                    await deny(
                        uow,
                        actor,
                        "patient.update",
                        resource_type="patient",
                        resource_id=patient.id,
                        patient_id=patient.id,
                        reason="field_not_editable",
                    )
                    return Failure(not_editable_by_patient(refused))
            if command.expected_version is not None and command.expected_version != patient.version:
                return Failure(version_mismatch("patient"))
            now = self._clock.now()
            parsed = parse_patient_input(command.changes, now)
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            changes = parsed.unwrap()
            if isinstance(changes.user_id, UUID) and changes.user_id != patient.user_id:
                linkable = await check_linkable_account(uow, actor.organization_id, changes.user_id, patient.id)
                if isinstance(linkable, Failure):
                    return Failure(linkable.failure())
            if isinstance(changes.mrn, str) and changes.mrn != patient.mrn:
                free = await check_mrn_free(uow, actor.organization_id, changes.mrn)
                if isinstance(free, Failure):
                    return Failure(free.failure())
            applied = patient.change(changes, now)
            if isinstance(applied, Failure):
                return Failure(applied.failure())
            changed = applied.unwrap()
            if changed:
                if not await uow.patients.save(patient):
                    return Failure(version_mismatch("patient"))
                await record_version(
                    uow,
                    self._ids,
                    actor,
                    patient_id=patient.id,
                    resource_type=VersionedResource.PATIENT,
                    resource_id=patient.id,
                    action=VersionAction.UPDATE,
                    changed_fields=changed,
                    snapshot=patient.snapshot(),
                    now=now,
                )
            await uow.audit.record(
                actor.audit(
                    "patient.update",
                    resource_type="patient",
                    resource_id=patient.id,
                    patient_id=patient.id,
                    details={"fields": ",".join(changed), **access.details()},
                )
            )
            await uow.commit()
            return Success(patient)
