"""RenewPrescription: a new draft with the items of a signed prescription."""

from __future__ import annotations

from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE, own_practitioner
from medcore.application.prescribing.drafting import PrescriptionView, open_draft, prescriber
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.prescribing.prescription import PrescriptionStatus
from medcore.domain.shared.errors import DomainError, conflict, not_found
from medcore.domain.shared.ports import Clock, IdGenerator

NOT_RENEWABLE = conflict(
    "prescription.not_renewable", "Only a prescription that was signed (and not cancelled) can be renewed."
)


class RenewPrescription:
    """Needs ``prescriptions:write``. The new draft repeats the items and notes of a
    prescription that was signed (also once dispensed or expired), linked to it by
    ``renewed_from_id``, and is checked against the records as they are now. Its
    prescriber is the renewing practitioner (a practitioner's own account), otherwise the
    original prescriber. Change it as any draft, then sign it: signing replaces the
    original if that one is still waiting to be dispensed."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, formulary: Formulary) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._formulary = formulary

    async def execute(self, actor: Actor, prescription_id: UUID) -> Result[PrescriptionView, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.PRESCRIPTIONS_WRITE,
                action="prescription.renew",
                resource_type=RESOURCE,
                resource_id=prescription_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            source = await uow.prescriptions.get(actor.organization_id, prescription_id)
            if source is None:
                return Failure(not_found(RESOURCE))
            if source.signed_at is None or source.status is PrescriptionStatus.CANCELLED:
                return Failure(NOT_RENEWABLE)
            patient = await uow.patients.get(actor.organization_id, source.patient_id)
            if patient is None:
                return Failure(not_found("patient"))
            own = await own_practitioner(uow, actor)
            practitioner = await prescriber(uow, actor, own.id if own is not None else source.prescriber_id)
            if isinstance(practitioner, Failure):
                return Failure(practitioner.failure())
            view = await open_draft(
                uow,
                actor,
                self._clock,
                self._ids,
                self._formulary,
                patient=patient,
                practitioner=practitioner.unwrap(),
                items=list(source.items),
                notes=source.notes,
                renewed_from_id=source.id,
                action="prescription.renew",
                details={"renewed_from_id": str(source.id)},
            )
            return Success(view)
