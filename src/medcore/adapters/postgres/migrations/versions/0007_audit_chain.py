"""The tamper-evident audit trail: hash chain, append-only triggers, signed checkpoints.

Events already present are chained here, organization by organization in batches, with
version 1 of the encoding (frozen for ever: ``medcore.domain.audit.chain``). Their IP and
user-agent digests need the deployment's secret key (``MEDCORE_SECRET_KEY``, its ``_FILE``
twin, or the development key under ``MEDCORE_DATA_DIR``); without one, the published
development digest key is used, as for any event written without a secret key.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
_BATCH = 5000

_APPEND_ONLY = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Disposal by the retention job, after a signed checkpoint: it sets this for its own
    -- statement, inside its transaction, and records the disposal in the chain.
    IF TG_OP = 'DELETE' AND current_setting('medcore.audit_disposal', true) = 'on' THEN
        RETURN OLD;
    END IF;
    -- Erasure of the raw IP and user agent (GDPR): their digests stay in the chain.
    IF TG_OP = 'UPDATE' AND current_setting('medcore.audit_redaction', true) = 'on'
       AND (NEW.ip IS NULL OR NEW.ip IS NOT DISTINCT FROM OLD.ip)
       AND (NEW.user_agent IS NULL OR NEW.user_agent IS NOT DISTINCT FROM OLD.user_agent)
       AND (to_jsonb(NEW) - 'ip' - 'user_agent') = (to_jsonb(OLD) - 'ip' - 'user_agent') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'The audit trail cannot be changed; old events are disposed of by the retention job only.';
END;
$$;

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE FUNCTION audit_heads_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.organization_id = OLD.organization_id
       AND NEW.sequence >= OLD.sequence
       AND NEW.disposed_through >= OLD.disposed_through
       AND (NEW.sequence > OLD.sequence OR NEW.hash = OLD.hash) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_heads only moves forward: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_heads_forward_only BEFORE UPDATE OR DELETE ON audit_heads
    FOR EACH ROW EXECUTE FUNCTION audit_heads_forward_only();
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""

_DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS audit_heads_no_truncate ON audit_heads;
DROP TRIGGER IF EXISTS audit_heads_forward_only ON audit_heads;
DROP TRIGGER IF EXISTS audit_checkpoints_no_truncate ON audit_checkpoints;
DROP TRIGGER IF EXISTS audit_checkpoints_append_only ON audit_checkpoints;
DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
DROP FUNCTION IF EXISTS audit_heads_forward_only();
DROP FUNCTION IF EXISTS audit_refuse_change();
DROP FUNCTION IF EXISTS audit_events_append_only();
"""


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("actor_role", sa.Text(), nullable=True))
    op.add_column("audit_events", sa.Column("ip_digest", sa.Text(), nullable=True))
    op.add_column("audit_events", sa.Column("user_agent_digest", sa.Text(), nullable=True))
    op.add_column("audit_events", sa.Column("hash_version", sa.SmallInteger(), nullable=True))
    op.add_column("audit_events", sa.Column("prev_hash", sa.Text(), nullable=True))
    op.add_column("audit_events", sa.Column("hash", sa.Text(), nullable=True))
    op.create_index(
        "ix_audit_events_organization_id_resource_id",
        "audit_events",
        ["organization_id", "resource_id", "sequence"],
        unique=False,
    )
    op.add_column("audit_heads", sa.Column("hash", sa.Text(), server_default=GENESIS, nullable=False))
    op.add_column("audit_heads", sa.Column("disposed_through", sa.BigInteger(), server_default="0", nullable=False))
    op.add_column("audit_heads", sa.Column("disposed_hash", sa.Text(), nullable=True))
    op.create_table(
        "audit_checkpoints",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_audit_checkpoints_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "sequence", name=op.f("pk_audit_checkpoints")),
    )
    _chain_existing_events()
    for column in ("hash_version", "prev_hash", "hash"):
        op.alter_column("audit_events", column, nullable=False)
    op.execute(_APPEND_ONLY)


