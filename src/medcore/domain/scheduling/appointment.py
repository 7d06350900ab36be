"""Appointments and their status machine.

An appointment occupies ``[starts_at, ends_at)``; for its practitioner it also blocks the
practitioner's buffer after it (``blocked_until``). Statuses:

    requested -> confirmed | cancelled
    confirmed -> checked_in | cancelled | no_show
    checked_in -> in_progress | cancelled
    in_progress -> completed

``completed``, ``cancelled`` and ``no_show`` are final; only the occupying statuses take
time on a calendar.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.scheduling.intervals import Interval
from medcore.domain.shared.errors import DomainError, ErrorKind


class AppointmentStatus(enum.StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def occupying(self) -> bool:
        return self in OCCUPYING


OCCUPYING = frozenset(
    {
        AppointmentStatus.REQUESTED,
        AppointmentStatus.CONFIRMED,
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.IN_PROGRESS,
        AppointmentStatus.COMPLETED,
    }
)

TRANSITIONS: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    AppointmentStatus.REQUESTED: frozenset({AppointmentStatus.CONFIRMED, AppointmentStatus.CANCELLED}),
    AppointmentStatus.CONFIRMED: frozenset(
        {AppointmentStatus.CHECKED_IN, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW}
    ),
    AppointmentStatus.CHECKED_IN: frozenset({AppointmentStatus.IN_PROGRESS, AppointmentStatus.CANCELLED}),
    AppointmentStatus.IN_PROGRESS: frozenset({AppointmentStatus.COMPLETED}),
    AppointmentStatus.COMPLETED: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}


class CancellationReason(enum.StrEnum):
    PATIENT_REQUEST = "patient_request"
    PRACTITIONER_UNAVAILABLE = "practitioner_unavailable"
    CLINIC_CLOSED = "clinic_closed"
    NO_LONGER_NEEDED = "no_longer_needed"
    OTHER = "other"
    RESCHEDULED = "rescheduled"  # set by the system when an appointment is moved


@dataclass(frozen=True, slots=True)
class Cancellation:
    reason: CancellationReason
    at: datetime
    late: bool
    by: UUID | None
    note: str | None = None


def invalid_transition(current: AppointmentStatus, target: AppointmentStatus) -> DomainError:
    return DomainError(
        code="appointment.invalid_transition",
        message=f"An appointment that is {current.value} cannot become {target.value}.",
        kind=ErrorKind.CONFLICT,
        extra={"status": current.value, "requested": target.value},
    )


@dataclass(slots=True, kw_only=True)
class Appointment:
    id: UUID
    organization_id: UUID
    practitioner_id: UUID
    patient_id: UUID
    appointment_type_id: UUID | None
    room_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    buffer_minutes: int = 0  # the practitioner's buffer when booked: blocks time after the end
    status: AppointmentStatus = AppointmentStatus.REQUESTED
    reason: str | None = None  # clinical free text: never logged, never in calendar feeds
    series_id: UUID | None = None
    rescheduled_from_id: UUID | None = None
    override_reason: str | None = None  # booked outside availability by staff
    booked_by: UUID | None = None
    booked_by_patient: bool = False
    patient_exclusive: bool = True  # the organization's rule 2 when booked
    cancellation: Cancellation | None = None
    status_changed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def interval(self) -> Interval:
        return Interval(self.starts_at, self.ends_at)

    @property
    def blocked_until(self) -> datetime:
        return self.ends_at + timedelta(minutes=self.buffer_minutes)

    @property
    def practitioner_interval(self) -> Interval:
        """What the appointment takes of the practitioner's time: itself and the buffer after."""
        return Interval(self.starts_at, self.blocked_until)

    @property
    def occupying(self) -> bool:
        return self.status.occupying

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    def transition(self, target: AppointmentStatus, now: datetime) -> Result[None, DomainError]:
        """Move along the status machine (cancellation has its own method)."""
        if target is AppointmentStatus.CANCELLED or target not in TRANSITIONS[self.status]:
            return Failure(invalid_transition(self.status, target))
        self.status = target
        self.status_changed_at = now
        self.updated_at = now
        return Success(None)

    def cancel(
        self,
        reason: CancellationReason,
        now: datetime,
        late_window: timedelta,
        *,
        by: UUID | None,
        note: str | None = None,
    ) -> Result[Cancellation, DomainError]:
        """Cancel; less than ``late_window`` before the start counts as a late cancellation."""
        if AppointmentStatus.CANCELLED not in TRANSITIONS[self.status]:
            return Failure(invalid_transition(self.status, AppointmentStatus.CANCELLED))
        cancellation = Cancellation(
            reason=reason,
            at=now,
            late=reason is not CancellationReason.RESCHEDULED and self.starts_at - now < late_window,
            by=by,
            note=note,
        )
        self.status = AppointmentStatus.CANCELLED
        self.cancellation = cancellation
        self.status_changed_at = now
        self.updated_at = now
        return Success(cancellation)
