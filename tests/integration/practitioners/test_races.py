"""Concurrent requests that the domain's own checks cannot tell apart: the database's unique
constraints let exactly one win, and the other gets the same refusal as a sequential one."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Success

from medcore.application.identity.create_organization import CreateOrganizationCommand
from medcore.application.identity.create_user import CreateUserCommand
from medcore.application.practitioners.create_practitioner import CreatePractitionerCommand
from medcore.application.practitioners.create_room import CreateRoomCommand
from medcore.application.shared.actor import system_actor
from medcore.domain.identity.organization import OrganizationSettings
from medcore.domain.identity.permissions import Role
from medcore.domain.shared.errors import DomainRefusal
from tests.integration.system_helpers import system_container

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"


def outcome(result: Any) -> str:
    if isinstance(result, DomainRefusal):
        return result.error.code
    if isinstance(result, Failure):
        return str(result.failure().code)
    assert isinstance(result, Success), result
    return "created"


async def test_concurrent_links_of_one_account_and_same_named_rooms_let_one_win(
    fresh_database_url: str, tmp_path: Path
) -> None:
    container = system_container(fresh_database_url, tmp_path)
    use_cases: Any = container.use_cases
    try:
        created = (
            await use_cases.create_organization().execute(
                CreateOrganizationCommand(
                    slug="racing",
                    name="Racing Clinic",
                    owner_email="owner@racing.test",
                    owner_password=PASSWORD,
                    settings=OrganizationSettings(mfa_required_roles=frozenset()),
                )
            )
        ).unwrap()
        actor = system_actor(created.organization.id, created.owner.id)
        doctor = (
            await use_cases.create_user().execute(
                actor,
                CreateUserCommand(email="dr@racing.test", role=Role.PRACTITIONER, given_name="C", family_name="M"),
            )
        ).unwrap()

        def link(name: str) -> Any:
            command = CreatePractitionerCommand(
                given_name=name, family_name="Martin", time_zone="Europe/Paris", user_id=doctor.id
            )
            return use_cases.create_practitioner().execute(actor, command)

        links = await asyncio.gather(*(link(f"Claire{i}") for i in range(6)), return_exceptions=True)
        rooms = await asyncio.gather(
            *(
                use_cases.create_room().execute(actor, CreateRoomCommand(f"Room {'A' if i % 2 else 'a'}"))
                for i in range(6)
            ),
            return_exceptions=True,
        )

        assert sorted(outcome(r) for r in links) == ["created"] + ["practitioner.user_taken"] * 5
        assert sorted(outcome(r) for r in rooms) == ["created"] + ["room.name_taken"] * 5
        async with use_cases.unit_of_work() as uow:
            linked = await uow.practitioners.by_user(created.organization.id, doctor.id)
        assert linked is not None
    finally:
        await container.gateways.engine().dispose()
