"""BookAppointment: one appointment, or a recurring series, checked against every rule."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.scheduling.access import appointment_scope
from medcore.application.scheduling.booking_context import (
    load_context,
    load_duration_rule,
    load_policy,
    load_practitioner,
    plausible_instant,
)
from medcore.application.scheduling.reminders import schedule_reminders
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.scheduling.appointment import Appointment, AppointmentStatus
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.ports import RecurrenceExpander
from medcore.domain.scheduling.rules import Booker, Conflict, ConflictKind, booking_violations, violation_error
from medcore.domain.shared.errors import DomainError, DomainRefusal, ErrorKind, field_invalid, forbidden, not_found
from medcore.domain.shared.ports import Clock, IdGenerator

MAX_OCCURRENCES = 100


@dataclass(frozen=True, slots=True)
class BookAppointmentCommand:
    practitioner_id: UUID
    starts_at: datetime
    patient_id: UUID | None = None  # a patient account books for its own record
    ends_at: datetime | None = None
    duration_minutes: int | None = None  # else ends_at, else the type's default
    appointment_type_id: UUID | None = None
    room_id: UUID | None = None
    reason: str | None = None
    rrule: str | None = None
    skip_conflicts: bool = False
    override_reason: str | None = None


@dataclass(frozen=True, slots=True)
class SkippedOccurrence:
    starts_at: datetime
    ends_at: datetime
    conflicts: tuple[Conflict, ...]


@dataclass(frozen=True, slots=True)
class Booking:
    appointments: list[Appointment]
    series_id: UUID | None = None
    skipped: list[SkippedOccurrence] = field(default_factory=list)


def conflict_error(conflicts: list[Conflict]) -> DomainError:
    kinds = sorted({c.kind.value for c in conflicts})
    return DomainError(
        code="appointment.conflict",
        message=f"The time is not free ({', '.join(kinds)}).",
        kind=ErrorKind.CONFLICT,
        extra={"conflicts": conflicts},
    )


def _mutual_conflicts(candidate: Interval, accepted: list[Interval], buffer: timedelta) -> list[Conflict]:
    """Occurrences of one request must not clash with each other either."""
    return [
        Conflict(ConflictKind.PRACTITIONER, other.start, other.end)
        for other in accepted
        if candidate.extended(buffer).overlaps(other.extended(buffer))
    ]


def _in_utc(command: BookAppointmentCommand) -> Result[BookAppointmentCommand, DomainError]:
    """Instants are kept (and answered) in UTC, whatever offset the caller wrote them with."""
    starts_at = plausible_instant("starts_at", command.starts_at)
    if isinstance(starts_at, Failure):
        return Failure(starts_at.failure())
    ends_at = None
    if command.ends_at is not None:
        checked = plausible_instant("ends_at", command.ends_at)
        if isinstance(checked, Failure):
            return Failure(checked.failure())
        ends_at = checked.unwrap()
    return Success(replace(command, starts_at=starts_at.unwrap(), ends_at=ends_at))


class BookAppointment:
    """Book for a patient with a practitioner (and a room). Times must follow the
    organization's grid, lie inside the practitioner's availability (staff with
    ``appointments:override`` may book outside it, with a reason), leave the practitioner's
    buffer free, and clash with no occupying appointment of the practitioner, the patient or
    the room: otherwise 409 naming every conflict. A series (RRULE, at most 100
    occurrences, expanded in the practitioner's time zone) is all-or-nothing unless
    ``skip_conflicts``. Staff bookings are confirmed; patients' bookings are requested."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, recurrence: RecurrenceExpander) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._recurrence = recurrence

    async def execute(self, actor: Actor, command: BookAppointmentCommand) -> Result[Booking, DomainError]:
        # The database's exclusion constraints refuse a booking that raced past the checks;
        # one retry re-reads the calendar and names the appointment that won.
        for attempt in range(2):
            try:
                return await self._book(actor, command)
            except DomainRefusal as refusal:
                if attempt == 1 or refusal.error.code != "appointment.conflict":
                    return Failure(refusal.error)
        raise AssertionError("unreachable")

    async def _book(self, actor: Actor, command: BookAppointmentCommand) -> Result[Booking, DomainError]:
        async with self._uow() as uow:
            scope_result = await appointment_scope(
                uow, actor, Permission.APPOINTMENTS_WRITE, action="appointment.create"
            )
            if isinstance(scope_result, Failure):
                return Failure(scope_result.failure())
            scope = scope_result.unwrap()
            normalised = _in_utc(command)
            if isinstance(normalised, Failure):
                return Failure(normalised.failure())
            command = normalised.unwrap()
            patient_id = command.patient_id or scope.patient_id
            if patient_id is None:
                return Failure(field_invalid("patient_id", "Say whom the appointment is for."))
            if not scope.allows(patient_id):
                return Failure(not_found("patient"))
            patient = await uow.patients.get(actor.organization_id, patient_id)
            if patient is None:
                return Failure(not_found("patient"))
            practitioner_result = await load_practitioner(uow, actor.organization_id, command.practitioner_id)
            if isinstance(practitioner_result, Failure):
                return Failure(practitioner_result.failure())
            practitioner = practitioner_result.unwrap()
            if command.room_id is not None:
                room = await uow.rooms.get(actor.organization_id, command.room_id)
                if room is None or not room.active:
                    return Failure(not_found("room"))
            rule_result = await load_duration_rule(uow, actor.organization_id, command.appointment_type_id)
            if isinstance(rule_result, Failure):
                return Failure(rule_result.failure())
            duration_rule, default_minutes = rule_result.unwrap()
            override = command.override_reason is not None
            if override and (scope.is_patient or not actor.can(Permission.APPOINTMENTS_OVERRIDE)):
                return Failure(forbidden("appointment.override_not_allowed", "You cannot book outside availability."))
            duration = self._duration(command, default_minutes)
            if isinstance(duration, Failure):
                return Failure(duration.failure())
            length = duration.unwrap()
            starts = [command.starts_at]
            zone = practitioner.time_zone.zone
            if command.rrule is not None:
                expanded = self._recurrence.expand(command.rrule, command.starts_at.astimezone(zone), MAX_OCCURRENCES)
                if isinstance(expanded, Failure):
                    return Failure(expanded.failure())
                starts = expanded.unwrap()
            candidates = [Interval(s, s + length) for s in starts]
            policy = await load_policy(uow, actor.organization_id)
            now = self._clock.now()
            booker = Booker(is_patient=scope.is_patient, override_availability=override)
            for candidate in candidates:
                codes = booking_violations(
                    candidate, zone=zone, policy=policy, duration_rule=duration_rule, booker=booker, now=now
                )
                if codes:
                    error = violation_error(codes, policy, duration_rule)
                    if len(candidates) > 1:
                        error = DomainError(
                            code=error.code,
                            message=error.message,
                            kind=error.kind,
                            fields=error.fields,
                            extra={"occurrence_start": candidate.start},
                        )
                    return Failure(error)
            await uow.appointments.lock_practitioner(actor.organization_id, practitioner.id)
            context = await load_context(
                uow,
                actor.organization_id,
                practitioner,
                candidates,
                policy=policy,
                patient_id=patient_id,
                room_id=command.room_id,
            )
            accepted: list[Interval] = []
            per_day: Counter[date] = Counter()
            skipped: list[SkippedOccurrence] = []
            all_conflicts: list[Conflict] = []
            for candidate in candidates:
                conflicts = context.checker.conflicts(
                    candidate,
                    patient_id=patient_id,
                    room_id=command.room_id,
                    override_availability=override,
                    extra_per_day=per_day,
                ) + _mutual_conflicts(candidate, accepted, context.checker.calendar.buffer)
                if conflicts:
                    if len(candidates) > 1:
                        conflicts = [
                            Conflict(c.kind, c.starts_at, c.ends_at, c.appointment_id, candidate.start)
                            for c in conflicts
                        ]
                    all_conflicts.extend(conflicts)
                    skipped.append(SkippedOccurrence(candidate.start, candidate.end, tuple(conflicts)))
                    continue
                accepted.append(candidate)
                per_day[context.checker.local_day(candidate.start)] += 1
            if all_conflicts and (not command.skip_conflicts or not accepted):
                return Failure(conflict_error(all_conflicts))
            series_id = self._ids.new_id() if command.rrule is not None else None
            appointments = [
                Appointment(
                    id=self._ids.new_id(),
                    organization_id=actor.organization_id,
                    practitioner_id=practitioner.id,
                    patient_id=patient_id,
                    appointment_type_id=command.appointment_type_id,
                    room_id=command.room_id,
                    starts_at=interval.start,
                    ends_at=interval.end,
                    buffer_minutes=practitioner.buffer_minutes,
                    status=AppointmentStatus.REQUESTED if scope.is_patient else AppointmentStatus.CONFIRMED,
                    reason=command.reason,
                    series_id=series_id,
                    override_reason=command.override_reason,
                    booked_by=actor.id,
                    booked_by_patient=scope.is_patient,
                    patient_exclusive=not policy.patient_overlap_allowed,
                    status_changed_at=now,
                    created_at=now,
                    updated_at=now,
                )
                for interval in accepted
            ]
            for appointment in appointments:
                await uow.appointments.add(appointment)
                await uow.audit.record(
                    actor.audit(
                        "appointment.create",
                        resource_type="appointment",
                        resource_id=appointment.id,
                        patient_id=patient_id,
                        details={
                            "practitioner_id": str(practitioner.id),
                            "series_id": str(series_id) if series_id else None,
                            "override": override,
                        },
                    )
                )
            await schedule_reminders(uow, appointments, patient, policy, self._clock, self._ids)
            await uow.commit()
            return Success(Booking(appointments=appointments, series_id=series_id, skipped=skipped))

    @staticmethod
    def _duration(command: BookAppointmentCommand, default_minutes: int | None) -> Result[timedelta, DomainError]:
        if command.ends_at is not None and command.duration_minutes is not None:
            return Failure(field_invalid("duration_minutes", "Give ends_at or duration_minutes, not both."))
        if command.ends_at is not None:
            if command.ends_at <= command.starts_at:
                return Failure(field_invalid("ends_at", "The appointment must end after it starts."))
            return Success(command.ends_at - command.starts_at)
        minutes = command.duration_minutes or default_minutes
        if minutes is None:
            return Failure(field_invalid("duration_minutes", "Give ends_at, duration_minutes or an appointment type."))
        if minutes <= 0:
            return Failure(field_invalid("duration_minutes", "The duration must be positive."))
        return Success(timedelta(minutes=minutes))
