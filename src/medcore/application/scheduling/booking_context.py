"""Loading what the booking rules need to judge candidates for one practitioner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.practitioners.schedule import EARLIEST_INSTANT, LATEST_INSTANT
from medcore.domain.scheduling.appointment import Appointment
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.scheduling.policy import SchedulingPolicy
from medcore.domain.scheduling.rules import DurationRule, SlotChecker
from medcore.domain.shared.errors import DomainError, field_invalid, not_found

# Room enough around the candidates for whole local days (capacity) and for the buffers of
# earlier appointments that run into them.
MARGIN = timedelta(days=2)


def plausible_instant(field: str, instant: datetime) -> Result[datetime, DomainError]:
    """The instant in UTC, if it is a plausible one: far-off years are typing mistakes, and
    near datetime's own limits the calendar arithmetic would overflow."""
    if not EARLIEST_INSTANT <= instant <= LATEST_INSTANT:
        return Failure(field_invalid(field, "Give a date between 1970 and 2200."))
    return Success(instant.astimezone(UTC))


@dataclass(frozen=True, slots=True)
class BookingContext:
    practitioner: Practitioner
    checker: SlotChecker
    policy: SchedulingPolicy


async def load_policy(uow: UnitOfWork, organization_id: UUID) -> SchedulingPolicy:
    organization = await uow.organizations.get(organization_id)
    assert organization is not None
    return organization.settings.scheduling


async def load_practitioner(
    uow: UnitOfWork, organization_id: UUID, practitioner_id: UUID
) -> Result[Practitioner, DomainError]:
    practitioner = await uow.practitioners.get(organization_id, practitioner_id)
    if practitioner is None or not practitioner.active:
        return Failure(not_found("practitioner"))
    return Success(practitioner)


async def load_duration_rule(
    uow: UnitOfWork, organization_id: UUID, appointment_type_id: UUID | None
) -> Result[tuple[DurationRule, int | None], DomainError]:
    """The type's duration bounds and default duration (defaults without a type)."""
    if appointment_type_id is None:
        return Success((DurationRule(), None))
    appointment_type = await uow.appointment_types.get(organization_id, appointment_type_id)
    if appointment_type is None or not appointment_type.active:
        return Failure(not_found("appointment_type"))
    return Success((appointment_type.duration_rule(), appointment_type.default_minutes))


async def load_context(
    uow: UnitOfWork,
    organization_id: UUID,
    practitioner: Practitioner,
    candidates: Sequence[Interval],
    *,
    policy: SchedulingPolicy,
    patient_id: UUID | None = None,
    room_id: UUID | None = None,
) -> BookingContext:
    """Everything booked around ``candidates`` for the practitioner, the patient and the room."""
    window = Interval(min(c.start for c in candidates) - MARGIN, max(c.end for c in candidates) + MARGIN)
    zone = practitioner.time_zone.zone
    time_off = await uow.time_off.between(organization_id, practitioner.id, window)
    holidays = await uow.holidays.between(
        organization_id, window.start.astimezone(zone).date(), window.end.astimezone(zone).date()
    )
    calendar = practitioner.calendar([t.interval for t in time_off], [h.day for h in holidays])
    patient_booked: list[Appointment] = []
    room_booked: list[Appointment] = []
    if patient_id is None and room_id is None:  # availability search
        booked = await uow.appointments.for_practitioner(organization_id, practitioner.id, window)
    else:  # a booking: the three calendars in one round trip
        booked, patient_booked, room_booked = await uow.appointments.around(
            organization_id, window, practitioner.id, patient_id, room_id
        )
    checker = SlotChecker(
        calendar=calendar,
        policy=policy,
        practitioner_appointments=booked,
        patient_appointments=patient_booked,
        room_appointments=room_booked,
    )
    return BookingContext(practitioner=practitioner, checker=checker, policy=policy)
