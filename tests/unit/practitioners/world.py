"""The practitioners use cases wired on the in-memory fakes, beside the identity ones."""

from __future__ import annotations

from typing import Any

from medcore.application.practitioners.add_time_off import AddTimeOff
from medcore.application.practitioners.create_appointment_type import CreateAppointmentType
from medcore.application.practitioners.create_holiday import CreateHoliday
from medcore.application.practitioners.create_practitioner import CreatePractitioner, CreatePractitionerCommand
from medcore.application.practitioners.create_room import CreateRoom
from medcore.application.practitioners.delete_holiday import DeleteHoliday
from medcore.application.practitioners.get_appointment_type import GetAppointmentType
from medcore.application.practitioners.get_holiday import GetHoliday
from medcore.application.practitioners.get_practitioner import GetPractitioner
from medcore.application.practitioners.get_room import GetRoom
from medcore.application.practitioners.get_time_off import GetTimeOff
from medcore.application.practitioners.list_appointment_types import ListAppointmentTypes
from medcore.application.practitioners.list_holidays import ListHolidays
from medcore.application.practitioners.list_practitioners import ListPractitioners
from medcore.application.practitioners.list_rooms import ListRooms
from medcore.application.practitioners.list_time_off import ListTimeOff
from medcore.application.practitioners.remove_time_off import RemoveTimeOff
from medcore.application.practitioners.set_working_hours import SetWorkingHours
from medcore.application.practitioners.update_appointment_type import UpdateAppointmentType
from medcore.application.practitioners.update_practitioner import UpdatePractitioner
from medcore.application.practitioners.update_room import UpdateRoom
from medcore.application.shared.actor import Actor
from medcore.domain.identity.permissions import Role
from medcore.domain.practitioners.practitioner import Practitioner
from tests.unit.application.world import Tenant, World, ok


class PractitionersWorld(World):
    def __init__(self) -> None:
        super().__init__()
        uow, clock, ids = self.unit_of_work, self.clock, self.ids
        self.create_practitioner = CreatePractitioner(uow, clock, ids)
        self.get_practitioner = GetPractitioner(uow)
        self.list_practitioners = ListPractitioners(uow)
        self.update_practitioner = UpdatePractitioner(uow, clock)
        self.set_working_hours = SetWorkingHours(uow, clock)
        self.add_time_off = AddTimeOff(uow, ids)
        self.get_time_off = GetTimeOff(uow)
        self.list_time_off = ListTimeOff(uow)
        self.remove_time_off = RemoveTimeOff(uow)
        self.create_holiday = CreateHoliday(uow, ids)
        self.get_holiday = GetHoliday(uow)
        self.list_holidays = ListHolidays(uow)
        self.delete_holiday = DeleteHoliday(uow)
        self.create_room = CreateRoom(uow, clock, ids)
        self.get_room = GetRoom(uow)
        self.list_rooms = ListRooms(uow)
        self.update_room = UpdateRoom(uow, clock)
        self.create_appointment_type = CreateAppointmentType(uow, clock, ids)
        self.get_appointment_type = GetAppointmentType(uow)
        self.list_appointment_types = ListAppointmentTypes(uow)
        self.update_appointment_type = UpdateAppointmentType(uow, clock)

    async def role(self, tenant: Tenant, role: Role, email: str) -> tuple[Actor, Any]:
        user, _, actor = await self.member(tenant, role, email)
        return actor, user

    async def practitioner(self, actor: Actor, **fields: Any) -> Practitioner:
        command: dict[str, Any] = {"given_name": "Claire", "family_name": "Martin", "time_zone": "Europe/Paris"}
        command.update(fields)
        return ok(await self.create_practitioner.execute(actor, CreatePractitionerCommand(**command)))
