"""Request and response bodies of appointments, availability, waitlist and calendars."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from medcore.application.scheduling.appointment_stats import StatsGroup
from medcore.application.scheduling.book_appointment import Booking, SkippedOccurrence
from medcore.domain.scheduling.appointment import Appointment, AppointmentStatus, CancellationReason
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.rules import Conflict, ConflictKind
from medcore.domain.scheduling.waitlist import WaitlistEntry, WaitlistStatus
from medcore.entrypoints.http.listing import PageInfo
from medcore.entrypoints.http.problems import Problem
from medcore.entrypoints.http.schemas.common import ShortText

LongText = Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^[^\x00]*$")]
Rrule = Annotated[str, msgspec.Meta(max_length=500, pattern=r"^[^\x00]*$")]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=1440)]
Scope = Literal["this", "following", "all"]
Instant = Annotated[datetime, msgspec.Meta(tz=True)]  # naive times are ambiguous: refused


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def _utc_or_none(instant: datetime | None) -> datetime | None:
    return instant.astimezone(UTC) if instant is not None else None


class Recurrence(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    rrule: Rrule


class BookAppointmentRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    practitioner_id: UUID
    starts_at: Instant
    patient_id: UUID | None = None
    ends_at: Instant | None = None
    duration_minutes: Minutes | None = None
    appointment_type_id: UUID | None = None
    room_id: UUID | None = None
    reason: LongText | None = None
    recurrence: Recurrence | None = None
    skip_conflicts: bool = False
    override_reason: ShortText | None = None


class CancellationOut(msgspec.Struct, frozen=True):
    reason: CancellationReason
    late: bool
    at: datetime
    note: str | None = None


class AppointmentOut(msgspec.Struct, frozen=True):
    id: UUID
    practitioner_id: UUID
    patient_id: UUID
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    status: AppointmentStatus
    booked_by_patient: bool
    created_at: datetime
    updated_at: datetime
    version: int
    appointment_type_id: UUID | None = None
    room_id: UUID | None = None
    reason: str | None = None
    series_id: UUID | None = None
    rescheduled_from_id: UUID | None = None
    override_reason: str | None = None
    cancellation: CancellationOut | None = None


def appointment_out(appointment: Appointment) -> AppointmentOut:
    cancellation = appointment.cancellation
    return AppointmentOut(
        id=appointment.id,
        practitioner_id=appointment.practitioner_id,
        patient_id=appointment.patient_id,
        starts_at=_utc(appointment.starts_at),
        ends_at=_utc(appointment.ends_at),
        duration_minutes=int(appointment.duration.total_seconds() // 60),
        status=appointment.status,
        booked_by_patient=appointment.booked_by_patient,
        created_at=_utc(appointment.created_at),
        updated_at=_utc(appointment.updated_at),
        version=appointment.version,
        appointment_type_id=appointment.appointment_type_id,
        room_id=appointment.room_id,
        reason=appointment.reason,
        series_id=appointment.series_id,
        rescheduled_from_id=appointment.rescheduled_from_id,
        override_reason=appointment.override_reason,
        cancellation=CancellationOut(cancellation.reason, cancellation.late, _utc(cancellation.at), cancellation.note)
        if cancellation
        else None,
    )


class ConflictOut(msgspec.Struct, frozen=True):
    kind: ConflictKind
    starts_at: datetime
    ends_at: datetime
    appointment_id: UUID | None = None
    occurrence_start: datetime | None = None


def conflict_out(conflict: Conflict) -> ConflictOut:
    return ConflictOut(
        kind=conflict.kind,
        starts_at=_utc(conflict.starts_at),
        ends_at=_utc(conflict.ends_at),
        appointment_id=conflict.appointment_id,
        occurrence_start=_utc_or_none(conflict.occurrence_start),
    )


class AppointmentConflictProblem(Problem, frozen=True):
    """409 ``appointment.conflict``: every clash, naming the appointments involved."""

    conflicts: list[ConflictOut] = msgspec.field(default_factory=list)


class SkippedOut(msgspec.Struct, frozen=True):
    starts_at: datetime
    ends_at: datetime
    conflicts: list[ConflictOut]


def skipped_out(skipped: SkippedOccurrence) -> SkippedOut:
    return SkippedOut(_utc(skipped.starts_at), _utc(skipped.ends_at), [conflict_out(c) for c in skipped.conflicts])


class SeriesOut(msgspec.Struct, frozen=True):
    series_id: UUID
    appointments: list[AppointmentOut]
    skipped: list[SkippedOut]


def series_out(booking: Booking) -> SeriesOut:
    assert booking.series_id is not None
    return SeriesOut(
        series_id=booking.series_id,
        appointments=[appointment_out(a) for a in booking.appointments],
        skipped=[skipped_out(s) for s in booking.skipped],
    )


class AppointmentList(msgspec.Struct, frozen=True):
    items: list[AppointmentOut]
    page: PageInfo


class AppointmentsOut(msgspec.Struct, frozen=True):
    appointments: list[AppointmentOut]


class CancelRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Literal["patient_request", "practitioner_unavailable", "clinic_closed", "no_longer_needed", "other"]
    note: LongText | None = None
    scope: Scope = "this"


class RescheduleRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    starts_at: Instant
    ends_at: Instant | None = None
    duration_minutes: Minutes | None = None
    practitioner_id: UUID | None = None
    room_id: UUID | None = None
    scope: Scope = "this"
    override_reason: ShortText | None = None


class SlotOut(msgspec.Struct, frozen=True):
    starts_at: datetime
    ends_at: datetime


def slots_out(slots: list[Interval]) -> list[SlotOut]:
    return [SlotOut(_utc(s.start), _utc(s.end)) for s in slots]


class AvailabilityOut(msgspec.Struct, frozen=True):
    practitioner_id: UUID
    slots: list[SlotOut]


class MultiAvailabilityOut(msgspec.Struct, frozen=True):
    practitioners: list[AvailabilityOut]


class WaitlistRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    window_start: Instant
    window_end: Instant
    patient_id: UUID | None = None
    practitioner_id: UUID | None = None
    specialty: Annotated[str, msgspec.Meta(max_length=100, pattern=r"^[^\x00]*$")] | None = None
    note: LongText | None = None


class WaitlistEntryOut(msgspec.Struct, frozen=True):
    id: UUID
    patient_id: UUID
    window_start: datetime
    window_end: datetime
    status: WaitlistStatus
    created_at: datetime
    version: int
    practitioner_id: UUID | None = None
    specialty: str | None = None
    note: str | None = None
    offered_slot: SlotOut | None = None
    offered_practitioner_id: UUID | None = None
    offered_at: datetime | None = None


def waitlist_out(entry: WaitlistEntry) -> WaitlistEntryOut:
    slot = entry.offered_appointment_slot
    return WaitlistEntryOut(
        id=entry.id,
        patient_id=entry.patient_id,
        window_start=_utc(entry.window_start),
        window_end=_utc(entry.window_end),
        status=entry.status,
        created_at=_utc(entry.created_at),
        version=entry.version,
        practitioner_id=entry.practitioner_id,
        specialty=entry.specialty,
        note=entry.note,
        offered_slot=SlotOut(_utc(slot.start), _utc(slot.end)) if slot else None,
        offered_practitioner_id=entry.offered_practitioner_id,
        offered_at=_utc_or_none(entry.offered_at),
    )


class WaitlistList(msgspec.Struct, frozen=True):
    items: list[WaitlistEntryOut]
    page: PageInfo


class CalendarFeedOut(msgspec.Struct, frozen=True):
    url: str  # secret: whoever has it sees the calendar; revoke it to cut access
    practitioner_id: UUID
    created_at: datetime


class StatsGroupOut(msgspec.Struct, frozen=True):
    key: str
    total: int
    by_status: dict[str, int]
    booked_minutes: int
    no_show_rate: float | None = None
    late_cancellation_rate: float | None = None
    available_minutes: int | None = None
    utilisation: float | None = None


def stats_out(group: StatsGroup) -> StatsGroupOut:
    return StatsGroupOut(
        key=group.key,
        total=group.total,
        by_status=group.by_status,
        booked_minutes=group.booked_minutes,
        no_show_rate=group.no_show_rate,
        late_cancellation_rate=group.late_cancellation_rate,
        available_minutes=group.available_minutes,
        utilisation=group.utilisation,
    )


class StatsOut(msgspec.Struct, frozen=True):
    group_by: Literal["practitioner", "status", "day"]
    groups: list[StatsGroupOut]
