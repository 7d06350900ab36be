"""SeedDemoAppointments: Jean Dupont's coming appointments with Dr Martin (part of SeedDemo)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from returns.result import Failure, Result, Success

from medcore.application.scheduling.book_appointment import BookAppointment, BookAppointmentCommand
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.email import EmailAddress
from medcore.domain.practitioners.schedule import local_instant
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery
from medcore.domain.shared.ports import Clock

DEMO_PATIENT_LOGIN = "jean.dupont@demo.medcore.dev"
DEMO_PRACTITIONER = ("Claire", "Martin")
DEMO_ROOM = "Consultation room 1"


@dataclass(frozen=True, slots=True)
class DemoAppointment:
    days_ahead: int  # the first working day at least this many days after the seeding
    at: time  # Dr Martin's local time
    appointment_type: str
    reason: str


DEMO_APPOINTMENTS = (
    DemoAppointment(1, time(10, 0), "Follow-up", "Blood pressure follow-up"),
    DemoAppointment(3, time(15, 30), "Consultation", "Renewal of the ramipril prescription"),
    DemoAppointment(8, time(9, 30), "Long consultation", "Annual check-up"),
)
_SEARCH_DAYS = 21  # how far to look for a free working day when a demo slot is taken


@dataclass(frozen=True, slots=True)
class _Parties:
    patient_id: UUID
    practitioner_id: UUID
    room_id: UUID | None
    types: dict[str, UUID]
    zone_name: str


class SeedDemoAppointments:
    """Book Jean Dupont's appointments with Dr Claire Martin in the coming days, through
    BookAppointment as the given actor (the owner), so they obey every rule and have their
    reminders. Skipped when Jean already has appointments with her (running it again adds
    nothing) or when the demo people are missing."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, book_appointment: BookAppointment) -> None:
        self._uow = uow
        self._clock = clock
        self._book = book_appointment

    async def execute(self, actor: Actor) -> Result[int, DomainError]:
        """Answers how many appointments were booked."""
        parties = await self._parties(actor.organization_id)
        if parties is None:
            return Success(0)
        zone = ZoneInfo(parties.zone_name)
        today = self._clock.now().astimezone(zone).date()
        booked = 0
        for demo in DEMO_APPOINTMENTS:
            first_day = today + timedelta(days=demo.days_ahead)
            result = await self._book_first_free(actor, parties, demo, first_day, zone)
            if isinstance(result, Failure):
                return Failure(result.failure())
            booked += result.unwrap()
        return Success(booked)

    async def _parties(self, organization_id: UUID) -> _Parties | None:
        async with self._uow() as uow:
            account = await uow.users.by_email(organization_id, EmailAddress(DEMO_PATIENT_LOGIN))
            patient = await uow.patients.by_user(organization_id, account.id) if account is not None else None
            given, family = DEMO_PRACTITIONER
            found = await uow.practitioners.list(organization_id, ListQuery(limit=200, search=f"{given} {family}"))
            practitioner = next(
                (p for p in found.unwrap().items if (p.given_name, p.family_name) == DEMO_PRACTITIONER), None
            )
            if patient is None or practitioner is None:
                return None
            already = await uow.appointments.list(
                organization_id,
                ListQuery(limit=1, filters={"patient_id": patient.id, "practitioner_id": practitioner.id}),
            )
            if already.unwrap().items:
                return None
            room = await uow.rooms.by_name(organization_id, DEMO_ROOM)
            types: dict[str, UUID] = {}
            for demo in DEMO_APPOINTMENTS:
                appointment_type = await uow.appointment_types.by_name(organization_id, demo.appointment_type)
                if appointment_type is not None:
                    types[demo.appointment_type] = appointment_type.id
            return _Parties(
                patient_id=patient.id,
                practitioner_id=practitioner.id,
                room_id=room.id if room is not None else None,
                types=types,
                zone_name=practitioner.time_zone.value,
            )

    async def _book_first_free(
        self, actor: Actor, parties: _Parties, demo: DemoAppointment, first_day: date, zone: ZoneInfo
    ) -> Result[int, DomainError]:
        """Book on ``first_day`` or the next day that accepts it (weekends, holidays and taken
        slots are conflicts); nothing when no day in three weeks does."""
        for offset in range(_SEARCH_DAYS):
            booked = await self._book.execute(
                actor,
                BookAppointmentCommand(
                    practitioner_id=parties.practitioner_id,
                    patient_id=parties.patient_id,
                    starts_at=local_instant(first_day + timedelta(days=offset), demo.at, zone),
                    appointment_type_id=parties.types.get(demo.appointment_type),
                    duration_minutes=None if demo.appointment_type in parties.types else 20,
                    room_id=parties.room_id,
                    reason=demo.reason,
                ),
            )
            if isinstance(booked, Success):
                return Success(1)
            if booked.failure().code != "appointment.conflict":
                return Failure(booked.failure())
        return Success(0)
