"""Concurrent changes to patient records: generated numbers never repeat, a given number or
an account is taken once, and versions of one record are numbered without gaps or forks."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Success

from medcore.application.identity.create_organization import CreateOrganizationCommand
from medcore.application.identity.create_user import CreateUserCommand
from medcore.application.patients.add_allergy import AddAllergyCommand
from medcore.application.patients.create_patient import CreatePatientCommand
from medcore.application.shared.actor import system_actor
from medcore.domain.identity.organization import OrganizationSettings
from medcore.domain.identity.permissions import Role
from medcore.domain.shared.errors import DomainRefusal
from medcore.domain.shared.listing import ListQuery
from tests.integration.system_helpers import system_container

pytestmark = pytest.mark.slow


def outcome(result: Any) -> str:
    if isinstance(result, DomainRefusal):
        return result.error.code
    if isinstance(result, Failure):
        return str(result.failure().code)
    assert isinstance(result, Success), result
    return "created"


def jean(**fields: Any) -> CreatePatientCommand:
    return CreatePatientCommand(given_name="Jean", family_name="Dupont", birth_date=date(1968, 4, 12), **fields)


async def test_concurrent_creations_and_changes_of_records(fresh_database_url: str, tmp_path: Path) -> None:
    container = system_container(fresh_database_url, tmp_path)
    use_cases: Any = container.use_cases
    try:
        created = (
            await use_cases.create_organization().execute(
                CreateOrganizationCommand(
                    slug="racing",
                    name="Racing Clinic",
                    owner_email="owner@racing.test",
                    owner_password="correct horse battery staple",
                    settings=OrganizationSettings(mfa_required_roles=frozenset()),
                )
            )
        ).unwrap()
        actor = system_actor(created.organization.id, created.owner.id)
        account = (
            await use_cases.create_user().execute(
                actor, CreateUserCommand(email="p@racing.test", role=Role.PATIENT, given_name="P", family_name="Q")
            )
        ).unwrap()
        create = use_cases.create_patient().execute

        generated = await asyncio.gather(*(create(actor, jean()) for _ in range(8)), return_exceptions=True)
        given = await asyncio.gather(*(create(actor, jean(mrn="X-1")) for _ in range(6)), return_exceptions=True)
        linked = await asyncio.gather(
            *(create(actor, jean(user_id=account.id)) for _ in range(6)), return_exceptions=True
        )

        assert sorted(r.unwrap().mrn for r in generated) == [f"MRN-{n:06d}" for n in range(1, 9)]
        assert sorted(outcome(r) for r in given) == ["created"] + ["patient.mrn_taken"] * 5
        assert sorted(outcome(r) for r in linked) == ["created"] + ["patient.user_already_linked"] * 5

        record = generated[0].unwrap()
        add = use_cases.add_allergy().execute
        added = await asyncio.gather(
            *(add(actor, AddAllergyCommand(patient_id=record.id, substance=f"Substance {i}")) for i in range(10))
        )
        assert all(isinstance(r, Success) for r in added)
        versions = (await use_cases.get_patient_history().execute(actor, record.id, ListQuery(limit=200))).unwrap()
        assert [v.sequence for v in versions.items] == list(range(1, 12))
        assert {v.resource_id for v in versions.items[1:]} == {r.unwrap().id for r in added}
    finally:
        await container.gateways.engine().dispose()
