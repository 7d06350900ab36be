"""`medcore retention run` and `medcore holds` against PostgreSQL, on the demo practice
moved 30 years into the past: the dry run lists exactly what the real run disposes of,
a held patient keeps everything, a stopped run is resumed, a second run disposes of
nothing, every disposal leaves its audit event, and the trail still verifies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import create_engine, pool, text

from medcore.adapters.postgres.engine import normalise_url
from tests.integration.audit.support import SIGNING_SEED, superuser
from tests.integration.system_helpers import flat, run_cli

pytestmark = pytest.mark.slow

SHIFTED = (
    "patients",
    "patient_allergies",
    "patient_conditions",
    "patient_medications",
    "patient_measurements",
    "patient_versions",
    "consultations",
    "consultation_addenda",
    "prescriptions",
    "appointments",
    "appointment_reminders",
    "health_reminders",
    "health_reminder_deliveries",
    "waitlist_entries",
    "sessions",
    "action_tokens",
)


def _query(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return [dict(r) for r in connection.execute(text(sql), params).mappings()]
    finally:
        engine.dispose()


def _thirty_years_ago(url: str, organization_id: UUID) -> None:
    """Every date and instant of the practice's records (not birth dates), 30 years back."""
    with superuser(url) as connection:
        for table in SHIFTED:
            columns = connection.execute(
                text(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = :t "
                    "AND data_type IN ('timestamp with time zone', 'date') AND column_name <> 'birth_date'"
                ),
                {"t": table},
            ).all()
            if columns:
                assignments = ", ".join(f"{name} = {name} - interval '30 years'" for name, _ in columns)
                connection.execute(
                    text(f"UPDATE {table} SET {assignments} WHERE organization_id = :o"),
                    {"o": organization_id},
                )


def _env(url: str, data_dir: Path) -> dict[str, str]:
    return {
        "MEDCORE_DATABASE_URL": url,
        "MEDCORE_DATA_DIR": str(data_dir),
        "MEDCORE_LOG_LEVEL": "WARNING",
        "MEDCORE_AUDIT_SIGNING_KEY": SIGNING_SEED,
    }


def _json(output: str) -> Any:
    return json.loads(output[output.index("[") :])


