"""``medcore gdpr export|erase`` and ``medcore anonymise`` on the demo organization, run
in-process against databases of their own (real commits)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, pool, select, text

from medcore.adapters.postgres.embedded import EmbeddedPostgres
from medcore.adapters.postgres.engine import normalise_url
from medcore.adapters.postgres.patient_tables import patients
from medcore.adapters.postgres.tables import organizations
from tests.integration.system_helpers import flat, run_cli


@pytest.fixture
def env(fresh_database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "MEDCORE_DATABASE_URL": fresh_database_url,
        "MEDCORE_DATA_DIR": str(tmp_path / "data"),
        "MEDCORE_LOG_FORMAT": "json",
        "MEDCORE_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def sync_engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = create_engine(normalise_url(fresh_database_url), poolclass=pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_patient(env: dict[str, str], sync_engine: Engine) -> str:
    seeded = run_cli(["demo", "seed"], env)
    assert seeded.exit_code == 0, seeded.output
    with sync_engine.connect() as connection:
        organization_id = connection.scalar(select(organizations.c.id).where(organizations.c.slug == "demo"))
        patient_id = connection.scalar(
            select(patients.c.id).where(patients.c.organization_id == organization_id).order_by(patients.c.id).limit(1)
        )
    assert patient_id is not None
    return str(patient_id)


def test_export_writes_the_archive_with_its_manifest(env: dict[str, str], demo_patient: str, tmp_path: Path) -> None:
    target = tmp_path / "export.zip"
    result = run_cli(["gdpr", "export", "--org", "demo", "--patient", demo_patient, "--out", str(target)], env)
    assert result.exit_code == 0, result.output
    # Rich folds long lines at the terminal's width, even inside a path.
    assert f"Writtento{target}" in "".join(result.output.split())
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert {"manifest.json", "fhir/bundle.json", "data/patient.json", "audit/access_log.json"} <= names
        bundle = json.loads(archive.read("fhir/bundle.json"))
    assert bundle["resourceType"] == "Bundle"
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)

    unknown = run_cli(["gdpr", "export", "--org", "nowhere", "--patient", demo_patient], env)
    assert unknown.exit_code != 0
    assert "No organization 'nowhere'" in flat(unknown.output)


def test_erase_dry_run_changes_nothing_then_the_real_run_reports_what_was_kept(
    env: dict[str, str], demo_patient: str, sync_engine: Engine
) -> None:
    def contact() -> tuple[object, object]:
        with sync_engine.connect() as connection:
            row = connection.execute(
                select(patients.c.email, patients.c.phone).where(patients.c.id == demo_patient)
            ).one()
        return row.email, row.phone

    before = contact()
    assert before != (None, None)
    dry = run_cli(["gdpr", "erase", "--org", "demo", "--patient", demo_patient, "--dry-run"], env)
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing changed" in flat(dry.output)
    assert contact() == before

    real = run_cli(["gdpr", "erase", "--org", "demo", "--patient", demo_patient], env)
    assert real.exit_code == 0, real.output
    assert "kept" in flat(real.output)
    assert contact() == (None, None)


def test_anonymise_copies_the_organization_without_its_identities(
    env: dict[str, str], demo_patient: str, sync_engine: Engine, postgres: EmbeddedPostgres
) -> None:
    postgres.ensure_database("medcore_anonymised_cli")
    target = postgres.url("medcore_anonymised_cli")
    refused = run_cli(["anonymise", "--org", "demo", "--to", target], env)
    assert refused.exit_code == 2, refused.output
    assert "--migrate" in flat(refused.output)

    copied = run_cli(["anonymise", "--org", "demo", "--to", target, "--migrate"], env)
    assert copied.exit_code == 0, copied.output
    with sync_engine.connect() as connection:
        originals = connection.execute(select(patients.c.family_name, patients.c.email)).all()
    copy = create_engine(normalise_url(target), poolclass=pool.NullPool)
    try:
        with copy.connect() as connection:
            copied_rows = connection.execute(select(patients.c.family_name, patients.c.email)).all()
            slugs = connection.execute(text("SELECT slug FROM organizations")).scalars().all()
    finally:
        copy.dispose()
    assert len(copied_rows) == len(originals) > 0
    assert slugs == ["demo"]
    original_names = {row.family_name for row in originals}
    original_emails = {row.email for row in originals if row.email}
    assert not original_names & {row.family_name for row in copied_rows}
    assert not original_emails & {row.email for row in copied_rows if row.email}
