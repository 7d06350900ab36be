"""Shared steps of the practitioners API tests."""

from __future__ import annotations

from typing import Any

from tests.integration.helpers import Client, bearer

MARTIN = {
    "given_name": "Claire",
    "family_name": "Martin",
    "time_zone": "Europe/Paris",
    "specialties": ["General practice"],
    "licence_number": "RPPS 10001234567",
    "licence_expires_on": "2030-12-31",
    "can_prescribe": True,
    "buffer_minutes": 10,
    "daily_capacity": 20,
}
WEEKDAY_HOURS = [
    {"weekday": day, "start": start, "end": end}
    for day in range(1, 6)
    for start, end in (("09:00", "12:30"), ("14:00", "18:00"))
]


async def create_practitioner(client: Client, token: str, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/practitioners", json={**MARTIN, **fields}, headers=bearer(token))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def actions(events: list[dict[str, Any]]) -> list[str]:
    return [e["action"] for e in events]
