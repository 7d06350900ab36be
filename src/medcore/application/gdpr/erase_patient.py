"""ErasePatient: the GDPR right to erasure, within what the law requires keeping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.gdpr.report import ErasureLine, ErasureReport, grouped
from medcore.application.patients.recording import record_version
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWork, UnitOfWorkFactory
from medcore.domain.compliance.holds import LegalHold
from medcore.domain.compliance.ports import DisposalRecord, RecordSource
from medcore.domain.compliance.retention import RecordClass, RetentionSettings
from medcore.domain.gdpr.erasure import (
    BasisKind,
    ErasureDecision,
    ErasureOutcome,
    LegalBasis,
    PersonalData,
    PersonalDataDecision,
    decide_erasure,
    decide_personal_data,
    hold_basis,
    holds_covering,
)
from medcore.domain.gdpr.ports import AuditRedactionRefused
from medcore.domain.identity.permissions import Permission
from medcore.domain.patients.versions import VersionAction, VersionedResource
from medcore.domain.shared.errors import DomainError, not_found
from medcore.domain.shared.ports import Clock, IdGenerator

ACTION = "patient.erasure"


@dataclass(frozen=True, slots=True)
class ErasePatientCommand:
    patient_id: UUID
    dry_run: bool = False


class ErasePatient:
    """Erases or anonymises what no retention rule or legal hold requires keeping, and
    answers, per record class, what was erased, anonymised and kept, with the legal basis
    of what was kept (the preset, class, period and the day it ends; or the hold).

    Always removed unless a hold covers the patient: contact details (email, phone, in the
    record and its earlier versions), the portal account (deactivated, identity removed)
    and its sessions, pending reminders, waitlist entries, future appointments (cancelled,
    then anonymised), the raw IP addresses and user agents of the account's audit events.
    The audit events themselves stay (they hold ids and codes only, and the chain must
    verify). Records of a retention class go when their period has ended, by the class's
    action. ``dry_run`` answers the same without changing anything. Needs
    ``patients:erase`` (owners, admins); the record may already be deleted. Audited."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, actor: Actor, command: ErasePatientCommand) -> Result[ErasureReport, DomainError]:
        patient_id = command.patient_id
        async with self._uow() as uow:
            allowed = await authorize(
                uow, actor, Permission.PATIENTS_ERASE, action=ACTION, resource_type="patient", resource_id=patient_id
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            org = actor.organization_id
            subject = await uow.personal_data.subject(org, patient_id, lock=not command.dry_run)
            if subject is None:
                return Failure(not_found("patient"))
            organization = await uow.organizations.get(org)
            assert organization is not None, "an actor's organization exists"
            settings = organization.settings.retention
            holds = await uow.legal_holds.active(org)
            now = self._clock.now()

            findings = await uow.personal_data.find(org, patient_id, now)
            personal = [decide_personal_data(f, patient_id, holds) for f in findings if not f.empty]
            # Rows the personal-data step removes (sessions, pending reminders, future
            # appointments) are reported there, not again under their retention class.
            taken = {
                record_id
                for d in personal
                if d.finding.category is not PersonalData.CONTACT_DETAILS and d.outcome is not ErasureOutcome.KEPT
                for record_id in d.finding.record_ids
            }
            records = await _decide_records(uow, org, patient_id, settings, holds, now, taken)

            if not command.dry_run:
                personal = [await self._erase(uow, actor, patient_id, d) for d in personal]
                for source, decision in records:
                    await self._dispose(uow, actor, source, decision)
                if any(
                    d.finding.category in (PersonalData.CONTACT_DETAILS, PersonalData.PORTAL_ACCOUNT)
                    and d.outcome is not ErasureOutcome.KEPT
                    for d in personal
                ):
                    await self._record_version(uow, actor, patient_id)

            lines = [_personal_line(d) for d in personal]
            for source in {s.record_class: s for s, _ in records}.values():
                lines += grouped(
                    source.record_class.value,
                    (
                        (d.candidate.record_id, d.outcome, d.basis)
                        for s, d in records
                        if s.record_class is source.record_class
                    ),
                )
            lines.append(await _audit_line(uow, org, patient_id, settings, holds))
            report = ErasureReport(patient_id, command.dry_run, now, tuple(lines))
            if not command.dry_run:
                await uow.gdpr_erasures.add(
                    id=self._ids.new_id(),
                    organization_id=org,
                    patient_id=patient_id,
                    requested_by_type=actor.actor_type.value,
                    requested_by=actor.id,
                    summary=report.summary(),
                    created_at=now,
                )
            await uow.audit.record(
                actor.audit(
                    ACTION + (".preview" if command.dry_run else ""),
                    resource_type="patient",
                    resource_id=patient_id,
                    patient_id=patient_id,
                    details={
                        "dry_run": command.dry_run,
                        "erased": report.count(ErasureOutcome.ERASED),
                        "anonymised": report.count(ErasureOutcome.ANONYMISED),
                        "kept": report.count(ErasureOutcome.KEPT),
                        "held": bool(holds_covering(holds, patient_id)),
                    },
                )
            )
            await uow.commit()
            return Success(report)

    async def _erase(
        self, uow: UnitOfWork, actor: Actor, patient_id: UUID, decision: PersonalDataDecision
    ) -> PersonalDataDecision:
        if decision.outcome is ErasureOutcome.KEPT:
            return decision
        category = decision.finding.category
        try:
            rows = await uow.personal_data.erase(actor.organization_id, patient_id, decision.finding, self._clock.now())
        except AuditRedactionRefused:
            return PersonalDataDecision(
                finding=decision.finding,
                outcome=ErasureOutcome.KEPT,
                basis=LegalBasis(kind=BasisKind.OWNER_ROLE_NEEDED),
            )
        await uow.audit.record(
            actor.audit(
                f"{ACTION}.personal_data",
                resource_type=category.value,
                patient_id=patient_id,
                details={"category": category.value, "outcome": decision.outcome.value, "rows": rows},
            )
        )
        return decision

    async def _dispose(self, uow: UnitOfWork, actor: Actor, source: RecordSource, decision: ErasureDecision) -> None:
        action = decision.disposal
        if action is None:
            return
        candidate = decision.candidate
        done = await source.dispose(actor.organization_id, candidate.record_id, action)
        if not done:
            return
        now = self._clock.now()
        await uow.retention_ledger.record(
            DisposalRecord(
                id=self._ids.new_id(),
                organization_id=actor.organization_id,
                run_id=None,
                record_class=candidate.record_class,
                source=source.name,
                record_id=candidate.record_id,
                patient_id=candidate.patient_id,
                action=action,
                disposed_at=now,
            )
        )
        await uow.audit.record(
            actor.audit(
                f"{ACTION}.dispose",
                resource_type=candidate.record_class.value,
                resource_id=candidate.record_id,
                patient_id=candidate.patient_id,
                details={"source": source.name, "action": action.value},
            )
        )

    async def _record_version(self, uow: UnitOfWork, actor: Actor, patient_id: UUID) -> None:
        """The record's version history shows the erasure (a deleted record has no new version)."""
        patient = await uow.patients.get(actor.organization_id, patient_id)
        if patient is None:
            return
        await record_version(
            uow,
            self._ids,
            actor,
            patient_id=patient_id,
            resource_type=VersionedResource.PATIENT,
            resource_id=patient_id,
            action=VersionAction.UPDATE,
            changed_fields=("email", "phone", "preferred_channel", "user_id"),
            snapshot=patient.snapshot(),
            now=self._clock.now(),
        )


async def _decide_records(
    uow: UnitOfWork,
    organization_id: UUID,
    patient_id: UUID,
    settings: RetentionSettings,
    holds: Sequence[LegalHold],
    now: datetime,
    taken: set[UUID],
) -> list[tuple[RecordSource, ErasureDecision]]:
    decided: list[tuple[RecordSource, ErasureDecision]] = []
    for source in uow.record_sources:
        if source.record_class is RecordClass.AUDIT_EVENT:
            continue  # the trail stays whole: see the audit line
        for candidate in await source.candidates(organization_id, now=now, patient_id=patient_id):
            if candidate.record_id in taken:
                continue
            decided.append((source, decide_erasure(candidate, settings, holds, now.date())))
    return decided


def _personal_line(decision: PersonalDataDecision) -> ErasureLine:
    finding = decision.finding
    return ErasureLine(
        subject=finding.category.value,
        outcome=decision.outcome,
        record_ids=finding.record_ids,
        basis=decision.basis,
        count=len(finding.fields) if finding.category is PersonalData.CONTACT_DETAILS else None,
    )


async def _audit_line(
    uow: UnitOfWork, organization_id: UUID, patient_id: UUID, settings: RetentionSettings, holds: Sequence[LegalHold]
) -> ErasureLine:
    """The audit events about the patient stay: they hold ids and codes, never the erased
    values, and the chain must still verify; the retention job disposes of them in order."""
    count = await uow.personal_data.audit_events_about(organization_id, patient_id)
    holding = holds_covering(holds, patient_id)
    policy = settings.policy(RecordClass.AUDIT_EVENT)
    basis = (
        hold_basis(holding)
        if holding
        else LegalBasis(
            kind=BasisKind.AUDIT_INTEGRITY,
            preset=settings.preset.value,
            record_class=RecordClass.AUDIT_EVENT.value,
            years=policy.years,
            months=policy.months,
            anchor=policy.anchor.value,
        )
    )
    return ErasureLine(
        subject=RecordClass.AUDIT_EVENT.value, outcome=ErasureOutcome.KEPT, record_ids=(), basis=basis, count=count
    )
