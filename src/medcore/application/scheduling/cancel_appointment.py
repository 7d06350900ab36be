"""CancelAppointment: one occurrence, this and the following ones, or a whole series."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.scheduling.access import appointment_scope, visible_appointment
from medcore.application.scheduling.booking_context import load_policy
from medcore.application.scheduling.waitlist_offers import offer_freed_slot
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWork, UnitOfWorkFactory
from medcore.domain.identity.permissions import Permission
from medcore.domain.notifications.ports import Notifier
from medcore.domain.scheduling.appointment import TRANSITIONS, Appointment, AppointmentStatus, CancellationReason
from medcore.domain.shared.errors import DomainError, field_invalid, version_mismatch
from medcore.domain.shared.ports import Clock


class SeriesScope(enum.StrEnum):
    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class CancelAppointmentCommand:
    appointment_id: UUID
    reason: CancellationReason
    note: str | None = None
    scope: SeriesScope = SeriesScope.THIS
    expected_version: int | None = None


async def series_members(
    uow: UnitOfWork, appointment: Appointment, scope: SeriesScope, now: datetime
) -> Result[list[Appointment], DomainError]:
    """The appointments a series scope designates, in order; past or settled ones (other
    than ``appointment`` itself) are left alone."""
    if scope is SeriesScope.THIS:
        return Success([appointment])
    if appointment.series_id is None:
        return Failure(field_invalid("scope", "This appointment is not part of a series: use scope=this."))
    members = await uow.appointments.in_series(appointment.organization_id, appointment.series_id, lock=True)
    chosen = [
        m
        for m in members
        if (scope is SeriesScope.ALL or m.starts_at >= appointment.starts_at)
        and (m.id == appointment.id or m.starts_at > now)
        and AppointmentStatus.CANCELLED in TRANSITIONS[m.status]
    ]
    return Success(sorted(chosen, key=lambda a: a.starts_at))


class CancelAppointment:
    """Reasons: patient_request, practitioner_unavailable, clinic_closed, no_longer_needed,
    other. Cancelling less than the organization's late-cancellation window before the
    start marks it late. Its reminders are withdrawn and the freed slot is offered to the
    waitlist. A patient account may cancel its own appointments."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, notifier: Notifier) -> None:
        self._uow = uow
        self._clock = clock
        self._notifier = notifier

    async def execute(self, actor: Actor, command: CancelAppointmentCommand) -> Result[list[Appointment], DomainError]:
        if command.reason is CancellationReason.RESCHEDULED:
            return Failure(field_invalid("reason", "'rescheduled' is set by the system when an appointment is moved."))
        async with self._uow() as uow:
            scope_result = await appointment_scope(
                uow,
                actor,
                Permission.APPOINTMENTS_WRITE,
                action="appointment.cancel",
                resource_id=command.appointment_id,
            )
            if isinstance(scope_result, Failure):
                return Failure(scope_result.failure())
            found = await visible_appointment(uow, actor, scope_result.unwrap(), command.appointment_id, lock=True)
            if isinstance(found, Failure):
                return Failure(found.failure())
            appointment = found.unwrap()
            if command.expected_version is not None and command.expected_version != appointment.version:
                return Failure(version_mismatch("appointment"))
            now = self._clock.now()
            members = await series_members(uow, appointment, command.scope, now)
            if isinstance(members, Failure):
                return Failure(members.failure())
            targets = members.unwrap() or [appointment]
            policy = await load_policy(uow, actor.organization_id)
            cancelled: list[Appointment] = []
            for target in targets:
                result = target.cancel(command.reason, now, policy.late_cancel_window, by=actor.id, note=command.note)
                if isinstance(result, Failure):
                    return Failure(result.failure())
                if not await uow.appointments.save(target):
                    return Failure(version_mismatch("appointment"))
                await uow.reminders.cancel_for(actor.organization_id, target.id, now)
                await uow.audit.record(
                    actor.audit(
                        "appointment.cancel",
                        resource_type="appointment",
                        resource_id=target.id,
                        patient_id=target.patient_id,
                        details={
                            "reason": command.reason.value,
                            "late": result.unwrap().late,
                            "scope": command.scope.value,
                        },
                    )
                )
                cancelled.append(target)
            practitioner = await uow.practitioners.get(actor.organization_id, appointment.practitioner_id)
            if practitioner is not None:
                for target in cancelled:
                    await offer_freed_slot(
                        uow, self._notifier, self._clock, practitioner, target.interval, actor.meta.request_id
                    )
            await uow.commit()
            return Success(cancelled)
