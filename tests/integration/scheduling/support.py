"""What the scheduling integration tests share: a clinic in Europe/Paris set up through the
HTTP API (a practitioner with working hours, a patient with an email, a patient login, a
room, an appointment type, staff tokens), a clock pinned to a known Monday, and helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, Tenant, bearer, make_tenant, owner_token, token_for

PARIS = ZoneInfo("Europe/Paris")
# Monday 15 March 2027, 07:00 in Paris (CET, UTC+1); summer time starts on Sunday 28 March.
NOW = datetime(2027, 3, 15, 6, 0, tzinfo=UTC)

WEEKDAY_HOURS = [
    {"weekday": day, "start": start, "end": end}
    for day in range(1, 6)
    for start, end in (("09:00", "12:30"), ("14:00", "18:00"))
]
DOCTOR = {
    "given_name": "Claire",
    "family_name": "Martin",
    "time_zone": "Europe/Paris",
    "specialties": ["general_practice"],
    "buffer_minutes": 10,
    "working_hours": WEEKDAY_HOURS,
}
PATIENT = {
    "given_name": "Jean",
    "family_name": "Dupont",
    "birth_date": "1968-04-12",
    "email": "jean.dupont@example.test",
}


def paris(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A wall-clock time in Paris, as an aware instant."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def iso(instant: datetime) -> str:
    return instant.isoformat()


def utc(text: str) -> datetime:
    """An instant the API returned (always UTC, ``Z``)."""
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text)


def text_of(message: Message) -> str:
    """The decoded text of an email from the outbox."""
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    return " ".join(body.decode().split())


def pin(clock: ControlledClock, instant: datetime) -> None:
    """Make the clock read ``instant`` now (and run on from there)."""
    clock.offset = instant - datetime.now(UTC)


@dataclass
class Clinic:
    client: Client
    container: Container
    clock: ControlledClock
    tenant: Tenant
    owner: str  # access tokens
    reception: str
    practitioner: dict[str, Any]
    patient: dict[str, Any]
    patient_token: str  # a patient login, linked to `own_record`
    own_record: dict[str, Any]
    room: dict[str, Any]
    appointment_type: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def organization_id(self) -> Any:
        return self.tenant.organization_id

    async def post(self, path: str, body: Any = None, token: str | None = None, **headers: str) -> Any:
        return await self.client.post(
            path, json=body if body is not None else {}, headers={**bearer(token or self.owner), **headers}
        )

    async def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        return await self.client.get(path, params=params, headers=bearer(token or self.owner))

    async def delete(self, path: str, token: str | None = None) -> Any:
        return await self.client.delete(path, headers=bearer(token or self.owner))

    async def book(self, starts_at: datetime, token: str | None = None, **fields: Any) -> Any:
        """POST /api/v1/appointments (30 minutes with the practitioner for the patient unless told)."""
        body: dict[str, Any] = {
            "practitioner_id": self.practitioner["id"],
            "patient_id": self.patient["id"],
            "starts_at": iso(starts_at),
        }
        if not {"ends_at", "duration_minutes", "appointment_type_id"} & fields.keys():
            body["duration_minutes"] = 30
        body.update(fields)
        return await self.post("/api/v1/appointments", {k: v for k, v in body.items() if v is not None}, token)

    async def booked(self, starts_at: datetime, token: str | None = None, **fields: Any) -> dict[str, Any]:
        response = await self.book(starts_at, token, **fields)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def add_practitioner(self, **fields: Any) -> dict[str, Any]:
        response = await self.post("/api/v1/practitioners", {**DOCTOR, **fields})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def add_patient(self, **fields: Any) -> dict[str, Any]:
        response = await self.post("/api/v1/patients", {**PATIENT, **fields})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def patient_login(self, **fields: Any) -> tuple[str, dict[str, Any]]:
        token, user = await token_for(self.client, self.tenant, "patient")
        record = await self.add_patient(user_id=user["id"], email=user["email"], **fields)
        return token, record

    async def staff(self, role: str) -> str:
        return (await token_for(self.client, self.tenant, role))[0]

    async def set_scheduling(self, **settings: Any) -> None:
        """Change the organization's scheduling settings (an owner's PATCH)."""
        response = await self.client.patch(
            "/api/v1/organizations/current", json={"settings": {"scheduling": settings}}, headers=bearer(self.owner)
        )
        assert response.status_code == 200, response.text

    async def transition(self, appointment_id: Any, action: str, token: str | None = None, **body: Any) -> Any:
        return await self.post(f"/api/v1/appointments/{appointment_id}/{action}", body, token)


async def open_clinic(client: Client, container: Container, clock: ControlledClock, now: datetime = NOW) -> Clinic:
    """A clinic whose clock reads ``now``, set up through the API as a clinic would."""
    pin(clock, now)
    tenant = await make_tenant(container)
    owner = await owner_token(client, tenant)
    reception = (await token_for(client, tenant, "receptionist"))[0]
    headers = bearer(owner)

    async def created(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    practitioner = await created("/api/v1/practitioners", DOCTOR)
    patient = await created("/api/v1/patients", PATIENT)
    patient_token, user = await token_for(client, tenant, "patient")
    own_record = await created(
        "/api/v1/patients",
        {
            "given_name": "Paul",
            "family_name": "Petit",
            "birth_date": "1990-01-02",
            "email": user["email"],
            "user_id": user["id"],
        },
    )
    room = await created("/api/v1/rooms", {"name": "Consultation room 1"})
    appointment_type = await created(
        "/api/v1/appointment-types",
        {"name": "Consultation", "default_minutes": 20, "min_minutes": 10, "max_minutes": 60},
    )
    return Clinic(
        client=client,
        container=container,
        clock=clock,
        tenant=tenant,
        owner=owner,
        reception=reception,
        practitioner=practitioner,
        patient=patient,
        patient_token=patient_token,
        own_record=own_record,
        room=room,
        appointment_type=appointment_type,
    )
