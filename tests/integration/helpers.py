"""Helpers for integration tests: tenants, sign-in, headers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.tables import audit_events as audit_table
from medcore.application.identity.create_organization import CreateOrganizationCommand
from medcore.container import Container
from medcore.domain.identity.organization import OrganizationSettings

PASSWORD = "correct horse battery staple"
NO_MFA = OrganizationSettings(mfa_required_roles=frozenset())

_numbers = itertools.count(1)

Client = AsyncTestClient[Litestar]


@dataclass(frozen=True)
class Tenant:
    organization_id: UUID
    slug: str
    owner_id: UUID
    owner_email: str
    password: str = PASSWORD


async def make_tenant(
    container: Container, slug: str | None = None, *, settings: OrganizationSettings = NO_MFA
) -> Tenant:
    """An organization with an owner (MFA not required unless ``settings`` says so)."""
    number = next(_numbers)
    slug = slug or f"clinic-{number}"
    email = f"owner{number}@{slug}.test"
    result = await container.use_cases.create_organization().execute(
        CreateOrganizationCommand(
            slug=slug,
            name=f"Clinic {number}",
            owner_email=email,
            owner_password=PASSWORD,
            owner_given_name="Olga",
            owner_family_name="Owner",
            settings=settings,
        )
    )
    created = result.unwrap()
    return Tenant(organization_id=created.organization.id, slug=slug, owner_id=created.owner.id, owner_email=email)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(client: Client, slug: str, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/login", json={"organization": slug, "email": email, "password": password}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def owner_token(client: Client, tenant: Tenant) -> str:
    return str((await login(client, tenant.slug, tenant.owner_email))["access_token"])


async def add_user(
    client: Client, token: str, role: str, email: str | None = None, password: str | None = PASSWORD
) -> dict[str, Any]:
    email = email or f"{role}{next(_numbers)}@example.test"
    payload: dict[str, Any] = {"email": email, "role": role, "given_name": "Test", "family_name": role.title()}
    if password is not None:
        payload["password"] = password
    response = await client.post("/api/v1/users", json=payload, headers=bearer(token))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def token_for(client: Client, tenant: Tenant, role: str) -> tuple[str, dict[str, Any]]:
    """A signed-in user of ``role`` in ``tenant``: (access token, user)."""
    owner = await owner_token(client, tenant)
    user = await add_user(client, owner, role)
    tokens = await login(client, tenant.slug, user["email"])
    return str(tokens["access_token"]), user


async def audit_events(db: SavepointDatabase, organization_id: UUID) -> list[dict[str, Any]]:
    """The organization's audit trail as committed so far in this test, oldest first."""
    rows = await db.connection.execute(
        select(audit_table).where(audit_table.c.organization_id == organization_id).order_by(audit_table.c.sequence)
    )
    return [dict(row) for row in rows.mappings()]
