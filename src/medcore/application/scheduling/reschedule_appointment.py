"""RescheduleAppointment: move an appointment (or part of a series) atomically."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.scheduling.access import appointment_scope, visible_appointment
from medcore.application.scheduling.book_appointment import _mutual_conflicts, conflict_error
from medcore.application.scheduling.booking_context import (
    load_context,
    load_duration_rule,
    load_policy,
    load_practitioner,
    plausible_instant,
)
from medcore.application.scheduling.cancel_appointment import SeriesScope, series_members
from medcore.application.scheduling.reminders import schedule_reminders
from medcore.application.scheduling.waitlist_offers import offer_freed_slot
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.notifications.ports import Notifier
from medcore.domain.practitioners.schedule import local_instant
from medcore.domain.scheduling.appointment import Appointment, AppointmentStatus, CancellationReason
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.rules import Booker, Conflict, booking_violations, violation_error
from medcore.domain.shared.errors import (
    DomainError,
    DomainRefusal,
    ErrorKind,
    field_invalid,
    forbidden,
    not_found,
    version_mismatch,
)
from medcore.domain.shared.ports import Clock, IdGenerator

MOVABLE = frozenset({AppointmentStatus.REQUESTED, AppointmentStatus.CONFIRMED})


@dataclass(frozen=True, slots=True)
class RescheduleCommand:
    appointment_id: UUID
    starts_at: datetime
    ends_at: datetime | None = None
    duration_minutes: int | None = None  # else ends_at, else the current duration
    practitioner_id: UUID | None = None  # else the same practitioner
    room_id: UUID | None = None  # else the same room
    keep_room: bool = True  # False with room_id None: drop the room
    scope: SeriesScope = SeriesScope.THIS
    override_reason: str | None = None
    expected_version: int | None = None


class RescheduleAppointment:
    """The new appointment is linked to the old one, which becomes cancelled with reason
    ``rescheduled``, in one transaction; the move does not conflict with the appointment it
    replaces. With a series scope (``following``, ``all``) every chosen occurrence moves by
    the same local wall-clock shift, all or nothing."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, notifier: Notifier) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._notifier = notifier

    async def execute(self, actor: Actor, command: RescheduleCommand) -> Result[list[Appointment], DomainError]:
        for attempt in range(2):
            try:
                return await self._move(actor, command)
            except DomainRefusal as refusal:
                if attempt == 1 or refusal.error.code != "appointment.conflict":
                    return Failure(refusal.error)
        raise AssertionError("unreachable")

    async def _move(self, actor: Actor, command: RescheduleCommand) -> Result[list[Appointment], DomainError]:
        async with self._uow() as uow:
            scope_result = await appointment_scope(
                uow,
                actor,
                Permission.APPOINTMENTS_WRITE,
                action="appointment.reschedule",
                resource_id=command.appointment_id,
            )
            if isinstance(scope_result, Failure):
                return Failure(scope_result.failure())
            scope = scope_result.unwrap()
            found = await visible_appointment(uow, actor, scope, command.appointment_id, lock=True)
            if isinstance(found, Failure):
                return Failure(found.failure())
            anchor = found.unwrap()
            starts_at = plausible_instant("starts_at", command.starts_at)
            if isinstance(starts_at, Failure):
                return Failure(starts_at.failure())
            command = replace(command, starts_at=starts_at.unwrap())
            if command.ends_at is not None:
                ends_at = plausible_instant("ends_at", command.ends_at)
                if isinstance(ends_at, Failure):
                    return Failure(ends_at.failure())
                command = replace(command, ends_at=ends_at.unwrap())
            if command.expected_version is not None and command.expected_version != anchor.version:
                return Failure(version_mismatch("appointment"))
            if anchor.status not in MOVABLE:
                return Failure(
                    DomainError(
                        code="appointment.invalid_transition",
                        message=f"An appointment that is {anchor.status.value.replace('_', ' ')} can no longer be moved.",
                        kind=ErrorKind.CONFLICT,
                        extra={"status": anchor.status.value},
                    )
                )
            members_result = await series_members(uow, anchor, command.scope, self._clock.now())
            if isinstance(members_result, Failure):
                return Failure(members_result.failure())
            members = [m for m in members_result.unwrap() if m.status in MOVABLE] or [anchor]
            practitioner_result = await load_practitioner(
                uow, actor.organization_id, command.practitioner_id or anchor.practitioner_id
            )
            if isinstance(practitioner_result, Failure):
                return Failure(practitioner_result.failure())
            practitioner = practitioner_result.unwrap()
            room_id = (
                command.room_id if command.room_id is not None else (anchor.room_id if command.keep_room else None)
            )
            if command.room_id is not None:
                room = await uow.rooms.get(actor.organization_id, command.room_id)
                if room is None or not room.active:
                    return Failure(not_found("room"))
            override = command.override_reason is not None
            if override and (scope.is_patient or not actor.can(Permission.APPOINTMENTS_OVERRIDE)):
                return Failure(forbidden("appointment.override_not_allowed", "You cannot book outside availability."))
            if command.ends_at is not None and command.duration_minutes is not None:
                return Failure(field_invalid("duration_minutes", "Give ends_at or duration_minutes, not both."))
            if command.ends_at is not None:
                if command.ends_at <= command.starts_at:
                    return Failure(field_invalid("ends_at", "The appointment must end after it starts."))
                length = command.ends_at - command.starts_at
            elif command.duration_minutes is not None:
                if command.duration_minutes <= 0:
                    return Failure(field_invalid("duration_minutes", "The duration must be positive."))
                length = timedelta(minutes=command.duration_minutes)
            else:
                length = anchor.duration
            zone = practitioner.time_zone.zone
            shift = command.starts_at.astimezone(zone).replace(tzinfo=None) - anchor.starts_at.astimezone(zone).replace(
                tzinfo=None
            )
            moves: list[tuple[Appointment, Interval]] = []
            for member in members:
                wall = member.starts_at.astimezone(zone).replace(tzinfo=None) + shift
                start = command.starts_at if member.id == anchor.id else local_instant(wall.date(), wall.time(), zone)
                moves.append((member, Interval(start, start + length)))
            rule_result = await load_duration_rule(uow, actor.organization_id, anchor.appointment_type_id)
            if isinstance(rule_result, Failure):
                return Failure(rule_result.failure())
            duration_rule, _ = rule_result.unwrap()
            policy = await load_policy(uow, actor.organization_id)
            now = self._clock.now()
            booker = Booker(is_patient=scope.is_patient, override_availability=override)
            for _, candidate in moves:
                codes = booking_violations(
                    candidate, zone=zone, policy=policy, duration_rule=duration_rule, booker=booker, now=now
                )
                if codes:
                    return Failure(violation_error(codes, policy, duration_rule))
            await uow.appointments.lock_practitioner(actor.organization_id, practitioner.id)
            context = await load_context(
                uow,
                actor.organization_id,
                practitioner,
                [c for _, c in moves],
                policy=policy,
                patient_id=anchor.patient_id,
                room_id=room_id,
            )
            replaced = frozenset(m.id for m in members)
            conflicts: list[Conflict] = []
            accepted: list[Interval] = []
            for member, candidate in moves:
                found_conflicts = context.checker.conflicts(
                    candidate,
                    patient_id=anchor.patient_id,
                    room_id=room_id,
                    override_availability=override,
                    ignore=replaced,
                ) + _mutual_conflicts(candidate, accepted, context.checker.calendar.buffer)
                if len(moves) > 1:
                    found_conflicts = [
                        Conflict(c.kind, c.starts_at, c.ends_at, c.appointment_id, member.starts_at)
                        for c in found_conflicts
                    ]
                conflicts.extend(found_conflicts)
                accepted.append(candidate)
            if conflicts:
                return Failure(conflict_error(conflicts))
            patient = await uow.patients.get(actor.organization_id, anchor.patient_id)
            created: list[Appointment] = []
            for member, _ in moves:
                member.cancel(CancellationReason.RESCHEDULED, now, policy.late_cancel_window, by=actor.id)
                if not await uow.appointments.save(member):
                    return Failure(version_mismatch("appointment"))
                await uow.reminders.cancel_for(actor.organization_id, member.id, now)
            for member, candidate in moves:
                moved = Appointment(
                    id=self._ids.new_id(),
                    organization_id=actor.organization_id,
                    practitioner_id=practitioner.id,
                    patient_id=member.patient_id,
                    appointment_type_id=member.appointment_type_id,
                    room_id=room_id,
                    starts_at=candidate.start,
                    ends_at=candidate.end,
                    buffer_minutes=practitioner.buffer_minutes,
                    status=AppointmentStatus.REQUESTED if scope.is_patient else AppointmentStatus.CONFIRMED,
                    reason=member.reason,
                    series_id=member.series_id,
                    rescheduled_from_id=member.id,
                    override_reason=command.override_reason,
                    booked_by=actor.id,
                    booked_by_patient=scope.is_patient,
                    patient_exclusive=not policy.patient_overlap_allowed,
                    status_changed_at=now,
                    created_at=now,
                    updated_at=now,
                )
                await uow.appointments.add(moved)
                created.append(moved)
                await uow.audit.record(
                    actor.audit(
                        "appointment.reschedule",
                        resource_type="appointment",
                        resource_id=moved.id,
                        patient_id=moved.patient_id,
                        details={
                            "rescheduled_from": str(member.id),
                            "override": override,
                            "scope": command.scope.value,
                        },
                    )
                )
            if patient is not None:
                await schedule_reminders(uow, created, patient, policy, self._clock, self._ids)
            old_practitioner = practitioner
            if anchor.practitioner_id != practitioner.id:
                old_practitioner = (
                    await uow.practitioners.get(actor.organization_id, anchor.practitioner_id) or practitioner
                )
            for member, _ in moves:
                if not any(
                    member.interval.overlaps(c.interval) and c.practitioner_id == member.practitioner_id
                    for c in created
                ):
                    await offer_freed_slot(
                        uow, self._notifier, self._clock, old_practitioner, member.interval, actor.meta.request_id
                    )
            await uow.commit()
            return Success(created)
