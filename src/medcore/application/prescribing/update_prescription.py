"""UpdatePrescription: change a draft's items, notes or consultation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.prescribing.access import RESOURCE, writable_prescription
from medcore.application.prescribing.drafting import PrescriptionView, check_consultation, check_notes, counts
from medcore.application.prescribing.facts import assess
from medcore.application.prescribing.items import ItemInput, parse_items
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.prescribing.prescription import KEEP, Keep, PrescriptionItem
from medcore.domain.shared.errors import DomainError, FieldIssue, invalid, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdatePrescriptionCommand:
    prescription_id: UUID
    items: Sequence[ItemInput] | Keep = KEEP
    notes: str | Keep | None = KEEP
    consultation_id: UUID | Keep | None = KEEP
    expected_version: int | None = None


class UpdatePrescription:
    """Merge the given fields into a draft (``prescriptions:write``); the answer carries the
    findings of the draft as it now stands. New items replace the old ones and clear the
    acknowledgements (which name items by position). A signed prescription never changes:
    renew it instead (409 ``prescription.not_draft``). With ``expected_version`` (from
    ``If-Match``) the change applies only if nobody changed the draft since it was read."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, formulary: Formulary) -> None:
        self._uow = uow
        self._clock = clock
        self._formulary = formulary

    async def execute(self, actor: Actor, command: UpdatePrescriptionCommand) -> Result[PrescriptionView, DomainError]:
        async with self._uow() as uow:
            found = await writable_prescription(
                uow, actor, Permission.PRESCRIPTIONS_WRITE, command.prescription_id, action="prescription.update"
            )
            if isinstance(found, Failure):
                return Failure(found.failure())
            prescription = found.unwrap()
            if command.expected_version is not None and command.expected_version != prescription.version:
                return Failure(version_mismatch(RESOURCE))
            issues: list[FieldIssue] = []
            items: list[PrescriptionItem] | Keep = KEEP
            if not isinstance(command.items, Keep):
                parsed = parse_items(command.items)
                if isinstance(parsed, Failure):
                    issues.extend(parsed.failure().fields)
                else:
                    items = parsed.unwrap()
            notes: str | Keep | None = KEEP
            if not isinstance(command.notes, Keep):
                checked = check_notes(command.notes)
                if isinstance(checked, Failure):
                    issues.append(checked.failure())
                else:
                    notes = checked.unwrap()
            if not isinstance(command.consultation_id, Keep) and prescription.draft:
                linked = await check_consultation(uow, actor, command.consultation_id, prescription.patient_id)
                if isinstance(linked, Failure):
                    issues.extend(linked.failure().fields)
            if issues and prescription.draft:
                return Failure(invalid("validation_failed", "Some fields are not valid.", *issues))
            now = self._clock.now()
            revised = prescription.revise(items=items, notes=notes, consultation_id=command.consultation_id, now=now)
            if isinstance(revised, Failure):
                return Failure(revised.failure())
            changed = revised.unwrap()
            if changed and not await uow.prescriptions.save(prescription):
                return Failure(version_mismatch(RESOURCE))
            findings = await assess(uow, actor, self._formulary, prescription, now)
            if isinstance(findings, Failure):
                return Failure(findings.failure())
            await uow.audit.record(
                actor.audit(
                    "prescription.update",
                    resource_type=RESOURCE,
                    resource_id=prescription.id,
                    patient_id=prescription.patient_id,
                    details={"fields": ",".join(changed), **counts(findings.unwrap())},
                )
            )
            await uow.commit()
            return Success(PrescriptionView(prescription, findings.unwrap()))
