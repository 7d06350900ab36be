"""Retention: how long each class of record is kept, from which event, and what happens at
the end. Presets encode legal minimums; an organization may lengthen a period, never
shorten it below its preset (domain-rules.md section 5)."""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass, replace
from datetime import date

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, FieldIssue, invalid


class RecordClass(enum.StrEnum):
    MEDICAL_RECORD = "medical_record"  # the patient record, its history and versions
    CONSULTATION = "consultation"
    PRESCRIPTION = "prescription"  # non-controlled substances
    CONTROLLED_PRESCRIPTION = "controlled_prescription"  # any item with a controlled schedule
    APPOINTMENT = "appointment"
    NOTIFICATION = "notification"  # reminders and their deliveries
    AUDIT_EVENT = "audit_event"
    SESSION = "session"  # sessions, refresh tokens, one-time tokens
    FILE = "file"
    REPORT = "report"
    INVOICE = "invoice"


class Anchor(enum.StrEnum):
    """The event a retention period runs from."""

    CREATION = "creation"
    LAST_ACTIVITY = "last_activity"  # the patient's last visit or change
    END_OF_CARE = "end_of_care"  # the record closed (deleted) or the patient deceased
    # Minors: a policy's ``min_age_years`` keeps the record until that birthday at least.


class Disposal(enum.StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"  # identities removed, clinical and statistical content kept
    ARCHIVE = "archive"  # exported to the blob store, then deleted


@dataclass(frozen=True, slots=True)
class ClassPolicy:
    years: int
    anchor: Anchor
    action: Disposal
    min_age_years: int | None = None  # never before the patient reaches this age (minors)
    months: int = 0  # for short periods (sessions, notifications)

    def due_on(self, anchor: date, birth_date: date | None = None) -> date:
        """The first day the record may be disposed of."""
        due = _add(anchor, self.years, self.months)
        if self.min_age_years is not None and birth_date is not None:
            due = max(due, _add(birth_date, self.min_age_years, 0))
        return due

    def at_least(self, other: ClassPolicy) -> bool:
        """Whether this policy keeps records at least as long as ``other`` (the legal minimum)."""
        # Compare the period itself and the age floor separately: a probe date where the age
        # floor dominates would let a shorter period through.
        return (
            self.anchor == other.anchor
            and self.years * 12 + self.months >= other.years * 12 + other.months
            and (other.min_age_years is None or (self.min_age_years or 0) >= other.min_age_years)
        )


def _add(day: date, years: int, months: int) -> date:
    """``day`` plus whole years and months; the 29th-31st become the month's last day."""
    month_index = day.month - 1 + months
    year = day.year + years + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Preset(enum.StrEnum):
    HIPAA = "hipaa"
    FRANCE = "france"
    GDPR_MINIMAL = "gdpr-minimal"


Y = ClassPolicy
PRESETS: dict[Preset, dict[RecordClass, ClassPolicy]] = {
    # HIPAA: documentation and audit trails 6 years (45 CFR 164.316(b)(2)); medical records
    # follow state law, 6 years after the last encounter being the common floor.
    Preset.HIPAA: {
        RecordClass.MEDICAL_RECORD: Y(6, Anchor.LAST_ACTIVITY, Disposal.ANONYMISE, min_age_years=21),
        RecordClass.CONSULTATION: Y(6, Anchor.LAST_ACTIVITY, Disposal.DELETE, min_age_years=21),
        RecordClass.PRESCRIPTION: Y(6, Anchor.CREATION, Disposal.DELETE),
        RecordClass.CONTROLLED_PRESCRIPTION: Y(6, Anchor.CREATION, Disposal.DELETE),
        RecordClass.APPOINTMENT: Y(6, Anchor.CREATION, Disposal.ANONYMISE),
        RecordClass.NOTIFICATION: Y(1, Anchor.CREATION, Disposal.DELETE),
        RecordClass.AUDIT_EVENT: Y(6, Anchor.CREATION, Disposal.DELETE),
        RecordClass.SESSION: Y(0, Anchor.CREATION, Disposal.DELETE, months=3),
        RecordClass.FILE: Y(6, Anchor.LAST_ACTIVITY, Disposal.DELETE, min_age_years=21),
        RecordClass.REPORT: Y(6, Anchor.CREATION, Disposal.DELETE),
        RecordClass.INVOICE: Y(7, Anchor.CREATION, Disposal.DELETE),
    },
    # France: medical record 20 years from the last visit, and for minors at least until
    # their 28th birthday (Code de la santé publique, R.1112-7); prescriptions 3 years,
    # 10 years for controlled substances (stupéfiants).
    Preset.FRANCE: {
        RecordClass.MEDICAL_RECORD: Y(20, Anchor.LAST_ACTIVITY, Disposal.ANONYMISE, min_age_years=28),
        RecordClass.CONSULTATION: Y(20, Anchor.LAST_ACTIVITY, Disposal.DELETE, min_age_years=28),
        RecordClass.PRESCRIPTION: Y(3, Anchor.CREATION, Disposal.DELETE),
        RecordClass.CONTROLLED_PRESCRIPTION: Y(10, Anchor.CREATION, Disposal.DELETE),
        RecordClass.APPOINTMENT: Y(5, Anchor.CREATION, Disposal.ANONYMISE),
        RecordClass.NOTIFICATION: Y(1, Anchor.CREATION, Disposal.DELETE),
        RecordClass.AUDIT_EVENT: Y(6, Anchor.CREATION, Disposal.DELETE),
        RecordClass.SESSION: Y(0, Anchor.CREATION, Disposal.DELETE, months=6),
        RecordClass.FILE: Y(20, Anchor.LAST_ACTIVITY, Disposal.DELETE, min_age_years=28),
        RecordClass.REPORT: Y(20, Anchor.LAST_ACTIVITY, Disposal.DELETE, min_age_years=28),
        RecordClass.INVOICE: Y(10, Anchor.CREATION, Disposal.DELETE),
    },
    # GDPR storage limitation where no national rule says more: the shortest periods that
    # still serve care continuity, accounting and security.
    Preset.GDPR_MINIMAL: {
        RecordClass.MEDICAL_RECORD: Y(10, Anchor.LAST_ACTIVITY, Disposal.ANONYMISE, min_age_years=18),
        RecordClass.CONSULTATION: Y(10, Anchor.LAST_ACTIVITY, Disposal.DELETE, min_age_years=18),
        RecordClass.PRESCRIPTION: Y(3, Anchor.CREATION, Disposal.DELETE),
        RecordClass.CONTROLLED_PRESCRIPTION: Y(5, Anchor.CREATION, Disposal.DELETE),
        RecordClass.APPOINTMENT: Y(2, Anchor.CREATION, Disposal.ANONYMISE),
        RecordClass.NOTIFICATION: Y(0, Anchor.CREATION, Disposal.DELETE, months=6),
        RecordClass.AUDIT_EVENT: Y(3, Anchor.CREATION, Disposal.DELETE),
        RecordClass.SESSION: Y(0, Anchor.CREATION, Disposal.DELETE, months=1),
        RecordClass.FILE: Y(10, Anchor.LAST_ACTIVITY, Disposal.DELETE, min_age_years=18),
        RecordClass.REPORT: Y(10, Anchor.LAST_ACTIVITY, Disposal.DELETE, min_age_years=18),
        RecordClass.INVOICE: Y(10, Anchor.CREATION, Disposal.DELETE),
    },
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionSettings:
    """An organization's choice: a preset, and per-class lengthenings."""

    preset: Preset = Preset.GDPR_MINIMAL
    overrides: tuple[tuple[RecordClass, ClassPolicy], ...] = ()

    def policy(self, record_class: RecordClass) -> ClassPolicy:
        for overridden, policy in self.overrides:
            if overridden is record_class:
                return policy
        return PRESETS[self.preset][record_class]

    def validate(self, prefix: str = "settings.retention") -> Result[RetentionSettings, DomainError]:
        issues: list[FieldIssue] = []
        seen: set[RecordClass] = set()
        for record_class, policy in self.overrides:
            where = f"{prefix}.overrides.{record_class.value}" if prefix else f"overrides.{record_class.value}"
            if record_class in seen:
                issues.append(FieldIssue(where, "Give each record class once."))
            seen.add(record_class)
            minimum = PRESETS[self.preset][record_class]
            if not policy.at_least(minimum):
                issues.append(
                    FieldIssue(
                        where,
                        f"The {self.preset.value} preset keeps {record_class.value} records {minimum.years} years "
                        f"from {minimum.anchor.value}; a policy may lengthen that, never shorten it.",
                    )
                )
            if not 0 <= policy.years <= 100 or not 0 <= policy.months <= 11:
                issues.append(FieldIssue(where, "Use 0-100 years and 0-11 months."))
        if issues:
            return Failure(invalid("organization.invalid_settings", "Invalid retention settings.", *issues))
        return Success(self)

    def with_override(self, record_class: RecordClass, policy: ClassPolicy) -> RetentionSettings:
        kept = tuple((c, p) for c, p in self.overrides if c is not record_class)
        return replace(self, overrides=(*kept, (record_class, policy)))
