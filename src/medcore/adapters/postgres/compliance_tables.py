"""The compliance context's tables: legal holds, retention runs and their ledger.

The organization's retention settings live in ``organizations.settings`` (JSON), beside
the scheduling and patient-portal policies."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import UUID

from medcore.adapters.postgres.columns import organization
from medcore.adapters.postgres.metadata import metadata

legal_holds = Table(
    "legal_holds",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    organization(),
    Column("scope", Text, nullable=False),
    Column("subject_id", UUID(as_uuid=True), nullable=True),
    Column("reason", Text, nullable=False),
    Column("placed_by", UUID(as_uuid=True), nullable=True),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("released_by", UUID(as_uuid=True), nullable=True),
    Column("released_at", DateTime(timezone=True), nullable=True),
    Column("release_note", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    PrimaryKeyConstraint("id"),
    CheckConstraint("scope IN ('patient', 'practitioner', 'organization')", name="scope"),
    CheckConstraint("(scope = 'organization') = (subject_id IS NULL)", name="subject"),
)
Index(
    "ix_legal_holds_organization_id_placed_at", legal_holds.c.organization_id, legal_holds.c.placed_at, legal_holds.c.id
)
Index(
    "ix_legal_holds_active",
    legal_holds.c.organization_id,
    postgresql_where=legal_holds.c.released_at.is_(None),
)

# One row per real run of the engine over one organization; a run still 'running' after a
# crash is resumed by the next run.
retention_runs = Table(
    "retention_runs",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    organization(),
    Column("as_of", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("started_by", UUID(as_uuid=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("disposed", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("id"),
    CheckConstraint("status IN ('running', 'completed')", name="status"),
)
Index(
    "uq_retention_runs_running",
    retention_runs.c.organization_id,
    unique=True,
    postgresql_where=retention_runs.c.status == "running",
)

# The ledger: every record disposed of, once. Its unique key is what makes a second run
# (or a resumed one) dispose of nothing twice.
retention_disposals = Table(
    "retention_disposals",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    organization(),
    Column("run_id", UUID(as_uuid=True), ForeignKey("retention_runs.id"), nullable=True),
    Column("record_class", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("record_id", UUID(as_uuid=True), nullable=False),
    Column("patient_id", UUID(as_uuid=True), nullable=True),
    Column("action", Text, nullable=False),
    Column("disposed_at", DateTime(timezone=True), nullable=False),
    Column("archive_key", Text, nullable=True),
    PrimaryKeyConstraint("id"),
    UniqueConstraint("organization_id", "record_class", "record_id"),
    CheckConstraint("action IN ('delete', 'anonymise', 'archive')", name="action"),
)
Index("ix_retention_disposals_run_id", retention_disposals.c.run_id, retention_disposals.c.disposed_at)
