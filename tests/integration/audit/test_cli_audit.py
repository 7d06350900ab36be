"""The operator's commands: `medcore audit checkpoint` signs and keeps checkpoints in both
places, with its keys read from settings; `medcore db roles` gives the server a role that
cannot change the audit trail."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, pool, text
from sqlalchemy.exc import DBAPIError

from medcore.adapters.postgres.engine import normalise_url
from medcore.adapters.security.signing import Ed25519CheckpointSigner, load_signing_key
from medcore.domain.audit.checkpoint import checkpoint_payload
from tests.integration.audit.support import SIGNING_SEED, audit_container, organization_with_events
from tests.integration.system_helpers import SECRET_KEY, flat, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture
async def trail(fresh_database_url: str, tmp_path: Path) -> Any:
    container = audit_container(fresh_database_url, tmp_path)
    try:
        organization_id, _ = await organization_with_events(container, "cli-audit", reads=3)
    finally:
        await container.gateways.engine().dispose()
    return organization_id


def _env(url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    return {"MEDCORE_DATABASE_URL": url, "MEDCORE_DATA_DIR": str(data_dir), "MEDCORE_LOG_LEVEL": "WARNING", **extra}


def test_checkpoints_are_signed_and_kept_in_the_blob_store_and_the_database(
    trail: Any, fresh_database_url: str, tmp_path: Path
) -> None:
    env = _env(fresh_database_url, tmp_path, MEDCORE_AUDIT_SIGNING_KEY=SIGNING_SEED)

    first = run_cli(["audit", "checkpoint"], env)
    again = run_cli(["audit", "checkpoint", "--org", "cli-audit"], env)
    unknown = run_cli(["audit", "checkpoint", "--org", "nowhere"], env)

    assert first.exit_code == 0, first.output
    assert "cli-audit" in flat(first.output) and "created" in flat(first.output)
    assert again.exit_code == 0 and "unchanged" in flat(again.output)
    assert unknown.exit_code == 1 and "No organization 'nowhere'" in flat(unknown.output)
    [blob] = list((tmp_path / "blobs" / "audit" / "checkpoints" / str(trail)).glob("*.json"))
    document = json.loads(blob.read_text())
    signer = Ed25519CheckpointSigner(load_signing_key(SIGNING_SEED))
    assert document["algorithm"] == "Ed25519" and document["public_key"] == signer.public_key_base64
    engine = create_engine(normalise_url(fresh_database_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT * FROM audit_checkpoints")).mappings().one()
            head_event = connection.execute(
                text("SELECT hash FROM audit_events WHERE organization_id = :o AND sequence = :s"),
                {"o": trail, "s": row["sequence"]},
            ).scalar_one()
    finally:
        engine.dispose()
    assert (row["sequence"], row["hash"], row["signature"]) == (
        document["sequence"],
        document["hash"],
        document["signature"],
    )
    assert row["hash"] == head_event
    payload = checkpoint_payload(trail, row["sequence"], row["hash"], row["created_at"])
    assert signer.verify(payload, row["signature"], row["key_id"])
    verified = run_cli(["audit", "verify"], {**env, "MEDCORE_SECRET_KEY": SECRET_KEY})
    assert verified.exit_code == 0, verified.output
    assert "intact" in flat(verified.output) and "not checked" not in flat(verified.output)
    without_secret = run_cli(["audit", "verify"], env)  # raw addresses cannot be checked, the rest can
    assert without_secret.exit_code == 0, without_secret.output
    assert "were not checked against their digests" in flat(without_secret.output)


def test_keys_come_from_settings_and_their_absence_is_explained(
    trail: Any, fresh_database_url: str, tmp_path: Path
) -> None:
    nothing = run_cli(["audit", "checkpoint"], _env(fresh_database_url, tmp_path))
    bad = run_cli(["audit", "checkpoint"], _env(fresh_database_url, tmp_path, MEDCORE_AUDIT_SIGNING_KEY="c2hvcnQ="))
    key_file = tmp_path / "signing.key"
    key_file.write_text(SIGNING_SEED + "\n")
    from_file = run_cli(
        ["audit", "checkpoint"], _env(fresh_database_url, tmp_path, MEDCORE_AUDIT_SIGNING_KEY_FILE=str(key_file))
    )
    development = run_cli(
        ["audit", "checkpoint", "--force"], _env(fresh_database_url, tmp_path, MEDCORE_SECRET_KEY=SECRET_KEY)
    )

    assert nothing.exit_code == 2 and "MEDCORE_AUDIT_SIGNING_KEY" in flat(nothing.output)
    assert bad.exit_code == 2 and "32 bytes" in flat(bad.output)
    assert "c2hvcnQ" not in bad.output  # the message names the problem, never the key
    assert from_file.exit_code == 0 and "created" in flat(from_file.output), from_file.output
    assert development.exit_code == 0, development.output
    assert "audit.signing_key.development" in development.output  # the warning
    # A verifier that trusts only the file key finds the development-key checkpoint unsigned.
    public = Ed25519CheckpointSigner(load_signing_key(SIGNING_SEED)).public_key_base64
    check = run_cli(["audit", "verify"], _env(fresh_database_url, tmp_path, MEDCORE_AUDIT_TRUSTED_KEYS=public))
    assert check.exit_code == 1 and "bad_signature" in flat(check.output), check.output


def test_the_application_role_reads_and_appends_but_cannot_change_the_trail(
    trail: Any, fresh_database_url: str, tmp_path: Path
) -> None:
    role = f"medcore_app_{os.getpid()}"
    printed = run_cli(["db", "roles", "--app-role", role, "--print-sql"], {})
    invalid = run_cli(["db", "roles", "--app-role", "Robert'); DROP TABLE"], {})
    made = run_cli(["db", "roles", "--app-role", role], _env(fresh_database_url, tmp_path))
    made_again = run_cli(["db", "roles", "--app-role", role], _env(fresh_database_url, tmp_path))

    assert (
        printed.exit_code == 0
        and f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_checkpoints FROM "{role}"' in printed.output
    )
    assert invalid.exit_code == 2
    assert made.exit_code == 0, made.output
    assert made_again.exit_code == 0, made_again.output  # idempotent
    app_url = fresh_database_url.replace("postgres@", f"{role}@", 1)
    engine = create_engine(normalise_url(app_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT current_user")).scalar_one() == role
            assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one() > 0
        for statement in (
            "UPDATE audit_events SET action = 'x'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
            "DELETE FROM audit_checkpoints",
            "ALTER TABLE audit_events DISABLE TRIGGER USER",
            "SET session_replication_role = replica",
        ):
            with pytest.raises(DBAPIError) as refused, engine.begin() as connection:
                connection.execute(text(statement))
            assert "permission denied" in str(refused.value) or "must be owner" in str(refused.value), statement
    finally:
        engine.dispose()


async def test_the_application_works_as_that_role(trail: Any, fresh_database_url: str, tmp_path: Path) -> None:
    role = f"medcore_app_{os.getpid()}_run"
    assert run_cli(["db", "roles", "--app-role", role], _env(fresh_database_url, tmp_path)).exit_code == 0
    container = audit_container(fresh_database_url.replace("postgres@", f"{role}@", 1), tmp_path)
    try:
        organization_id, _ = await organization_with_events(container, "as-app-role", reads=2)
        report = await container.use_cases.verify_audit_trail().verify(organization_id)
    finally:
        await container.gateways.engine().dispose()
    assert report.intact and report.events_checked >= 4
