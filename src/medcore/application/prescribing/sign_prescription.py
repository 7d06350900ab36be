"""SignPrescription: the prescriber signs a draft that has no error and whose every warning
is acknowledged with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE
from medcore.application.prescribing.drafting import PrescriptionView, counts
from medcore.application.prescribing.facts import findings_for, local_today, parties
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWork, UnitOfWorkFactory
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.prescribing.ports import VerificationCodes
from medcore.domain.prescribing.prescription import Acknowledgement, Prescription, PrescriptionStatus
from medcore.domain.prescribing.verification import code_digest
from medcore.domain.shared.errors import DomainError, FieldIssue, forbidden, invalid, not_found, version_mismatch
from medcore.domain.shared.ports import Clock

MAX_REASON = 500
NOT_THE_PRESCRIBER = forbidden("prescription.not_prescriber", "Only the prescriber signs a prescription.")


@dataclass(frozen=True, slots=True, kw_only=True)
class AcknowledgementInput:
    code: str  # a warning's code, such as ``prescription.interaction``
    item_index: int  # one of the items the warning names
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SignPrescriptionCommand:
    prescription_id: UUID
    acknowledgements: Sequence[AcknowledgementInput] = ()
    expected_version: int | None = None


def _acknowledgements(raw: Sequence[AcknowledgementInput], items: int) -> Result[list[Acknowledgement], DomainError]:
    issues: list[FieldIssue] = []
    kept: dict[tuple[str, int], Acknowledgement] = {}
    for index, given in enumerate(raw):
        reason = given.reason.strip()
        if not 1 <= len(reason) <= MAX_REASON:
            issues.append(
                FieldIssue(f"acknowledgements.{index}.reason", f"Give a reason of 1-{MAX_REASON} characters.")
            )
        if not 0 <= given.item_index < items:
            issues.append(
                FieldIssue(f"acknowledgements.{index}.item_index", f"Use an item index from 0 to {items - 1}.")
            )
        kept.setdefault(
            (given.code.strip(), given.item_index), Acknowledgement(given.code.strip(), given.item_index, reason)
        )
    if issues:
        return Failure(invalid("validation_failed", "Some acknowledgements are not valid.", *issues))
    return Success(list(kept.values()))


class SignPrescription:
    """Needs ``prescriptions:sign``, and only the prescriber's own account signs (403
    ``prescription.not_prescriber`` for anyone else). The draft is validated again against
    the records as they are now: any error, or a warning without an acknowledgement
    (``{code, item_index, reason}``, for each item the warning names), refuses the
    signature with 409 ``prescription.validation_failed`` listing the blocking findings.
    Acknowledged warnings and their reasons are kept on the prescription and audited.

    A signed prescription is valid for 90 days from its date (in the prescriber's time
    zone) and carries a verification code for pharmacists, of which only a digest is
    stored. Signing a renewal cancels the prescription it renews if that one is still
    signed and not dispensed: the new one replaces it."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, formulary: Formulary, codes: VerificationCodes) -> None:
        self._uow = uow
        self._clock = clock
        self._formulary = formulary
        self._codes = codes

    async def execute(self, actor: Actor, command: SignPrescriptionCommand) -> Result[PrescriptionView, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.PRESCRIPTIONS_SIGN,
                action="prescription.sign",
                resource_type=RESOURCE,
                resource_id=command.prescription_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            prescription = await uow.prescriptions.get(actor.organization_id, command.prescription_id, lock=True)
            if prescription is None:
                return Failure(not_found(RESOURCE))
            if command.expected_version is not None and command.expected_version != prescription.version:
                return Failure(version_mismatch(RESOURCE))
            found = await parties(uow, prescription)
            if isinstance(found, Failure):
                return Failure(found.failure())
            patient, practitioner = found.unwrap()
            if actor.user_id is None or practitioner.user_id != actor.user_id:
                await self._refuse(uow, actor, prescription, Outcome.DENIED, {"reason": "not_prescriber"})
                return Failure(NOT_THE_PRESCRIBER)
            acknowledgements = _acknowledgements(command.acknowledgements, len(prescription.items))
            if isinstance(acknowledgements, Failure) and prescription.draft:
                return Failure(acknowledgements.failure())
            now = self._clock.now()
            today = local_today(practitioner, now)
            findings = await findings_for(
                uow,
                actor,
                self._formulary,
                items=prescription.items,
                patient=patient,
                practitioner=practitioner,
                today=today,
            )
            signed = prescription.sign(
                findings,
                acknowledgements.value_or([]),
                by=actor.id,
                now=now,
                today=today,
                verification_hash=code_digest(self._codes.code_for(prescription.id)),
                formulary_version=self._formulary.version,
            )
            if isinstance(signed, Failure):
                if signed.failure().code == "prescription.validation_failed":
                    await self._refuse(uow, actor, prescription, Outcome.FAILURE, counts(findings))
                return Failure(signed.failure())
            if not await uow.prescriptions.save(prescription):
                return Failure(version_mismatch(RESOURCE))
            await uow.audit.record(
                actor.audit(
                    "prescription.sign",
                    resource_type=RESOURCE,
                    resource_id=prescription.id,
                    patient_id=prescription.patient_id,
                    details={
                        "acknowledged": ",".join(f"{a.code}@{a.item_index}" for a in prescription.acknowledgements),
                        "valid_until": prescription.valid_until.isoformat() if prescription.valid_until else None,
                        **counts(findings),
                    },
                )
            )
            await self._replace_renewed(uow, actor, prescription)
            await uow.commit()
            return Success(PrescriptionView(prescription, findings))

    async def _refuse(
        self,
        uow: UnitOfWork,
        actor: Actor,
        prescription: Prescription,
        outcome: Outcome,
        details: dict[str, str | int | bool | None],
    ) -> None:
        """Record the refused signature (the attempt changed nothing else)."""
        await uow.audit.record(
            actor.audit(
                "prescription.sign",
                outcome=outcome,
                resource_type=RESOURCE,
                resource_id=prescription.id,
                patient_id=prescription.patient_id,
                details=details,
            )
        )
        await uow.commit()

    async def _replace_renewed(self, uow: UnitOfWork, actor: Actor, prescription: Prescription) -> None:
        if prescription.renewed_from_id is None:
            return
        original = await uow.prescriptions.get(actor.organization_id, prescription.renewed_from_id, lock=True)
        if original is None or original.status is not PrescriptionStatus.SIGNED:
            return
        assert prescription.signed_at is not None
        original.cancel(f"Replaced by the renewal {prescription.id}.", prescription.signed_at)
        if await uow.prescriptions.save(original):
            await uow.audit.record(
                actor.audit(
                    "prescription.cancel",
                    resource_type=RESOURCE,
                    resource_id=original.id,
                    patient_id=original.patient_id,
                    details={"reason": "replaced", "replaced_by": str(prescription.id)},
                )
            )
