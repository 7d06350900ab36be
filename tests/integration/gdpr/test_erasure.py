"""Erasure against the database: what goes, what stays with its legal basis, the audit
trail still verifies, and a held patient keeps everything."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.patient_tables import patient_versions, patients
from medcore.adapters.postgres.scheduling_tables import appointments
from medcore.adapters.postgres.tables import audit_events, sessions, users
from medcore.application.audit.verify_trail import VerifyAuditTrail
from medcore.application.demo.seed_demo import DEMO_LOGINS
from medcore.container import Container
from medcore.domain.identity.permissions import Role
from tests.integration.gdpr.support import Demo, seeded_demo
from tests.integration.helpers import Client, add_user, bearer, login


def _lines(body: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(line["subject"], line["outcome"]): line for line in body["lines"]}


async def _patient_row(db: SavepointDatabase, patient_id: str) -> Any:
    return (await db.connection.execute(select(patients).where(patients.c.id == UUID(patient_id)))).mappings().one()


async def _erase(client: Client, demo: Demo, **body: Any) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/patients/{demo.patient_id}/erasure", json=body, headers=bearer(demo.owner_token)
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_erasure_removes_what_no_rule_keeps_and_the_trail_still_verifies(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    demo = await seeded_demo(client, container)
    before = await _patient_row(db, demo.patient_id)
    assert before["email"] and before["user_id"]

    preview = await _erase(client, demo, dry_run=True)
    assert preview["dry_run"] and (await _patient_row(db, demo.patient_id))["email"] == before["email"]

    report = await _erase(client, demo)
    lines = _lines(report)
    assert not report["dry_run"] and report["erased"] > 0 and report["kept"] > 0

    def counts(found: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], int]:
        # The audit count grows by the preview's own event.
        return {k: v["count"] for k, v in found.items() if k[0] != "audit_event"}

    assert counts(_lines(preview)) == counts(lines)
    assert ("contact_details", "erased") in lines and ("portal_account", "anonymised") in lines
    assert ("sessions", "erased") in lines and ("audit_addresses", "erased") in lines
    kept = lines[("medical_record", "kept")]
    assert kept["record_ids"] == [demo.patient_id]
    assert kept["basis"]["kind"] == "retention" and kept["basis"]["preset"] == "gdpr-minimal"
    assert kept["basis"]["record_class"] == "medical_record" and kept["basis"]["until"]
    audit_line = lines[("audit_event", "kept")]
    assert audit_line["basis"]["kind"] == "audit_integrity" and audit_line["count"] > 0

    after = await _patient_row(db, demo.patient_id)
    assert (after["email"], after["phone"], after["user_id"], after["preferred_channel"]) == (None, None, None, "none")
    assert (after["given_name"], after["family_name"]) == (before["given_name"], before["family_name"])  # kept
    assert "dupont@" not in after["search_text"]
    snapshots = (
        await db.connection.execute(
            select(patient_versions.c.snapshot).where(
                patient_versions.c.patient_id == UUID(demo.patient_id), patient_versions.c.resource_type == "patient"
            )
        )
    ).scalars()
    assert all(s.get("email") is None and s.get("phone") is None for s in snapshots)
    account = (await db.connection.execute(select(users).where(users.c.id == before["user_id"]))).mappings().one()
    assert account["status"] == "deactivated" and account["email"].endswith("@erased.invalid")
    assert account["password_hash"] is None and account["given_name"] == "Erased"
    left = await db.connection.execute(
        select(func.count()).select_from(sessions).where(sessions.c.user_id == before["user_id"])
    )
    assert left.scalar_one() == 0
    addressed = await db.connection.execute(
        select(func.count())
        .select_from(audit_events)
        .where(audit_events.c.actor_id == before["user_id"], audit_events.c.ip.is_not(None))
    )
    assert addressed.scalar_one() == 0
    future = await db.connection.execute(
        select(appointments.c.status, appointments.c.reason).where(
            appointments.c.patient_id == UUID(demo.patient_id), appointments.c.starts_at > func.now()
        )
    )
    assert all(row.status == "cancelled" and row.reason is None for row in future)
    jean = next(d for d in DEMO_LOGINS if d.role is Role.PATIENT)
    refused = await client.post(
        "/api/v1/auth/login", json={"organization": "demo", "email": jean.email, "password": jean.password}
    )
    assert refused.status_code == 401

    verifier: VerifyAuditTrail = container.use_cases.verify_audit_trail()
    verification = await verifier.verify(UUID(demo.organization_id))
    assert verification.intact, verification.findings

    erasure_events = [
        row.action
        for row in await db.connection.execute(
            select(audit_events.c.action)
            .where(
                audit_events.c.organization_id == UUID(demo.organization_id),
                audit_events.c.action.like("patient.erasure%"),
            )
            .order_by(audit_events.c.sequence)
        )
    ]
    assert erasure_events[0] == "patient.erasure.preview" and erasure_events[-1] == "patient.erasure"
    assert "patient.erasure.personal_data" in erasure_events


async def test_a_held_patient_keeps_everything_and_only_erasers_may_ask(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    demo = await seeded_demo(client, container)
    placed = await client.post(
        "/api/v1/legal-holds",
        json={"scope": "patient", "subject_id": demo.patient_id, "reason": "Litigation pending"},
        headers=bearer(demo.owner_token),
    )
    assert placed.status_code == 201, placed.text
    before = await _patient_row(db, demo.patient_id)

    report = await _erase(client, demo)

    assert report["erased"] == 0 and report["anonymised"] == 0
    assert all(line["outcome"] == "kept" for line in report["lines"])
    assert all(line["basis"]["hold_ids"] == [placed.json()["id"]] for line in report["lines"])
    assert dict(await _patient_row(db, demo.patient_id)) == dict(before)

    staff = await add_user(client, demo.owner_token, "practitioner")
    practitioner = str((await login(client, "demo", staff["email"]))["access_token"])
    denied = await client.post(f"/api/v1/patients/{demo.patient_id}/erasure", json={}, headers=bearer(practitioner))
    assert denied.status_code == 403
    unknown = await client.post(f"/api/v1/patients/{UUID(int=5)}/erasure", json={}, headers=bearer(demo.owner_token))
    assert unknown.status_code == 404
