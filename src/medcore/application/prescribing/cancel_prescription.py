"""CancelPrescription: withdraw a draft or a signed prescription."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE, writable_prescription
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.prescription import Prescription, PrescriptionStatus
from medcore.domain.shared.errors import DomainError, field_invalid, version_mismatch
from medcore.domain.shared.ports import Clock

MAX_REASON = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelPrescriptionCommand:
    prescription_id: UUID
    reason: str
    expected_version: int | None = None


class CancelPrescription:
    """A draft is cancelled with ``prescriptions:write``; a signed prescription (which a
    pharmacy may be about to dispense) needs ``prescriptions:sign``. Dispensed, expired and
    cancelled prescriptions stay as they are (409). The reason is kept; a cancelled
    prescription verifies as cancelled."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: CancelPrescriptionCommand) -> Result[Prescription, DomainError]:
        async with self._uow() as uow:
            found = await writable_prescription(
                uow, actor, Permission.PRESCRIPTIONS_WRITE, command.prescription_id, action="prescription.cancel"
            )
            if isinstance(found, Failure):
                return Failure(found.failure())
            prescription = found.unwrap()
            if prescription.status is PrescriptionStatus.SIGNED:
                allowed = await authorize(
                    uow,
                    actor,
                    Permission.PRESCRIPTIONS_SIGN,
                    action="prescription.cancel",
                    resource_type=RESOURCE,
                    resource_id=prescription.id,
                )
                if isinstance(allowed, Failure):
                    return Failure(allowed.failure())
            if command.expected_version is not None and command.expected_version != prescription.version:
                return Failure(version_mismatch(RESOURCE))
            reason = command.reason.strip()
            if not 1 <= len(reason) <= MAX_REASON:
                return Failure(field_invalid("reason", f"Give a reason of 1-{MAX_REASON} characters."))
            was = prescription.status
            cancelled = prescription.cancel(reason, self._clock.now())
            if isinstance(cancelled, Failure):
                return Failure(cancelled.failure())
            if not await uow.prescriptions.save(prescription):
                return Failure(version_mismatch(RESOURCE))
            await uow.audit.record(
                actor.audit(
                    "prescription.cancel",
                    resource_type=RESOURCE,
                    resource_id=prescription.id,
                    patient_id=prescription.patient_id,
                    details={"from": was.value},
                )
            )
            await uow.commit()
            return Success(prescription)
