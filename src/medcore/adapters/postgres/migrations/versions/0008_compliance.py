"""Retention and legal holds: legal holds, retention runs and their ledger.

The organization's retention settings live in ``organizations.settings`` (JSON): no
column is needed, and rows written before this revision read as the default preset.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _organization(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"], ["organizations.id"], name=op.f(f"fk_{table}_organization_id_organizations")
    )


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("subject_id", sa.UUID(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.UUID(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.UUID(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("scope IN ('patient', 'practitioner', 'organization')", name=op.f("ck_legal_holds_scope")),
        sa.CheckConstraint("(scope = 'organization') = (subject_id IS NULL)", name=op.f("ck_legal_holds_subject")),
        _organization("legal_holds"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index("ix_legal_holds_organization_id_placed_at", "legal_holds", ["organization_id", "placed_at", "id"])
    op.create_index(
        "ix_legal_holds_active", "legal_holds", ["organization_id"], postgresql_where=sa.text("released_at IS NULL")
    )

    op.create_table(
        "retention_runs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.UUID(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disposed", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("status IN ('running', 'completed')", name=op.f("ck_retention_runs_status")),
        _organization("retention_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_runs")),
    )
    op.create_index(
        "uq_retention_runs_running",
        "retention_runs",
        ["organization_id"],
        unique=True,
        postgresql_where=sa.text("status = 'running'"),
    )

    op.create_table(
        "retention_disposals",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("run_id", sa.UUID(), nullable=True),
        sa.Column("record_class", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("record_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archive_key", sa.Text(), nullable=True),
        sa.CheckConstraint("action IN ('delete', 'anonymise', 'archive')", name=op.f("ck_retention_disposals_action")),
        _organization("retention_disposals"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["retention_runs.id"], name=op.f("fk_retention_disposals_run_id_retention_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_disposals")),
        sa.UniqueConstraint(
            "organization_id",
            "record_class",
            "record_id",
            name=op.f("uq_retention_disposals_organization_id_record_class_record_id"),
        ),
    )
    op.create_index("ix_retention_disposals_run_id", "retention_disposals", ["run_id", "disposed_at"])


def downgrade() -> None:
    op.drop_index("ix_retention_disposals_run_id", table_name="retention_disposals")
    op.drop_table("retention_disposals")
    op.drop_index("uq_retention_runs_running", table_name="retention_runs")
    op.drop_table("retention_runs")
    op.drop_index("ix_legal_holds_active", table_name="legal_holds")
    op.drop_index("ix_legal_holds_organization_id_placed_at", table_name="legal_holds")
    op.drop_table("legal_holds")
