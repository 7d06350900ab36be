"""The demo organization's practitioners, rooms and appointment types (part of SeedDemo)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from returns.result import Failure, Result, Success

from medcore.application.practitioners.create_appointment_type import (
    CreateAppointmentType,
    CreateAppointmentTypeCommand,
)
from medcore.application.practitioners.create_practitioner import (
    CreatePractitioner,
    CreatePractitionerCommand,
)
from medcore.application.practitioners.create_room import CreateRoom, CreateRoomCommand
from medcore.application.shared.actor import Actor
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.email import EmailAddress
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery

WEEKDAYS = (1, 2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class DemoPractitioner:
    given_name: str
    family_name: str
    specialty: str
    hours: tuple[tuple[int, str, str], ...]
    buffer_minutes: int
    licence_number: str
    account_email: str | None = None  # the demo login linked to this practitioner


DEMO_PRACTITIONERS = (
    DemoPractitioner(
        "Claire",
        "Martin",
        "general_practice",
        tuple((day, start, end) for day in WEEKDAYS for start, end in (("09:00", "12:30"), ("14:00", "18:00"))),
        buffer_minutes=10,
        licence_number="DEMO-10001",
        account_email="dr.martin@demo.medcore.dev",
    ),
    DemoPractitioner(
        "Hugo",
        "Bernard",
        "paediatrics",
        tuple((day, start, end) for day in (1, 2, 4) for start, end in (("08:30", "12:00"), ("13:30", "17:00"))),
        buffer_minutes=5,
        licence_number="DEMO-10002",
    ),
)
DEMO_ROOMS = ("Consultation room 1", "Consultation room 2")
DEMO_APPOINTMENT_TYPES = (
    CreateAppointmentTypeCommand(
        name="Consultation", default_minutes=20, min_minutes=10, max_minutes=40, colour="#4F7CAC"
    ),
    CreateAppointmentTypeCommand(
        name="Follow-up", default_minutes=15, min_minutes=10, max_minutes=30, colour="#5BA36B"
    ),
    CreateAppointmentTypeCommand(
        name="Long consultation", default_minutes=40, min_minutes=30, max_minutes=60, colour="#C2733B"
    ),
)


class SeedDemoPractitioners:
    """Adds what is missing: the practitioners (Dr Claire Martin linked to the demo
    practitioner login), the rooms and the appointment types. Running it again adds nothing."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        create_practitioner: CreatePractitioner,
        create_room: CreateRoom,
        create_appointment_type: CreateAppointmentType,
    ) -> None:
        self._uow = uow
        self._create_practitioner = create_practitioner
        self._create_room = create_room
        self._create_appointment_type = create_appointment_type

    async def execute(self, actor: Actor) -> Result[None, DomainError]:
        organization_id = actor.organization_id
        for demo in DEMO_PRACTITIONERS:
            async with self._uow() as uow:
                user = None
                if demo.account_email is not None:
                    user = await uow.users.by_email(organization_id, EmailAddress(demo.account_email))
                existing = await uow.practitioners.list(
                    organization_id, ListQuery(limit=200, search=f"{demo.given_name} {demo.family_name}")
                )
                if any(
                    p.given_name == demo.given_name and p.family_name == demo.family_name
                    for p in existing.unwrap().items
                ):
                    continue
            created = await self._create_practitioner.execute(
                actor,
                CreatePractitionerCommand(
                    given_name=demo.given_name,
                    family_name=demo.family_name,
                    time_zone="Europe/Paris",
                    user_id=user.id if user is not None else None,
                    specialties=(demo.specialty,),
                    licence_number=demo.licence_number,
                    licence_expires_on=date(2035, 12, 31),
                    can_prescribe=True,
                    buffer_minutes=demo.buffer_minutes,
                    working_hours=demo.hours,
                ),
            )
            if isinstance(created, Failure):
                return Failure(created.failure())
        for name in DEMO_ROOMS:
            async with self._uow() as uow:
                if await uow.rooms.by_name(organization_id, name) is not None:
                    continue
            room = await self._create_room.execute(actor, CreateRoomCommand(name))
            if isinstance(room, Failure):
                return Failure(room.failure())
        for command in DEMO_APPOINTMENT_TYPES:
            async with self._uow() as uow:
                if await uow.appointment_types.by_name(organization_id, command.name) is not None:
                    continue
            appointment_type = await self._create_appointment_type.execute(actor, command)
            if isinstance(appointment_type, Failure):
                return Failure(appointment_type.failure())
        return Success(None)