def test_retention_run_disposes_of_the_dry_runs_list_once_resumably_and_spares_held_records(
    fresh_database_url: str, tmp_path: Path
) -> None:
    url = fresh_database_url
    env = _env(url, tmp_path)
    seeded = run_cli(["demo", "seed"], env)
    assert seeded.exit_code == 0, seeded.output
    [organization] = _query(url, "SELECT id FROM organizations WHERE slug = 'demo'")
    organization_id = organization["id"]
    _thirty_years_ago(url, organization_id)
    adults = _query(
        url,
        "SELECT p.id FROM patients p WHERE organization_id = :o AND birth_date < '1990-01-01' "
        "AND NOT EXISTS (SELECT 1 FROM consultations c WHERE c.patient_id = p.id) ORDER BY id",
        o=organization_id,
    )
    held_patient = adults[0]["id"]

    placed = run_cli(
        [
            "holds",
            "create",
            "--org",
            "demo",
            "--scope",
            "patient",
            "--subject",
            str(held_patient),
            "--reason",
            "lawsuit",
        ],
        env,
    )
    assert placed.exit_code == 0, placed.output
    bad = run_cli(["holds", "create", "--org", "demo", "--scope", "patient", "--reason", "lawsuit"], env)
    assert bad.exit_code == 1 and "subject_id" in flat(bad.output)
    listed = run_cli(["holds", "list", "--org", "demo"], env)
    assert listed.exit_code == 0 and str(held_patient) in flat(listed.output)

    dry = run_cli(["retention", "run", "--org", "demo", "--dry-run", "--json"], env)
    assert dry.exit_code == 0, dry.output
    planned = _json(dry.output)
    classes = {p["record_class"] for p in planned}
    assert {"medical_record", "consultation", "appointment"} <= classes, classes
    assert all(p["patient_id"] != str(held_patient) for p in planned)
    tables = run_cli(["retention", "run", "--org", "demo", "--dry-run"], env)
    assert tables.exit_code == 0  # the tables

    stopped = run_cli(["retention", "run", "--org", "demo", "--limit", "3", "--json"], env)
    assert stopped.exit_code == 0, stopped.output
    assert [p["record_id"] for p in _json(stopped.output)] == [p["record_id"] for p in planned[:3]]
    again_dry = _json(run_cli(["retention", "run", "--org", "demo", "--dry-run", "--json"], env).output)
    assert again_dry == planned[3:]  # the open run resumes with the rest

    resumed = run_cli(["retention", "run", "--org", "demo"], env)
    assert resumed.exit_code == 0, resumed.output
    assert "Resumed the interrupted run" in flat(resumed.output) and "Retention run" in flat(resumed.output)

    ledger = _query(
        url,
        "SELECT record_class, source, record_id, action FROM retention_disposals WHERE organization_id = :o",
        o=organization_id,
    )
    assert sorted((r["source"], str(r["record_id"]), r["action"]) for r in ledger) == sorted(
        (p["source"], p["record_id"], p["action"]) for p in planned
    )
    runs = _query(url, "SELECT status, disposed FROM retention_runs WHERE organization_id = :o", o=organization_id)
    assert runs == [{"status": "completed", "disposed": len(planned)}]

    # the disposals themselves
    disposed_consultations = [p["record_id"] for p in planned if p["record_class"] == "consultation"]
    assert (
        _query(url, "SELECT id FROM consultations WHERE id = ANY(CAST(:ids AS uuid[]))", ids=disposed_consultations)
        == []
    )
    anonymised = [p["record_id"] for p in planned if p["record_class"] == "medical_record"]
    names = _query(
        url, "SELECT given_name, email, mrn FROM patients WHERE id = ANY(CAST(:ids AS uuid[]))", ids=anonymised
    )
    assert names and all(n["given_name"] == "Anonymised" and n["email"] is None for n in names)
    held = _query(url, "SELECT given_name FROM patients WHERE id = :id", id=held_patient)
    assert held[0]["given_name"] != "Anonymised"
    appointments = [p["record_id"] for p in planned if p["record_class"] == "appointment"]
    reasons = _query(url, "SELECT reason FROM appointments WHERE id = ANY(CAST(:ids AS uuid[]))", ids=appointments)
    assert len(reasons) == len(appointments) and all(r["reason"] is None for r in reasons)  # anonymised, kept

    events = _query(
        url,
        "SELECT resource_id, details FROM audit_events WHERE organization_id = :o AND action = 'retention.dispose'",
        o=organization_id,
    )
    assert sorted(str(e["resource_id"]) for e in events) == sorted(p["record_id"] for p in planned)

    second = run_cli(["retention", "run", "--org", "demo", "--json"], env)
    assert second.exit_code == 0 and _json(second.output) == []
    assert len(_query(url, "SELECT id FROM retention_disposals WHERE organization_id = :o", o=organization_id)) == len(
        planned
    )
    assert run_cli(["audit", "checkpoint", "--org", "demo"], env).exit_code == 0
    verified = run_cli(["audit", "verify", "--org", "demo"], env)
    assert verified.exit_code == 0, verified.output
    assert "intact" in flat(verified.output)

    [hold] = _query(url, "SELECT id FROM legal_holds WHERE organization_id = :o", o=organization_id)
    released = run_cli(["holds", "release", str(hold["id"]), "--org", "demo", "--note", "settled"], env)
    assert released.exit_code == 0, released.output
    after_release = _json(run_cli(["retention", "run", "--org", "demo", "--dry-run", "--json"], env).output)
    assert [p["record_id"] for p in after_release] == [str(held_patient)]
