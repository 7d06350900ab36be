"""The practitioners use cases on in-memory fakes: permissions, the person linked to a
practitioner managing their own hours and time off, what patients see, versions, audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from medcore.application.practitioners.add_time_off import AddTimeOffCommand
from medcore.application.practitioners.create_appointment_type import CreateAppointmentTypeCommand
from medcore.application.practitioners.create_holiday import CreateHolidayCommand
from medcore.application.practitioners.create_practitioner import CreatePractitionerCommand
from medcore.application.practitioners.create_room import CreateRoomCommand
from medcore.application.practitioners.remove_time_off import RemoveTimeOffCommand
from medcore.application.practitioners.set_working_hours import SetWorkingHoursCommand
from medcore.application.practitioners.update_appointment_type import UpdateAppointmentTypeCommand
from medcore.application.practitioners.update_practitioner import UpdatePractitionerCommand
from medcore.application.practitioners.update_room import UpdateRoomCommand
from medcore.application.shared.actor import Actor
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.permissions import Role
from medcore.domain.practitioners.practitioner import PractitionerChanges
from medcore.domain.practitioners.resources import RoomKind
from medcore.domain.shared.errors import ErrorKind
from medcore.domain.shared.listing import ListQuery
from tests.unit.application.world import err, ok
from tests.unit.practitioners.world import PractitionersWorld

HOURS = [(d, "09:00", "12:30") for d in range(1, 6)]
JULY = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC))


@pytest.fixture
def world() -> PractitionersWorld:
    return PractitionersWorld()


def leave(practitioner_id: UUID, reason: str | None = "Leave") -> AddTimeOffCommand:
    return AddTimeOffCommand(practitioner_id, JULY[0], JULY[1], reason)


# --- create -----------------------------------------------------------------------------


async def test_an_owner_creates_a_practitioner_and_the_trail_keeps_no_names(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    _, nurse = await world.role(tenant, Role.NURSE, "nurse@clinic.example")

    doctor = await world.practitioner(
        owner,
        user_id=nurse.id,
        specialties=["Paediatrics"],
        licence_number="A1",
        can_prescribe=True,
        working_hours=HOURS,
    )

    assert world.store.practitioners[doctor.id] == doctor
    assert doctor.specialties == ("paediatrics",)
    assert len(doctor.working_hours.hours) == 5
    [entry] = world.audit("practitioner.create")
    assert (entry.actor_id, entry.resource_id, entry.outcome) == (owner.id, doctor.id, Outcome.SUCCESS)
    assert entry.details == {
        "user_id": str(nurse.id),
        "specialties": "paediatrics",
        "can_prescribe": True,
        "controlled_substances": False,
        "working_hours": 5,
    }


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.NURSE, Role.RECEPTIONIST, Role.PATIENT, Role.AUDITOR])
async def test_only_practitioners_write_creates(world: PractitionersWorld, role: Role) -> None:
    tenant = await world.tenant()
    actor, _ = await world.role(tenant, role, "someone@clinic.example")

    error = err(await world.create_practitioner.execute(actor, _command()))

    assert error.kind is ErrorKind.FORBIDDEN
    [denial] = world.audit("practitioner.create")
    assert denial.outcome is Outcome.DENIED
    assert world.store.practitioners == {}


def _command(**fields: object) -> CreatePractitionerCommand:
    values: dict[str, object] = {"given_name": "Claire", "family_name": "Martin", "time_zone": "Europe/Paris"}
    values.update(fields)
    return CreatePractitionerCommand(**values)  # type: ignore[arg-type]


async def test_an_admin_creates_and_an_invited_nurse_can_be_linked(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    admin, _ = await world.role(tenant, Role.ADMIN, "admin@clinic.example")
    invited = await world.add_user(tenant, Role.NURSE, "invited@clinic.example", password=None)

    doctor = await world.practitioner(admin, user_id=invited.id)

    assert doctor.user_id == invited.id


async def test_linking_refuses_other_roles_deactivated_foreign_and_taken_accounts(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    other = await world.tenant("other")
    owner = await world.owner(tenant)
    receptionist = await world.add_user(tenant, Role.RECEPTIONIST, "desk@clinic.example")
    gone = await world.add_user(tenant, Role.PRACTITIONER, "gone@clinic.example")
    ok(await world.deactivate_user.execute(owner, gone.id))
    foreign = await world.add_user(other, Role.PRACTITIONER, "dr@other.example")
    taken = await world.add_user(tenant, Role.PRACTITIONER, "dr@clinic.example")
    await world.practitioner(owner, user_id=taken.id)

    for user_id in (receptionist.id, gone.id, foreign.id, UUID(int=999)):
        error = err(await world.create_practitioner.execute(owner, _command(user_id=user_id)))
        assert error.code == "practitioner.invalid_user"
        assert [f.field for f in error.fields] == ["user_id"]
    error = err(await world.create_practitioner.execute(owner, _command(user_id=taken.id)))
    assert (error.code, error.kind) == ("practitioner.user_taken", ErrorKind.CONFLICT)
    assert len(world.store.practitioners) == 1


async def test_invalid_working_hours_on_create_are_refused(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    error = err(await world.create_practitioner.execute(owner, _command(working_hours=[(1, "12:00", "09:00")])))

    assert error.code == "practitioner.invalid_working_hours"
    assert [f.field for f in error.fields] == ["working_hours.0.end"]


# --- read -------------------------------------------------------------------------------


async def test_staff_see_the_whole_profile_and_patients_the_directory(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    doctor = await world.practitioner(owner)
    viewers = {
        "owner": owner,
        "receptionist": (await world.role(tenant, Role.RECEPTIONIST, "desk@clinic.example"))[0],
        "nurse": (await world.role(tenant, Role.NURSE, "nurse@clinic.example"))[0],
        "patient": (await world.role(tenant, Role.PATIENT, "pat@clinic.example"))[0],
        "directory key": await world.api_key_actor(tenant, "practitioners:read"),
    }

    full = {name: ok(await world.get_practitioner.execute(actor, doctor.id)).full for name, actor in viewers.items()}
    listed = {
        name: [v.full for v in ok(await world.list_practitioners.execute(actor, ListQuery())).items]
        for name, actor in viewers.items()
    }

    assert full == {"owner": True, "receptionist": True, "nurse": True, "patient": False, "directory key": False}
    assert listed == {name: [value] for name, value in full.items()}


async def test_patients_cannot_ask_which_practitioners_have_an_account(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    await world.practitioner(await world.owner(tenant))
    patient, _ = await world.role(tenant, Role.PATIENT, "pat@clinic.example")

    error = err(await world.list_practitioners.execute(patient, ListQuery(filters={"has_user": False})))

    assert [f.field for f in error.fields] == ["has_user"]
    assert len(ok(await world.list_practitioners.execute(patient, ListQuery(filters={"active": True}))).items) == 1


async def test_reading_needs_practitioners_read(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    doctor = await world.practitioner(owner)
    auditor, _ = await world.role(tenant, Role.AUDITOR, "audit@clinic.example")

    assert err(await world.get_practitioner.execute(auditor, doctor.id)).kind is ErrorKind.FORBIDDEN
    assert err(await world.list_practitioners.execute(auditor, ListQuery())).kind is ErrorKind.FORBIDDEN
    assert [e.outcome for e in world.audit("practitioner.read") + world.audit("practitioner.list")] == [
        Outcome.DENIED,
        Outcome.DENIED,
    ]


async def test_another_organizations_practitioner_is_not_found(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    other = await world.tenant("other")
    theirs = await world.practitioner(await world.owner(other))
    owner = await world.owner(tenant)

    assert err(await world.get_practitioner.execute(owner, theirs.id)).code == "practitioner.not_found"
    update = UpdatePractitionerCommand(theirs.id, PractitionerChanges(buffer_minutes=5))
    assert err(await world.update_practitioner.execute(owner, update)).code == "practitioner.not_found"
    hours = SetWorkingHoursCommand(theirs.id, HOURS)
    assert err(await world.set_working_hours.execute(owner, hours)).code == "practitioner.not_found"
    assert err(await world.add_time_off.execute(owner, leave(theirs.id))).code == "practitioner.not_found"
    assert ok(await world.list_practitioners.execute(owner, ListQuery())).items == []
    assert world.store.practitioners[theirs.id].version == 1


async def test_the_list_filters_and_searches(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    _, nurse = await world.role(tenant, Role.NURSE, "nurse@clinic.example")
    martin = await world.practitioner(owner, user_id=nurse.id, specialties=["general_practice"])
    bernard = await world.practitioner(owner, given_name="Hugo", family_name="Bernard", specialties=["paediatrics"])

    async def names(**query: object) -> list[str]:
        page = ok(await world.list_practitioners.execute(owner, ListQuery(**query)))  # type: ignore[arg-type]
        return [v.practitioner.family_name for v in page.items]

    assert await names() == ["Bernard", "Martin"]
    assert await names(filters={"specialty": "paediatrics"}) == ["Bernard"]
    assert await names(filters={"has_user": True}) == ["Martin"]
    assert await names(search="hu") == ["Bernard"]
    assert {martin.id, bernard.id} == set(world.store.practitioners)


# --- update -----------------------------------------------------------------------------


async def test_an_update_checks_the_expected_version(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    doctor = await world.practitioner(owner)

    stale = UpdatePractitionerCommand(doctor.id, PractitionerChanges(buffer_minutes=5), expected_version=2)
    fresh = replace(stale, expected_version=1)

    assert err(await world.update_practitioner.execute(owner, stale)).kind is ErrorKind.PRECONDITION_FAILED
    updated = ok(await world.update_practitioner.execute(owner, fresh))
    assert (updated.buffer_minutes, updated.version) == (5, 2)
    [entry] = world.audit("practitioner.update")
    assert entry.details == {"fields": "buffer_minutes"}


async def test_deactivating_and_withdrawing_authorisations_are_audited_with_their_values(
    world: PractitionersWorld,
) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    doctor = await world.practitioner(owner, licence_number="A1", can_prescribe=True, controlled_substances=True)

    changes = PractitionerChanges(can_prescribe=False, controlled_substances=False, active=False)
    ok(await world.update_practitioner.execute(owner, UpdatePractitionerCommand(doctor.id, changes)))

    [entry] = world.audit("practitioner.update")
    assert entry.details == {
        "fields": "active,can_prescribe,controlled_substances",
        "can_prescribe": False,
        "controlled_substances": False,
        "active": False,
    }
    assert world.store.practitioners[doctor.id].active is False


async def test_a_refused_link_on_update_changes_nothing(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    receptionist = await world.add_user(tenant, Role.RECEPTIONIST, "desk@clinic.example")
    doctor = await world.practitioner(owner)

    changes = PractitionerChanges(user_id=receptionist.id, buffer_minutes=30)
    error = err(await world.update_practitioner.execute(owner, UpdatePractitionerCommand(doctor.id, changes)))

    assert error.code == "practitioner.invalid_user"
    assert world.store.practitioners[doctor.id] == doctor


# --- working hours ----------------------------------------------------------------------


async def test_the_linked_person_sets_their_own_hours_and_no_one_elses(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    me, account = await world.role(tenant, Role.PRACTITIONER, "dr@clinic.example")
    mine = await world.practitioner(owner, user_id=account.id)
    colleague = await world.practitioner(owner, given_name="Hugo")

    updated = ok(await world.set_working_hours.execute(me, SetWorkingHoursCommand(mine.id, HOURS, expected_version=1)))
    refused = err(await world.set_working_hours.execute(me, SetWorkingHoursCommand(colleague.id, HOURS)))
    unknown = err(await world.set_working_hours.execute(me, SetWorkingHoursCommand(UUID(int=12345), HOURS)))

    assert (len(updated.working_hours.hours), updated.version) == (5, 2)
    assert refused.kind is unknown.kind is ErrorKind.FORBIDDEN
    assert [(e.outcome, e.resource_id) for e in world.audit("working_hours.set")] == [
        (Outcome.SUCCESS, mine.id),
        (Outcome.DENIED, colleague.id),
        (Outcome.DENIED, UUID(int=12345)),
    ]
    assert world.store.practitioners[colleague.id].working_hours.hours == ()


async def test_own_hours_wait_for_mfa_enrolment(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    me, account = await world.role(tenant, Role.PRACTITIONER, "dr@clinic.example")
    mine = await world.practitioner(owner, user_id=account.id)
    pending = Actor(
        organization_id=me.organization_id,
        actor_type=me.actor_type,
        id=me.id,
        role=me.role,
        permissions=frozenset(),
        mfa_enrollment_required=True,
    )

    error = err(await world.set_working_hours.execute(pending, SetWorkingHoursCommand(mine.id, HOURS)))

    assert error.code == "auth.mfa_enrollment_required"


async def test_working_hours_check_the_version_and_the_rules(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    doctor = await world.practitioner(owner)

    stale = err(
        await world.set_working_hours.execute(owner, SetWorkingHoursCommand(doctor.id, HOURS, expected_version=7))
    )
    overlapping = err(
        await world.set_working_hours.execute(
            owner, SetWorkingHoursCommand(doctor.id, [(2, "09:00", "12:00"), (2, "11:30", "13:00")])
        )
    )
    same = ok(await world.set_working_hours.execute(owner, SetWorkingHoursCommand(doctor.id, [])))

    assert stale.kind is ErrorKind.PRECONDITION_FAILED
    assert overlapping.code == "practitioner.invalid_working_hours"
    assert same.version == 1  # nothing to change: no new version, no event
    assert world.audit("working_hours.set") == []


# --- time off ---------------------------------------------------------------------------


async def test_the_linked_person_manages_their_own_time_off(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    me, account = await world.role(tenant, Role.NURSE, "nurse@clinic.example")
    mine = await world.practitioner(owner, user_id=account.id)
    colleague = await world.practitioner(owner, given_name="Hugo")
    theirs = ok(await world.add_time_off.execute(owner, leave(colleague.id)))

    added = ok(await world.add_time_off.execute(me, leave(mine.id)))
    assert ok(await world.get_time_off.execute(me, mine.id, added.id)) == added
    assert ok(await world.list_time_off.execute(me, mine.id, ListQuery())).items == [added]
    ok(await world.remove_time_off.execute(me, RemoveTimeOffCommand(mine.id, added.id)))

    assert err(await world.add_time_off.execute(me, leave(colleague.id))).kind is ErrorKind.FORBIDDEN
    removal = RemoveTimeOffCommand(colleague.id, theirs.id)
    assert err(await world.remove_time_off.execute(me, removal)).kind is ErrorKind.FORBIDDEN
    assert world.store.time_off[theirs.id][1] == theirs
    assert [(e.action, e.outcome) for e in world.store.audit if e.action.startswith("time_off")] == [
        ("time_off.add", Outcome.SUCCESS),
        ("time_off.add", Outcome.SUCCESS),
        ("time_off.remove", Outcome.SUCCESS),
        ("time_off.add", Outcome.DENIED),
        ("time_off.remove", Outcome.DENIED),
    ]


async def test_time_off_is_for_staff_and_the_linked_person_only(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    doctor = await world.practitioner(owner)
    time_off = ok(await world.add_time_off.execute(owner, leave(doctor.id)))
    receptionist, _ = await world.role(tenant, Role.RECEPTIONIST, "desk@clinic.example")
    patient, _ = await world.role(tenant, Role.PATIENT, "pat@clinic.example")
    directory_key = await world.api_key_actor(tenant, "practitioners:read")

    assert ok(await world.list_time_off.execute(receptionist, doctor.id, ListQuery())).items == [time_off]
    assert err(await world.add_time_off.execute(receptionist, leave(doctor.id))).kind is ErrorKind.FORBIDDEN
    for outsider in (patient, directory_key):
        assert err(await world.list_time_off.execute(outsider, doctor.id, ListQuery())).kind is ErrorKind.FORBIDDEN
        assert err(await world.get_time_off.execute(outsider, doctor.id, time_off.id)).kind is ErrorKind.FORBIDDEN


async def test_time_off_belongs_to_its_practitioner(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    one = await world.practitioner(owner)
    other = await world.practitioner(owner, given_name="Hugo")
    time_off = ok(await world.add_time_off.execute(owner, leave(one.id)))

    assert err(await world.get_time_off.execute(owner, other.id, time_off.id)).code == "time_off.not_found"
    removal = RemoveTimeOffCommand(other.id, time_off.id)
    assert err(await world.remove_time_off.execute(owner, removal)).code == "time_off.not_found"
    assert time_off.id in world.store.time_off


async def test_time_off_rules_and_list_filters(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    doctor = await world.practitioner(owner)
    backwards = AddTimeOffCommand(doctor.id, JULY[1], JULY[0])

    assert err(await world.add_time_off.execute(owner, backwards)).code == "time_off.invalid"
    span = ListQuery(filters={"from": JULY[1], "to": JULY[0]})
    assert [f.field for f in err(await world.list_time_off.execute(owner, doctor.id, span)).fields] == ["to"]
    assert world.audit("time_off.add") == []


# --- holidays ---------------------------------------------------------------------------


async def test_holidays_one_per_day_created_and_deleted_by_administrators(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    patient, _ = await world.role(tenant, Role.PATIENT, "pat@clinic.example")

    christmas = ok(await world.create_holiday.execute(owner, CreateHolidayCommand(date(2026, 12, 25), "Christmas")))
    again = err(await world.create_holiday.execute(owner, CreateHolidayCommand(date(2026, 12, 25), "Noël")))
    refused = err(await world.create_holiday.execute(patient, CreateHolidayCommand(date(2026, 1, 1), "New Year")))

    assert again.code == "holiday.day_taken"
    assert refused.kind is ErrorKind.FORBIDDEN
    assert ok(await world.get_holiday.execute(patient, christmas.id)) == christmas
    assert ok(await world.list_holidays.execute(patient, ListQuery())).items == [christmas]
    assert err(await world.delete_holiday.execute(patient, christmas.id)).kind is ErrorKind.FORBIDDEN
    ok(await world.delete_holiday.execute(owner, christmas.id))
    assert err(await world.delete_holiday.execute(owner, christmas.id)).code == "holiday.not_found"
    assert [(e.action, e.outcome) for e in world.store.audit if e.action.startswith("holiday.")] == [
        ("holiday.create", Outcome.SUCCESS),
        ("holiday.create", Outcome.DENIED),
        ("holiday.delete", Outcome.DENIED),
        ("holiday.delete", Outcome.SUCCESS),
    ]


# --- rooms and appointment types --------------------------------------------------------


async def test_room_names_are_unique_regardless_of_case(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    room = ok(await world.create_room.execute(owner, CreateRoomCommand("Room 1")))
    ecg = ok(await world.create_room.execute(owner, CreateRoomCommand("ECG", RoomKind.EQUIPMENT)))

    assert err(await world.create_room.execute(owner, CreateRoomCommand("ROOM 1"))).code == "room.name_taken"
    rename = UpdateRoomCommand(room_id=ecg.id, name="room 1")
    assert err(await world.update_room.execute(owner, rename)).code == "room.name_taken"
    recase = UpdateRoomCommand(room_id=room.id, name="ROOM 1", expected_version=1)
    assert ok(await world.update_room.execute(owner, recase)).name == "ROOM 1"
    stale = UpdateRoomCommand(room_id=room.id, active=False, expected_version=1)
    assert err(await world.update_room.execute(owner, stale)).kind is ErrorKind.PRECONDITION_FAILED
    assert [e.details for e in world.audit("room.update")] == [{"fields": "name"}]


async def test_rooms_and_types_are_read_by_the_directory_and_changed_by_administrators(
    world: PractitionersWorld,
) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    room = ok(await world.create_room.execute(owner, CreateRoomCommand("Room 1")))
    kind = ok(
        await world.create_appointment_type.execute(
            owner, CreateAppointmentTypeCommand(name="Visit", default_minutes=20)
        )
    )
    patient, _ = await world.role(tenant, Role.PATIENT, "pat@clinic.example")

    assert ok(await world.get_room.execute(patient, room.id)) == room
    assert ok(await world.list_rooms.execute(patient, ListQuery())).items == [room]
    assert ok(await world.get_appointment_type.execute(patient, kind.id)) == kind
    assert ok(await world.list_appointment_types.execute(patient, ListQuery())).items == [kind]
    assert err(await world.create_room.execute(patient, CreateRoomCommand("Room 2"))).kind is ErrorKind.FORBIDDEN
    retire = UpdateAppointmentTypeCommand(appointment_type_id=kind.id, active=False)
    assert err(await world.update_appointment_type.execute(patient, retire)).kind is ErrorKind.FORBIDDEN


async def test_appointment_types_keep_consistent_durations(world: PractitionersWorld) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    visit = ok(
        await world.create_appointment_type.execute(
            owner, CreateAppointmentTypeCommand(name="Visit", default_minutes=20, min_minutes=10, max_minutes=40)
        )
    )
    ok(
        await world.create_appointment_type.execute(
            owner, CreateAppointmentTypeCommand(name="Long", default_minutes=40)
        )
    )

    narrower = UpdateAppointmentTypeCommand(appointment_type_id=visit.id, max_minutes=15)
    error = err(await world.update_appointment_type.execute(owner, narrower))
    clash = UpdateAppointmentTypeCommand(appointment_type_id=visit.id, name="long")
    longer = UpdateAppointmentTypeCommand(appointment_type_id=visit.id, default_minutes=30, expected_version=1)

    assert [f.field for f in error.fields] == ["default_minutes"]
    assert err(await world.update_appointment_type.execute(owner, clash)).code == "appointment_type.name_taken"
    assert ok(await world.update_appointment_type.execute(owner, longer)).duration_rule().max_minutes == 40
    assert world.store.appointment_types[visit.id].default_minutes == 30
    duplicate = CreateAppointmentTypeCommand(name="VISIT", default_minutes=20)
    assert err(await world.create_appointment_type.execute(owner, duplicate)).code == "appointment_type.name_taken"
