"""Steps the patient integration tests share: a clinic with its staff, records, a patient login."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medcore.container import Container
from tests.integration.helpers import Client, Tenant, bearer, make_tenant, owner_token, token_for

JEAN = {
    "given_name": "Jean",
    "family_name": "Dupont",
    "birth_date": "1968-04-12",
    "sex": "male",
    "email": "jean.dupont@example.test",
    "phone": "+33 6 12 34 56 78",
}


@dataclass
class Clinic:
    client: Client
    tenant: Tenant
    owner: str  # access tokens

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.owner)

    async def staff(self, role: str) -> str:
        return (await token_for(self.client, self.tenant, role))[0]

    async def create(self, token: str | None = None, **fields: Any) -> Any:
        return await self.client.post("/api/v1/patients", json={**JEAN, **fields}, headers=bearer(token or self.owner))

    async def patient(self, **fields: Any) -> dict[str, Any]:
        response = await self.create(**fields)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def patient_login(self, **fields: Any) -> tuple[str, dict[str, Any]]:
        """A signed-in patient account and the record linked to it."""
        token, user = await token_for(self.client, self.tenant, "patient")
        record = await self.patient(user_id=user["id"], **{"email": user["email"], **fields})
        return token, record

    async def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        return await self.client.get(path, params=params, headers=bearer(token or self.owner))

    async def post(self, path: str, body: Any, token: str | None = None, **headers: str) -> Any:
        return await self.client.post(path, json=body, headers={**bearer(token or self.owner), **headers})


async def open_clinic(client: Client, container: Container) -> Clinic:
    tenant = await make_tenant(container)
    return Clinic(client, tenant, await owner_token(client, tenant))
