"""The Postgres repositories of the practitioners context: round trips, the range queries
availability relies on, and the constraints that back the domain's checks when requests race."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from medcore.domain.practitioners.practitioner import Practitioner, PractitionerChanges
from medcore.domain.practitioners.resources import AppointmentType, Room
from medcore.domain.practitioners.schedule import Holiday, TimeOff, WeeklySchedule
from medcore.domain.scheduling.intervals import Interval
from medcore.domain.shared.errors import DomainRefusal
from medcore.domain.shared.listing import ListQuery
from tests.integration.helpers import make_tenant

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def practitioner(organization_id: UUID, **changes: object) -> Practitioner:
    fields: dict[str, object] = {"given_name": "Claire", "family_name": "Martin", "time_zone": "Europe/Paris"}
    fields.update(changes)
    return Practitioner.create(
        id=uuid4(),
        organization_id=organization_id,
        changes=PractitionerChanges(**fields),  # type: ignore[arg-type]
        now=NOW,
        working_hours=WeeklySchedule.build(
            [(1, "09:00", "12:30"), (1, "14:00", "24:00"), (7, "00:00", "06:00")]
        ).unwrap(),
    ).unwrap()


async def test_a_practitioner_round_trips_with_its_working_hours(container: Container, db: SavepointDatabase) -> None:
    tenant = await make_tenant(container)
    original = practitioner(
        tenant.organization_id,
        specialties=["paediatrics", "general_practice"],
        licence_number="ABC-1",
        licence_expires_on=date(2030, 1, 31),
        can_prescribe=True,
        controlled_substances=True,
        buffer_minutes=15,
        daily_capacity=12,
    )
    async with container.use_cases.unit_of_work() as uow:
        await uow.practitioners.add(original)
        await uow.commit()

    async with container.use_cases.unit_of_work() as uow:
        loaded = await uow.practitioners.get(tenant.organization_id, original.id)
        elsewhere = await uow.practitioners.get(uuid4(), original.id)

    assert loaded == original
    assert loaded is not None
    assert loaded.working_hours.hours[1].end == time(23, 59, 59, 999999)  # 24:00
    assert elsewhere is None


async def test_saving_checks_the_version(container: Container, db: SavepointDatabase) -> None:
    tenant = await make_tenant(container)
    original = practitioner(tenant.organization_id)
    async with container.use_cases.unit_of_work() as uow:
        await uow.practitioners.add(original)
        first = await uow.practitioners.get(tenant.organization_id, original.id)
        second = await uow.practitioners.get(tenant.organization_id, original.id)
        assert first is not None
        assert second is not None
        first.update(PractitionerChanges(buffer_minutes=5), NOW)
        second.update(PractitionerChanges(buffer_minutes=20), NOW)

        assert await uow.practitioners.save(first) is True
        assert await uow.practitioners.save(second) is False
        assert first.version == 2


async def test_the_database_refuses_a_second_practitioner_for_one_account(
    container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    async with container.use_cases.unit_of_work() as uow:
        await uow.practitioners.add(practitioner(tenant.organization_id, user_id=tenant.owner_id))
        second = practitioner(tenant.organization_id, user_id=tenant.owner_id, given_name="Hugo")
        with pytest.raises(DomainRefusal) as refused:
            await uow.practitioners.add(second)
    assert refused.value.error.code == "practitioner.user_taken"


async def test_the_database_refuses_duplicate_names_and_days(container: Container, db: SavepointDatabase) -> None:
    tenant = await make_tenant(container)
    org = tenant.organization_id
    cases = [
        (
            "room.name_taken",
            lambda uow: uow.rooms.add(Room.create(id=uuid4(), organization_id=org, name="Room 1", now=NOW).unwrap()),
            lambda uow: uow.rooms.add(Room.create(id=uuid4(), organization_id=org, name="ROOM 1", now=NOW).unwrap()),
        ),
        (
            "appointment_type.name_taken",
            lambda uow: uow.appointment_types.add(
                AppointmentType.create(
                    id=uuid4(), organization_id=org, name="Visit", default_minutes=20, now=NOW
                ).unwrap()
            ),
            lambda uow: uow.appointment_types.add(
                AppointmentType.create(
                    id=uuid4(), organization_id=org, name="visit", default_minutes=30, now=NOW
                ).unwrap()
            ),
        ),
        (
            "holiday.day_taken",
            lambda uow: uow.holidays.add(org, Holiday(uuid4(), date(2026, 12, 25), "Christmas")),
            lambda uow: uow.holidays.add(org, Holiday(uuid4(), date(2026, 12, 25), "Noël")),
        ),
    ]
    for code, first, second in cases:
        async with container.use_cases.unit_of_work() as uow:
            await first(uow)
            with pytest.raises(DomainRefusal) as refused:
                await second(uow)
        assert refused.value.error.code == code


async def test_time_off_between_finds_exactly_the_overlapping_stretches(
    container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    org = tenant.organization_id
    doctor = practitioner(org)
    colleague = practitioner(org, given_name="Hugo")
    stretches = {
        "before": Interval(at(1), at(2)),
        "touching_start": Interval(at(2), at(3)),
        "inside": Interval(at(3, 9), at(3, 17)),
        "across_end": Interval(at(4, 12), at(6)),
        "touching_end": Interval(at(5), at(7)),
        "after": Interval(at(8), at(9)),
    }
    ids: dict[str, UUID] = {}
    async with container.use_cases.unit_of_work() as uow:
        await uow.practitioners.add(doctor)
        await uow.practitioners.add(colleague)
        for name, interval in stretches.items():
            ids[name] = uuid4()
            await uow.time_off.add(org, TimeOff(ids[name], doctor.id, interval, name))
        await uow.time_off.add(org, TimeOff(uuid4(), colleague.id, Interval(at(3), at(4)), None))
        await uow.commit()

    async with container.use_cases.unit_of_work() as uow:
        found = await uow.time_off.between(org, doctor.id, Interval(at(3), at(5)))
        elsewhere = await uow.time_off.between(uuid4(), doctor.id, Interval(at(1), at(9)))
        page = await uow.time_off.list_for(org, doctor.id, ListQuery(limit=2))
        rest = await uow.time_off.list_for(org, doctor.id, ListQuery(limit=10, cursor=page.unwrap().next_cursor))

    assert [t.reason for t in found] == ["inside", "across_end"]
    assert found[0] == TimeOff(ids["inside"], doctor.id, stretches["inside"], "inside")
    assert elsewhere == []
    assert [t.reason for t in page.unwrap().items + rest.unwrap().items] == list(stretches)
    assert page.unwrap().total == 6


async def test_holidays_between_includes_both_ends(container: Container, db: SavepointDatabase) -> None:
    tenant = await make_tenant(container)
    org = tenant.organization_id
    async with container.use_cases.unit_of_work() as uow:
        for day in (date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 9)):
            await uow.holidays.add(org, Holiday(uuid4(), day, f"Day {day}"))
        await uow.commit()

    async with container.use_cases.unit_of_work() as uow:
        found = await uow.holidays.between(org, date(2026, 5, 1), date(2026, 5, 8))
        on = await uow.holidays.on(org, date(2026, 5, 9))
        none = await uow.holidays.between(uuid4(), date(2026, 1, 1), date(2026, 12, 31))

    assert [h.day for h in found] == [date(2026, 5, 1), date(2026, 5, 8)]
    assert on is not None
    assert on.name == "Day 2026-05-09"
    assert none == []


async def test_the_calendar_built_from_stored_rows_leaves_out_time_off_and_holidays(
    container: Container, db: SavepointDatabase
) -> None:
    tenant = await make_tenant(container)
    org = tenant.organization_id
    doctor = practitioner(org, buffer_minutes=10, daily_capacity=8)
    monday = datetime(2026, 3, 2, tzinfo=UTC)  # 09:00-12:30 and 14:00-24:00 in Paris (UTC+1)
    async with container.use_cases.unit_of_work() as uow:
        await uow.practitioners.add(doctor)
        await uow.time_off.add(
            org, TimeOff(uuid4(), doctor.id, Interval(monday + timedelta(hours=10), monday + timedelta(hours=11)))
        )
        await uow.holidays.add(org, Holiday(uuid4(), date(2026, 3, 9), "Closed"))
        await uow.commit()

    window = Interval(monday, monday + timedelta(days=14))
    async with container.use_cases.unit_of_work() as uow:
        stored = await uow.practitioners.get(org, doctor.id)
        assert stored is not None
        calendar = stored.calendar(
            await uow.time_off.between(org, doctor.id, window),
            await uow.holidays.between(org, date(2026, 3, 1), date(2026, 3, 16)),
        )

    assert calendar.buffer == timedelta(minutes=10)
    assert calendar.daily_capacity == 8
    first_monday = [i for i in calendar.available(window) if i.start < monday + timedelta(days=1)]
    assert [(i.start.hour, i.start.minute, i.end.hour, i.end.minute) for i in first_monday] == [
        (8, 0, 10, 0),
        (11, 0, 11, 30),
        (13, 0, 23, 0),
    ]
    second_monday = [
        i for i in calendar.available(window) if monday + timedelta(days=7) <= i.start < monday + timedelta(days=8)
    ]
    assert second_monday == []