def downgrade() -> None:
    op.execute(_DROP_APPEND_ONLY)
    op.drop_table("audit_checkpoints")
    op.drop_column("audit_heads", "disposed_hash")
    op.drop_column("audit_heads", "disposed_through")
    op.drop_column("audit_heads", "hash")
    op.drop_index("ix_audit_events_organization_id_resource_id", table_name="audit_events")
    for column in ("hash", "prev_hash", "hash_version", "user_agent_digest", "ip_digest", "actor_role"):
        op.drop_column("audit_events", column)


# --- chaining the events written before this revision -------------------------------------


def _digest_key() -> bytes:
    from medcore.adapters.security.audit_digests import DEVELOPMENT_DIGEST_KEY, audit_digest_key
    from medcore.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError:
        return DEVELOPMENT_DIGEST_KEY
    if settings.secret_key:
        return audit_digest_key(settings.secret_key.encode())
    stored = Path(settings.data_dir) / "secret_key"
    if stored.exists():
        return audit_digest_key(stored.read_text().strip().encode())
    return DEVELOPMENT_DIGEST_KEY


def _chain_existing_events() -> None:
    from medcore.domain.audit.chain import ChainFields, canonical_id, canonical_instant, keyed_digest, link_hash

    bind = op.get_bind()
    events = sa.table(
        "audit_events",
        *(
            sa.column(name)
            for name in (
                "organization_id",
                "sequence",
                "id",
                "occurred_at",
                "created_at",
                "actor_type",
                "actor_id",
                "action",
                "outcome",
                "resource_type",
                "resource_id",
                "patient_id",
                "purpose",
                "ip",
                "user_agent",
                "request_id",
            )
        ),
        sa.column("details", postgresql.JSONB()),
    )
    organizations = [row[0] for row in bind.execute(sa.text("SELECT DISTINCT organization_id FROM audit_events"))]
    key: bytes | None = None
    update = sa.text(
        "UPDATE audit_events SET ip_digest = :ip_digest, user_agent_digest = :user_agent_digest, "
        "hash_version = 1, prev_hash = :prev_hash, hash = :hash "
        "WHERE organization_id = :organization_id AND sequence = :sequence"
    )
    for organization_id in organizations:
        prev_hash, last = GENESIS, 0
        while True:
            rows = (
                bind.execute(
                    sa.select(events)
                    .where(events.c.organization_id == organization_id, events.c.sequence > last)
                    .order_by(events.c.sequence)
                    .limit(_BATCH)
                )
                .mappings()
                .all()
            )
            if not rows:
                break
            changes: list[dict[str, Any]] = []
            for row in rows:
                if key is None and (row["ip"] is not None or row["user_agent"] is not None):
                    key = _digest_key()
                fields = ChainFields(
                    organization_id=str(organization_id),
                    sequence=row["sequence"],
                    id=str(row["id"]),
                    occurred_at=canonical_instant(row["occurred_at"]),
                    created_at=canonical_instant(row["created_at"]),
                    actor_type=row["actor_type"],
                    actor_id=canonical_id(row["actor_id"]),
                    actor_role=None,
                    action=row["action"],
                    outcome=row["outcome"],
                    resource_type=row["resource_type"],
                    resource_id=canonical_id(row["resource_id"]),
                    patient_id=canonical_id(row["patient_id"]),
                    purpose=row["purpose"],
                    ip_digest=keyed_digest(key or b"", row["ip"]),
                    user_agent_digest=keyed_digest(key or b"", row["user_agent"]),
                    request_id=row["request_id"],
                    details=dict(row["details"]),
                )
                chained = link_hash(fields, prev_hash)
                changes.append(
                    {
                        "organization_id": organization_id,
                        "sequence": row["sequence"],
                        "ip_digest": fields.ip_digest,
                        "user_agent_digest": fields.user_agent_digest,
                        "prev_hash": prev_hash,
                        "hash": chained,
                    }
                )
                prev_hash, last = chained, row["sequence"]
            bind.execute(update, changes)
        bind.execute(
            sa.text("UPDATE audit_heads SET hash = :hash WHERE organization_id = :organization_id"),
            {"hash": prev_hash, "organization_id": organization_id},
        )
