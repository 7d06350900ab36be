"""What the clinical integration tests share: the scheduling tests' clinic in Europe/Paris
(a practitioner, a patient, a patient login with its own record, staff tokens, a clock
pinned to Monday 15 March 2027), plus a doctor whose account is linked to a practitioner
(the author who signs), a second doctor, and a nurse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, bearer, login, token_for
from tests.integration.scheduling.support import NOW, Clinic, open_clinic

SOAP = ["subjective", "objective", "assessment", "plan"]
VITALS = {
    "systolic_mmhg": 142,
    "diastolic_mmhg": 88,
    "pulse_per_min": 72,
    "temperature_c": 36.8,
    "weight_kg": 84,
    "height_cm": 176,
    "spo2_percent": 98,
}


@dataclass
class Ward:
    clinic: Clinic
    doctor_token: str  # a practitioner account linked to `doctor`
    doctor: dict[str, Any]
    other_doctor_token: str  # another practitioner account, linked to `other_doctor`
    other_doctor: dict[str, Any]
    nurse_token: str
    emails: dict[str, str]  # of the doctor, the other doctor and the nurse, to sign in again

    @property
    def client(self) -> Client:
        return self.clinic.client

    @property
    def patient(self) -> dict[str, Any]:
        return self.clinic.patient

    @property
    def owner(self) -> str:
        return self.clinic.owner

    async def later(self, **delta: float) -> None:
        """Move the clock on and sign the owner, the doctors and the nurse in again (access
        tokens live 15 minutes)."""
        self.clinic.clock.advance(**delta)
        tenant = self.clinic.tenant

        async def token(email: str) -> str:
            return str((await login(self.client, tenant.slug, email))["access_token"])

        self.clinic.owner = await token(tenant.owner_email)
        self.doctor_token = await token(self.emails["doctor"])
        self.other_doctor_token = await token(self.emails["other_doctor"])
        self.nurse_token = await token(self.emails["nurse"])

    async def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        return await self.client.get(path, params=params, headers=bearer(token or self.doctor_token))

    async def post(self, path: str, body: Any = None, token: str | None = None, **headers: str) -> Any:
        return await self.client.post(
            path, json=body if body is not None else {}, headers={**bearer(token or self.doctor_token), **headers}
        )

    async def patch(self, path: str, body: Any, token: str | None = None, **headers: str) -> Any:
        return await self.client.patch(path, json=body, headers={**bearer(token or self.doctor_token), **headers})

    async def delete(self, path: str, token: str | None = None, **headers: str) -> Any:
        return await self.client.delete(path, headers={**bearer(token or self.doctor_token), **headers})

    async def consult(self, token: str | None = None, **fields: Any) -> dict[str, Any]:
        """A draft consultation of the patient by the doctor (201 expected)."""
        response = await self.post("/api/v1/consultations", {"patient_id": self.patient["id"], **fields}, token)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def signed(self, token: str | None = None, **fields: Any) -> dict[str, Any]:
        """A consultation written and signed by the doctor."""
        draft = await self.consult(token, **fields)
        response = await self.post(f"/api/v1/consultations/{draft['id']}/sign", token=token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def template(self, **fields: Any) -> dict[str, Any]:
        body = {
            "name": "General consultation",
            "sections": [
                {"key": "subjective", "required": True},
                {"key": "objective", "default_text": "Examination: "},
                {"key": "assessment", "required": True},
                {"key": "plan", "required": True, "default_text": ""},
                {"key": "family_history", "title": "Family history"},
            ],
            **fields,
        }
        response = await self.post("/api/v1/consultation-templates", body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def measure(self, kind: str, value: float, unit: str, at: datetime, token: str | None = None) -> Any:
        response = await self.post(
            f"/api/v1/patients/{self.patient['id']}/measurements",
            {"kind": kind, "value": value, "unit": unit, "measured_at": at.isoformat()},
            token,
        )
        assert response.status_code == 201, response.text
        return response.json()


async def open_ward(client: Client, container: Container, clock: ControlledClock, now: datetime = NOW) -> Ward:
    clinic = await open_clinic(client, container, clock, now)
    doctor_token, doctor_user = await token_for(client, clinic.tenant, "practitioner")
    doctor = await clinic.add_practitioner(given_name="Alice", family_name="Durand", user_id=doctor_user["id"])
    other_token, other_user = await token_for(client, clinic.tenant, "practitioner")
    other = await clinic.add_practitioner(given_name="Bruno", family_name="Leroy", user_id=other_user["id"])
    nurse_token, nurse_user = await token_for(client, clinic.tenant, "nurse")
    emails = {"doctor": doctor_user["email"], "other_doctor": other_user["email"], "nurse": nurse_user["email"]}
    return Ward(clinic, doctor_token, doctor, other_token, other, nurse_token, emails)
