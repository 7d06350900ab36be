"""What a GDPR erasure does with each record of a patient: pure, so that the dry run and
the real erasure answer the same, and so that the rule can be checked on its own.

The rule (domain-rules.md section 5): erasure removes or anonymises what no retention law
requires keeping, and says what was kept and why.

- A record covered by an active legal hold is kept, whatever its age: the hold is its basis.
- A record whose retention period is still running is kept: the organization's preset, the
  record class, the period and the day it ends are its basis. Periods that run from the end
  of care start on the day of the erasure (the request ends the care relationship).
- Any other record is disposed of now by its class's action: ``anonymise`` anonymises,
  ``delete`` and ``archive`` delete (an erasure does not keep an archived copy of what the
  patient asked to be erased).
- Personal data used only to serve the patient (contact details, the portal account and its
  sessions, pending reminders, waitlist entries, future appointments) no retention class
  requires: it goes, unless a hold covers the patient.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from medcore.domain.compliance.disposal import RetentionCandidate
from medcore.domain.compliance.holds import LegalHold
from medcore.domain.compliance.retention import Anchor, Disposal, RetentionSettings


class ErasureOutcome(enum.StrEnum):
    ERASED = "erased"  # deleted
    ANONYMISED = "anonymised"  # identities removed, the clinical content kept
    KEPT = "kept"


class BasisKind(enum.StrEnum):
    RETENTION = "retention"  # a retention period still running
    LEGAL_HOLD = "legal_hold"
    AUDIT_INTEGRITY = "audit_integrity"  # the audit trail: kept, its raw addresses erased
    OWNER_ROLE_NEEDED = "owner_role_needed"  # the database role may not redact the trail: use the CLI


@dataclass(frozen=True, slots=True, kw_only=True)
class LegalBasis:
    """Why a record was kept."""

    kind: BasisKind
    preset: str | None = None
    record_class: str | None = None
    years: int | None = None
    months: int | None = None
    anchor: str | None = None
    until: date | None = None  # the first day the record may go
    hold_ids: tuple[UUID, ...] = ()
    hold_reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ErasureDecision:
    candidate: RetentionCandidate
    outcome: ErasureOutcome
    basis: LegalBasis | None = None  # set when kept

    @property
    def disposal(self) -> Disposal | None:
        """The action to ask of the record's source, when it goes."""
        if self.outcome is ErasureOutcome.ANONYMISED:
            return Disposal.ANONYMISE
        if self.outcome is ErasureOutcome.ERASED:
            return Disposal.DELETE
        return None


def holds_covering(
    holds: Iterable[LegalHold], patient_id: UUID | None, practitioner_ids: frozenset[UUID] = frozenset()
) -> tuple[LegalHold, ...]:
    return tuple(h for h in holds if h.covers(patient_id=patient_id, practitioner_ids=practitioner_ids))


def hold_basis(holding: Sequence[LegalHold]) -> LegalBasis:
    return LegalBasis(
        kind=BasisKind.LEGAL_HOLD,
        hold_ids=tuple(h.id for h in holding),
        hold_reasons=tuple(h.reason for h in holding),
    )


def decide_erasure(
    candidate: RetentionCandidate, settings: RetentionSettings, holds: Iterable[LegalHold], today: date
) -> ErasureDecision:
    holding = holds_covering(holds, candidate.patient_id, candidate.practitioner_ids)
    if holding:
        return ErasureDecision(candidate=candidate, outcome=ErasureOutcome.KEPT, basis=hold_basis(holding))
    policy = settings.policy(candidate.record_class)
    anchor = candidate.anchor_date(policy.anchor)
    if anchor is None or (policy.anchor is Anchor.END_OF_CARE and anchor > today):
        anchor = today  # still in care until now: the erasure request ends it
    due = policy.due_on(anchor, candidate.patient_birth_date)
    if today < due:
        return ErasureDecision(
            candidate=candidate,
            outcome=ErasureOutcome.KEPT,
            basis=LegalBasis(
                kind=BasisKind.RETENTION,
                preset=settings.preset.value,
                record_class=candidate.record_class.value,
                years=policy.years,
                months=policy.months,
                anchor=policy.anchor.value,
                until=due,
            ),
        )
    outcome = ErasureOutcome.ANONYMISED if policy.action is Disposal.ANONYMISE else ErasureOutcome.ERASED
    return ErasureDecision(candidate=candidate, outcome=outcome)


class PersonalData(enum.StrEnum):
    """Data that serves only to reach or serve the patient: no retention class keeps it."""

    CONTACT_DETAILS = "contact_details"  # email, phone, preferred channel (in the record and its versions)
    PORTAL_ACCOUNT = "portal_account"  # the patient's account: deactivated, identity removed
    SESSIONS = "sessions"  # the account's sessions, refresh and one-time tokens
    PENDING_REMINDERS = "pending_reminders"  # appointment reminders not sent, active health reminders
    WAITLIST_ENTRIES = "waitlist_entries"
    FUTURE_APPOINTMENTS = "future_appointments"  # cancelled, then anonymised
    AUDIT_ADDRESSES = "audit_addresses"  # raw IP and user agent of the account's own audit events


def personal_data_outcome(category: PersonalData) -> ErasureOutcome:
    if category in (PersonalData.PORTAL_ACCOUNT, PersonalData.FUTURE_APPOINTMENTS):
        return ErasureOutcome.ANONYMISED
    return ErasureOutcome.ERASED


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonalDataFinding:
    """What an erasure found of one category (ids of the rows concerned; for contact
    details, the names of the fields set)."""

    category: PersonalData
    record_ids: tuple[UUID, ...] = ()
    fields: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.record_ids and not self.fields


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonalDataDecision:
    finding: PersonalDataFinding
    outcome: ErasureOutcome
    basis: LegalBasis | None = None


def decide_personal_data(
    finding: PersonalDataFinding, patient_id: UUID, holds: Iterable[LegalHold]
) -> PersonalDataDecision:
    holding = holds_covering(holds, patient_id)
    if holding:
        return PersonalDataDecision(finding=finding, outcome=ErasureOutcome.KEPT, basis=hold_basis(holding))
    return PersonalDataDecision(finding=finding, outcome=personal_data_outcome(finding.category))
