"""The demo organization's practitioners, rooms and appointment types."""

from __future__ import annotations

from typing import Any

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.application.demo.seed_demo import SeedDemo
from medcore.container import Container
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.organization import OrganizationSlug
from medcore.domain.shared.listing import ListQuery
from tests.integration.helpers import Client, bearer, login
from tests.integration.practitioners.helpers import WEEKDAY_HOURS


async def directory(container: Container) -> dict[str, Any]:
    async with container.use_cases.unit_of_work() as uow:
        organization = await uow.organizations.by_slug(OrganizationSlug("demo"))
        assert organization is not None
        org = organization.id
        martin_account = await uow.users.by_email(org, EmailAddress("dr.martin@demo.medcore.dev"))
        practitioners = (await uow.practitioners.list(org, ListQuery(limit=200))).unwrap().items
        rooms = (await uow.rooms.list(org, ListQuery(limit=200))).unwrap().items
        types = (await uow.appointment_types.list(org, ListQuery(limit=200))).unwrap().items
    return {"account": martin_account, "practitioners": practitioners, "rooms": rooms, "types": types}


async def test_the_demo_has_two_practitioners_two_rooms_and_three_appointment_types(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    assert (await container.use_cases.seed_demo().execute()).unwrap().created
    assert not (await container.use_cases.seed_demo().execute()).unwrap().created  # adds nothing the second time

    seeded = await directory(container)

    bernard, martin = seeded["practitioners"]  # by family name
    assert (martin.given_name, martin.family_name) == ("Claire", "Martin")
    assert martin.user_id == seeded["account"].id
    assert martin.specialties == ("general_practice",)
    assert martin.time_zone.value == "Europe/Paris"
    assert martin.buffer_minutes == 10
    assert martin.licence_number is not None
    assert bernard.user_id is None
    assert bernard.specialties == ("paediatrics",)
    assert [r.name for r in seeded["rooms"]] == ["Consultation room 1", "Consultation room 2"]
    assert [(t.name, t.default_minutes, t.min_minutes, t.max_minutes) for t in seeded["types"]] == [
        ("Consultation", 20, 10, 40),
        ("Follow-up", 15, 10, 30),
        ("Long consultation", 40, 30, 60),
    ]
    # Dr Martin signs in and sees her own hours, as the demo promises.
    tokens = await login(client, "demo", "dr.martin@demo.medcore.dev", "quiet-meadow-3856")
    hours = await client.get(f"/api/v1/practitioners/{martin.id}/working-hours", headers=bearer(tokens["access_token"]))
    assert hours.json()["rules"] == WEEKDAY_HOURS


async def test_a_demo_seeded_before_practitioners_existed_is_topped_up(
    container: Container, db: SavepointDatabase
) -> None:
    use_cases: Any = container.use_cases
    older = SeedDemo(use_cases.uow(), use_cases.create_organization(), use_cases.create_user())
    assert (await older.execute()).unwrap().created
    assert (await directory(container))["practitioners"] == []

    again = await container.use_cases.seed_demo().execute()

    assert not again.unwrap().created
    seeded = await directory(container)
    assert len(seeded["practitioners"]) == 2
    assert len(seeded["rooms"]) == 2
    assert len(seeded["types"]) == 3
