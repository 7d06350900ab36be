"""Prescriptions: items, statuses, signing with acknowledged warnings.

Statuses: ``draft -> signed -> dispensed | partially_dispensed``, ``draft | signed ->
cancelled``, ``signed -> expired`` after the validity (default 90 days). A signed
prescription is immutable; a change makes a new prescription that replaces it (renewal).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.prescribing.units import UNITS
from medcore.domain.shared.errors import DomainError, ErrorKind, FieldIssue, conflict, invalid

DEFAULT_VALIDITY = timedelta(days=90)
MAX_ITEMS = 20
MAX_INSTRUCTIONS = 500
# The routes a prescription item may name (the formulary lists those of each medication).
ROUTES = frozenset(
    {
        "oral",
        "sublingual",
        "inhaled",
        "subcutaneous",
        "intramuscular",
        "intravenous",
        "topical",
        "rectal",
        "vaginal",
        "nasal",
        "ophthalmic",
        "transdermal",
    }
)
_ATC_SUBSTANCE = re.compile(r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$")


class Keep(enum.Enum):
    """A field a revision leaves as it is (``None`` clears an optional one)."""

    KEEP = "keep"


KEEP = Keep.KEEP


class PrescriptionStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    DISPENSED = "dispensed"
    PARTIALLY_DISPENSED = "partially_dispensed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class FrequencyKind(enum.StrEnum):
    TIMES_PER_DAY = "times_per_day"
    INTERVAL_HOURS = "interval_hours"
    AS_NEEDED = "as_needed"  # with a maximum number of doses per day


@dataclass(frozen=True, slots=True)
class Frequency:
    kind: FrequencyKind
    value: float  # times per day, hours between doses, or the as-needed maximum per day

    @property
    def doses_per_day(self) -> float:
        """The most doses a day this frequency allows (as-needed counts at its maximum)."""
        if self.kind is FrequencyKind.INTERVAL_HOURS:
            return 24 / self.value
        return self.value


@dataclass(frozen=True, slots=True)
class PrescriptionItem:
    medication_code: str
    dose_amount: float
    dose_unit: str
    route: str
    frequency: Frequency
    duration_days: int
    quantity: int  # doses to dispense per fill
    refills: int = 0
    instructions: str | None = None

    @property
    def daily_doses(self) -> float:
        return self.frequency.doses_per_day

    def check(self, index: int) -> list[FieldIssue]:
        where = f"items.{index}"
        issues: list[FieldIssue] = []
        if not _ATC_SUBSTANCE.match(self.medication_code):
            issues.append(
                FieldIssue(
                    f"{where}.medication_code", "Use the ATC code of a substance (7 characters, such as J01CA04)."
                )
            )
        if self.dose_unit not in UNITS:
            issues.append(FieldIssue(f"{where}.dose_unit", f"Use one of: {', '.join(sorted(UNITS))}."))
        if self.route not in ROUTES:
            issues.append(FieldIssue(f"{where}.route", f"Use one of: {', '.join(sorted(ROUTES))}."))
        if self.instructions is not None and not 1 <= len(self.instructions.strip()) <= MAX_INSTRUCTIONS:
            issues.append(FieldIssue(f"{where}.instructions", f"Use 1-{MAX_INSTRUCTIONS} characters, or leave it out."))
        if not 0 < self.dose_amount <= 100_000:
            issues.append(FieldIssue(f"{where}.dose_amount", "Must be a positive amount."))
        if not 1 <= self.duration_days <= 365:
            issues.append(FieldIssue(f"{where}.duration_days", "Use 1 to 365 days."))
        if not 1 <= self.quantity <= 10_000:
            issues.append(FieldIssue(f"{where}.quantity", "Use 1 to 10000."))
        if not 0 <= self.refills <= 12:
            issues.append(FieldIssue(f"{where}.refills", "Use 0 to 12."))
        frequency = self.frequency
        if frequency.kind is FrequencyKind.INTERVAL_HOURS and not 1 <= frequency.value <= 168:
            issues.append(FieldIssue(f"{where}.interval_hours", "Use 1 to 168 hours."))
        elif frequency.kind is not FrequencyKind.INTERVAL_HOURS and not 0 < frequency.value <= 24:
            name = "frequency_per_day" if frequency.kind is FrequencyKind.TIMES_PER_DAY else "as_needed_max_per_day"
            issues.append(FieldIssue(f"{where}.{name}", "Use a positive number of doses a day, at most 24."))
        return issues


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One result of validation. ``items`` are indexes into the prescription's items."""

    code: str
    severity: Severity
    items: tuple[int, ...]
    message: str


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    code: str
    item_index: int
    reason: str
    by: UUID | None = None
    at: datetime | None = None


def unacknowledged(findings: list[Finding], acknowledgements: list[Acknowledgement]) -> list[Finding]:
    """The findings that block signing: every error, and every warning not acknowledged for
    each of its items (an acknowledgement names a code and an item)."""
    acknowledged = {(a.code, a.item_index) for a in acknowledgements if a.reason.strip()}
    blocking: list[Finding] = []
    for finding in findings:
        if finding.severity is Severity.ERROR or (
            finding.severity is Severity.WARNING and not all((finding.code, i) in acknowledged for i in finding.items)
        ):
            blocking.append(finding)
    return blocking


def _immutable(status: PrescriptionStatus) -> DomainError:
    return conflict(
        "prescription.not_draft", f"A {status.value.replace('_', ' ')} prescription cannot change; renew it instead."
    )


