"""What the prescribing integration tests share: a clinic set up through the HTTP API (a
prescribing practitioner with an account, a nurse, a receptionist, a patient record linked
to a patient login), items as the API takes them, and small request helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medcore.container import Container
from tests.integration.helpers import Client, Tenant, bearer, make_tenant, owner_token, token_for

DOCTOR = {
    "given_name": "Claire",
    "family_name": "Martin",
    "time_zone": "Europe/Paris",
    "specialties": ["general_practice"],
    "licence_number": "RPPS 10001234567",
    "licence_expires_on": "2099-12-31",
    "can_prescribe": True,
    "controlled_substances": True,
}
PATIENT = {"given_name": "Jean", "family_name": "Dupont", "birth_date": "1968-04-12"}


def amoxicillin(**fields: Any) -> dict[str, Any]:
    """500 mg by mouth three times a day for 7 days: 21 doses."""
    return {
        "medication_code": "J01CA04",
        "dose_amount": 500,
        "dose_unit": "mg",
        "route": "oral",
        "frequency_per_day": 3,
        "duration_days": 7,
        "quantity": 21,
        "refills": 0,
        **fields,
    }


def ibuprofen(**fields: Any) -> dict[str, Any]:
    return {
        "medication_code": "M01AE01",
        "dose_amount": 400,
        "dose_unit": "mg",
        "route": "oral",
        "frequency_per_day": 3,
        "duration_days": 5,
        "quantity": 15,
        **fields,
    }


@dataclass
class Clinic:
    client: Client
    container: Container
    tenant: Tenant
    owner: str  # access tokens
    doctor: str
    nurse: str
    reception: str
    practitioner: dict[str, Any]
    patient: dict[str, Any]
    patient_token: str  # the account linked to `patient`

    @property
    def organization_id(self) -> Any:
        return self.tenant.organization_id

    async def post(self, path: str, body: Any = None, token: str | None = None, **headers: str) -> Any:
        return await self.client.post(
            path, json=body if body is not None else {}, headers={**bearer(token or self.doctor), **headers}
        )

    async def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        return await self.client.get(path, params=params, headers=bearer(token or self.doctor))

    async def patch(self, path: str, body: Any, token: str | None = None, **headers: str) -> Any:
        return await self.client.patch(path, json=body, headers={**bearer(token or self.doctor), **headers})

    # --- the record ---------------------------------------------------------------------

    async def record(self, kind: str, body: dict[str, Any], patient: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.post(f"/api/v1/patients/{(patient or self.patient)['id']}/{kind}", body, self.nurse)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def new_patient(self, **fields: Any) -> dict[str, Any]:
        response = await self.post("/api/v1/patients", {**PATIENT, "given_name": "Marie", **fields}, self.owner)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    # --- prescriptions ------------------------------------------------------------------

    async def draft(
        self, *items: dict[str, Any], token: str | None = None, patient: dict[str, Any] | None = None, **fields: Any
    ) -> Any:
        body = {
            "patient_id": (patient or self.patient)["id"],
            "prescriber_id": self.practitioner["id"],
            "items": list(items) or [amoxicillin()],
            **fields,
        }
        return await self.post("/api/v1/prescriptions", body, token)

    async def drafted(self, *items: dict[str, Any], **fields: Any) -> dict[str, Any]:
        response = await self.draft(*items, **fields)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def sign(self, prescription_id: str, *acknowledged: tuple[str, int], token: str | None = None) -> Any:
        acknowledgements = [{"code": c, "item_index": i, "reason": "Discussed and monitored."} for c, i in acknowledged]
        return await self.post(
            f"/api/v1/prescriptions/{prescription_id}/sign", {"acknowledgements": acknowledgements}, token
        )

    async def signed(self, *items: dict[str, Any], **fields: Any) -> dict[str, Any]:
        draft = await self.drafted(*items, **fields)
        response = await self.sign(draft["id"])
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def api_key(self, *scopes: str) -> dict[str, str]:
        response = await self.post("/api/v1/api-keys", {"name": "Pharmacy", "scopes": list(scopes)}, self.owner)
        assert response.status_code == 201, response.text
        return {"X-API-Key": response.json()["key"]}


async def open_clinic(client: Client, container: Container) -> Clinic:
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    doctor, doctor_user = await token_for(client, tenant, "practitioner")
    response = await client.post(
        "/api/v1/practitioners", json={**DOCTOR, "user_id": doctor_user["id"]}, headers=bearer(owner)
    )
    assert response.status_code == 201, response.text
    practitioner = response.json()
    nurse, _ = await token_for(client, tenant, "nurse")
    reception, _ = await token_for(client, tenant, "receptionist")
    patient_token, patient_user = await token_for(client, tenant, "patient")
    response = await client.post(
        "/api/v1/patients",
        json={**PATIENT, "user_id": patient_user["id"], "email": patient_user["email"]},
        headers=bearer(owner),
    )
    assert response.status_code == 201, response.text
    return Clinic(
        client=client,
        container=container,
        tenant=tenant,
        owner=owner,
        doctor=doctor,
        nurse=nurse,
        reception=reception,
        practitioner=practitioner,
        patient=response.json(),
        patient_token=patient_token,
    )


def finding_codes(findings: list[dict[str, Any]]) -> list[tuple[str, str, list[int]]]:
    return [(f["code"], f["severity"], f["items"]) for f in findings]
