"""GDPR: the patients' data exports and the erasures done.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _references(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f(f"fk_{table}_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f(f"fk_{table}_patient_id_patients")),
    ]


def upgrade() -> None:
    op.create_table(
        "gdpr_exports",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("requested_by_type", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.UUID(), nullable=True),
        sa.Column("blob_key", sa.Text(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.Text(), nullable=True),
        sa.Column("members", sa.Integer(), server_default="0", nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        *_references("gdpr_exports"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gdpr_exports")),
    )
    op.create_index(
        "ix_gdpr_exports_organization_id_patient_id_created_at",
        "gdpr_exports",
        ["organization_id", "patient_id", "created_at"],
    )
    op.create_table(
        "gdpr_erasures",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("requested_by_type", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.UUID(), nullable=True),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_references("gdpr_erasures"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gdpr_erasures")),
    )
    op.create_index("ix_gdpr_erasures_organization_id_patient_id", "gdpr_erasures", ["organization_id", "patient_id"])


def downgrade() -> None:
    op.drop_index("ix_gdpr_erasures_organization_id_patient_id", table_name="gdpr_erasures")
    op.drop_table("gdpr_erasures")
    op.drop_index("ix_gdpr_exports_organization_id_patient_id_created_at", table_name="gdpr_exports")
    op.drop_table("gdpr_exports")