@dataclass(slots=True, kw_only=True)
class Prescription:
    id: UUID
    organization_id: UUID
    patient_id: UUID
    prescriber_id: UUID  # a practitioner
    items: list[PrescriptionItem]
    status: PrescriptionStatus = PrescriptionStatus.DRAFT
    consultation_id: UUID | None = None
    notes: str | None = None
    acknowledgements: list[Acknowledgement] = field(default_factory=list)
    signed_at: datetime | None = None
    signed_by: UUID | None = None  # the user who signed
    valid_until: date | None = None
    verification_hash: str | None = None
    renewed_from_id: UUID | None = None
    cancelled_at: datetime | None = None
    cancellation_reason: str | None = None
    dispensed_at: datetime | None = None
    formulary_version: str | None = None
    created_by: UUID | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @staticmethod
    def check_items(items: list[PrescriptionItem]) -> Result[None, DomainError]:
        issues: list[FieldIssue] = []
        if not 1 <= len(items) <= MAX_ITEMS:
            issues.append(FieldIssue("items", f"Give 1 to {MAX_ITEMS} items."))
        for index, item in enumerate(items):
            issues.extend(item.check(index))
        if issues:
            return Failure(invalid("validation_failed", "Some items are not valid.", *issues))
        return Success(None)

    @property
    def draft(self) -> bool:
        return self.status is PrescriptionStatus.DRAFT

    def revise(
        self,
        *,
        items: list[PrescriptionItem] | Keep = KEEP,
        notes: str | Keep | None = KEEP,
        consultation_id: UUID | Keep | None = KEEP,
        now: datetime,
    ) -> Result[tuple[str, ...], DomainError]:
        """Change a draft; answers the names of the fields whose value changed."""
        if not self.draft:
            return Failure(_immutable(self.status))
        changed: list[str] = []
        if not isinstance(items, Keep):
            checked = self.check_items(items)
            if isinstance(checked, Failure):
                return Failure(checked.failure())
            if items != self.items:
                self.items = list(items)
                self.acknowledgements = []  # acknowledgements name items by position
                changed.append("items")
        if not isinstance(notes, Keep) and notes != self.notes:
            self.notes = notes
            changed.append("notes")
        if not isinstance(consultation_id, Keep) and consultation_id != self.consultation_id:
            self.consultation_id = consultation_id
            changed.append("consultation_id")
        if changed:
            self.updated_at = now
        return Success(tuple(changed))

    def sign(
        self,
        findings: list[Finding],
        acknowledgements: list[Acknowledgement],
        *,
        by: UUID,
        now: datetime,
        today: date,
        verification_hash: str,
        formulary_version: str,
        validity: timedelta = DEFAULT_VALIDITY,
    ) -> Result[None, DomainError]:
        """Sign if no error and every warning is acknowledged with a reason."""
        if not self.draft:
            return Failure(_immutable(self.status))
        blocking = unacknowledged(findings, acknowledgements)
        if blocking:
            return Failure(
                DomainError(
                    code="prescription.validation_failed",
                    message="The prescription cannot be signed: resolve the errors and acknowledge each warning with a reason.",
                    kind=ErrorKind.CONFLICT,
                    extra={"findings": blocking},
                )
            )
        relevant = {(f.code, i) for f in findings if f.severity is Severity.WARNING for i in f.items}
        self.acknowledgements = [
            Acknowledgement(a.code, a.item_index, a.reason.strip(), by, now)
            for a in acknowledgements
            if (a.code, a.item_index) in relevant
        ]
        self.status = PrescriptionStatus.SIGNED
        self.signed_at = now
        self.signed_by = by
        self.valid_until = today + validity
        self.verification_hash = verification_hash
        self.formulary_version = formulary_version
        self.updated_at = now
        return Success(None)

    def cancel(self, reason: str, now: datetime) -> Result[None, DomainError]:
        if self.status not in (PrescriptionStatus.DRAFT, PrescriptionStatus.SIGNED):
            return Failure(
                conflict(
                    "prescription.invalid_transition",
                    f"A {self.status.value.replace('_', ' ')} prescription cannot be cancelled.",
                )
            )
        self.status = PrescriptionStatus.CANCELLED
        self.cancelled_at = now
        self.cancellation_reason = reason
        self.updated_at = now
        return Success(None)

    def dispense(self, partial: bool, now: datetime, today: date) -> Result[None, DomainError]:
        if self.status not in (PrescriptionStatus.SIGNED, PrescriptionStatus.PARTIALLY_DISPENSED):
            return Failure(conflict("prescription.invalid_transition", "Only a signed prescription can be dispensed."))
        if self.valid_until is not None and today > self.valid_until:
            return Failure(conflict("prescription.expired", "This prescription has expired."))
        self.status = PrescriptionStatus.PARTIALLY_DISPENSED if partial else PrescriptionStatus.DISPENSED
        self.dispensed_at = now
        self.updated_at = now
        return Success(None)

    def expire_if_due(self, today: date, now: datetime) -> bool:
        if self.status is PrescriptionStatus.SIGNED and self.valid_until is not None and today > self.valid_until:
            self.status = PrescriptionStatus.EXPIRED
            self.updated_at = now
            return True
        return False

    def valid_on(self, today: date) -> bool:
        return (
            self.status in (PrescriptionStatus.SIGNED, PrescriptionStatus.PARTIALLY_DISPENSED)
            and self.valid_until is not None
            and today <= self.valid_until
        )
