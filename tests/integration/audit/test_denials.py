"""A permission denial is audited in every context: the refused request leaves an event with
outcome ``denied``, the actor, the action attempted and the permission it lacked."""

from __future__ import annotations

from typing import Any

import pytest

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, audit_events, bearer, token_for
from tests.integration.prescribing.support import amoxicillin
from tests.integration.scheduling.support import open_clinic

# (context, role lacking the permission, method, path with {patient} / {practitioner}, body, permission)
DENIALS: list[tuple[str, str, str, str, Any, str]] = [
    ("identity: users", "receptionist", "GET", "/api/v1/users", None, "users:read"),
    ("identity: api keys", "practitioner", "GET", "/api/v1/api-keys", None, "api_keys:read"),
    (
        "identity: organization",
        "nurse",
        "PATCH",
        "/api/v1/organizations/current",
        {"name": "Mine"},
        "organization:write",
    ),
    ("patients", "auditor", "GET", "/api/v1/patients", None, "patients:read"),
    ("medical history", "receptionist", "GET", "/api/v1/patients/{patient}/allergies", None, "medical_history:read"),
    (
        "practitioners",
        "nurse",
        "POST",
        "/api/v1/practitioners",
        {"given_name": "A", "family_name": "B", "time_zone": "Europe/Paris"},
        "practitioners:write",
    ),
    ("resources", "receptionist", "POST", "/api/v1/rooms", {"name": "Room 9"}, "resources:write"),
    (
        "scheduling",
        "auditor",
        "POST",
        "/api/v1/appointments",
        {"practitioner_id": "{practitioner}", "patient_id": "{patient}", "starts_at": "2027-03-16T10:00:00+01:00"},
        "appointments:write",
    ),
    ("clinical: consultations", "receptionist", "GET", "/api/v1/consultations", None, "consultations:read"),
    (
        "clinical: health metrics",
        "receptionist",
        "GET",
        "/api/v1/patients/{patient}/metrics?kind=weight",
        None,
        "health_metrics:read",
    ),
    (
        "prescribing",
        "receptionist",
        "POST",
        "/api/v1/prescriptions",
        {"patient_id": "{patient}", "prescriber_id": "{practitioner}", "items": [amoxicillin()]},
        "prescriptions:write",
    ),
    ("audit", "nurse", "GET", "/api/v1/audit-events", None, "audit:read"),
]


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize(
    ("context", "role", "method", "path", "body", "permission"), DENIALS, ids=[d[0] for d in DENIALS]
)
async def test_a_permission_denial_is_audited_in_every_context(
    client: Client,
    container: Container,
    clock: ControlledClock,
    db: SavepointDatabase,
    context: str,
    role: str,
    method: str,
    path: str,
    body: Any,
    permission: str,
) -> None:
    clinic = await open_clinic(client, container, clock)
    token, user = await token_for(client, clinic.tenant, role)
    ids = {"patient": clinic.patient["id"], "practitioner": clinic.practitioner["id"]}
    before = max(e["sequence"] for e in await audit_events(db, clinic.organization_id))

    response = await client.request(method, _fill(path, ids), json=_fill(body, ids), headers=bearer(token))

    assert response.status_code == 403, (context, response.text)
    after = [e for e in await audit_events(db, clinic.organization_id) if e["sequence"] > before]
    denied = [e for e in after if e["outcome"] == "denied"]
    assert len(denied) == 1, (context, [(e["action"], e["outcome"]) for e in after])
    [event] = denied
    assert str(event["actor_id"]) == user["id"]
    assert event["actor_role"] == role
    assert event["details"].get("permission") == permission, event
    assert event["action"] and event["hash"] and event["request_id"]


async def test_a_patient_reaching_for_another_record_is_refused_as_unknown_and_audited(
    client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase
) -> None:
    clinic = await open_clinic(client, container, clock)
    before = max(e["sequence"] for e in await audit_events(db, clinic.organization_id))
    paths = [
        f"/api/v1/patients/{clinic.patient['id']}",
        f"/api/v1/patients/{clinic.patient['id']}/allergies",
        f"/api/v1/patients/{clinic.patient['id']}/access-log",
    ]
    for path in paths:
        response = await clinic.get(path, clinic.patient_token)
        assert response.status_code == 404, (path, response.text)
    after = [e for e in await audit_events(db, clinic.organization_id) if e["sequence"] > before]
    denied = [e for e in after if e["outcome"] == "denied"]
    assert len(denied) == len(paths), [(e["action"], e["outcome"]) for e in after]
    assert {e["details"].get("reason") for e in denied} == {"not_own_record"}
