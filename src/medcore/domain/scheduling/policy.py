"""The organization's scheduling settings (configurable, with the defaults of the rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, FieldIssue, invalid


@dataclass(frozen=True, slots=True, kw_only=True)
class SchedulingPolicy:
    slot_granularity_minutes: int = 5
    min_notice_minutes: int = 120  # patients book at least this far ahead; staff are not bound
    max_horizon_days: int = 180  # nobody books further ahead
    patient_overlap_allowed: bool = False  # rule 2 is on by default
    late_cancel_window_minutes: int = 24 * 60
    reminder_offsets_minutes: tuple[int, ...] = (24 * 60, 120)
    calendar_detail: str = "busy"  # busy | patient_initials | patient_name: what calendar feeds show

    @property
    def granularity(self) -> timedelta:
        return timedelta(minutes=self.slot_granularity_minutes)

    @property
    def min_notice(self) -> timedelta:
        return timedelta(minutes=self.min_notice_minutes)

    @property
    def max_horizon(self) -> timedelta:
        return timedelta(days=self.max_horizon_days)

    @property
    def late_cancel_window(self) -> timedelta:
        return timedelta(minutes=self.late_cancel_window_minutes)

    def validate(self, prefix: str = "settings.scheduling") -> Result[SchedulingPolicy, DomainError]:
        issues: list[FieldIssue] = []
        if self.slot_granularity_minutes not in (5, 10, 15, 20, 30, 60):
            issues.append(FieldIssue(f"{prefix}.slot_granularity_minutes", "Use 5, 10, 15, 20, 30 or 60."))
        if not 0 <= self.min_notice_minutes <= 30 * 24 * 60:
            issues.append(FieldIssue(f"{prefix}.min_notice_minutes", "Use 0 to 43200 minutes (30 days)."))
        if not 1 <= self.max_horizon_days <= 730:
            issues.append(FieldIssue(f"{prefix}.max_horizon_days", "Use 1 to 730 days."))
        if not 0 <= self.late_cancel_window_minutes <= 14 * 24 * 60:
            issues.append(FieldIssue(f"{prefix}.late_cancel_window_minutes", "Use 0 to 20160 minutes (14 days)."))
        if len(self.reminder_offsets_minutes) > 5 or any(
            not 5 <= m <= 30 * 24 * 60 for m in self.reminder_offsets_minutes
        ):
            issues.append(
                FieldIssue(f"{prefix}.reminder_offsets_minutes", "Up to 5 offsets, each 5 minutes to 30 days.")
            )
        if self.calendar_detail not in ("busy", "patient_initials", "patient_name"):
            issues.append(FieldIssue(f"{prefix}.calendar_detail", "Use busy, patient_initials or patient_name."))
        if issues:
            return Failure(invalid("organization.invalid_settings", "Invalid scheduling settings.", *issues))
        return Success(self)
