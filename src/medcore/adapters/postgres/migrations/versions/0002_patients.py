"""Patients and their versioned medical history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ENTRY_TABLES = ("patient_allergies", "patient_conditions", "patient_medications", "patient_measurements")


def _mutable() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def _entry_table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        *columns,
        sa.Column("recorded_by_type", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.UUID(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.UUID(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        *_mutable(),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f(f"fk_{name}_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=f"fk_{name}_patient",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(f"ix_{name}_patient", name, ["organization_id", "patient_id", "created_at", "id"], unique=False)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "patients",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("mrn", sa.Text(), nullable=False),
        sa.Column("given_name", sa.Text(), nullable=False),
        sa.Column("family_name", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("address_line1", sa.Text(), nullable=True),
        sa.Column("address_line2", sa.Text(), nullable=True),
        sa.Column("address_postal_code", sa.Text(), nullable=True),
        sa.Column("address_city", sa.Text(), nullable=True),
        sa.Column("address_country", sa.Text(), nullable=True),
        sa.Column("preferred_language", sa.Text(), nullable=True),
        sa.Column("preferred_channel", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=True),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        *_mutable(),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_patients_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_patients_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("organization_id", "mrn", name=op.f("uq_patients_organization_id_mrn")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_patients_organization_id_id")),
    )
    op.create_index(
        "ix_patients_organization_id_user_id",
        "patients",
        ["organization_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("user_id IS NOT NULL AND deleted_at IS NULL"),
    )
    op.create_index(
        "ix_patients_organization_id_family_name", "patients", ["organization_id", "family_name", "id"], unique=False
    )
    op.create_index(
        "ix_patients_organization_id_created_at", "patients", ["organization_id", "created_at", "id"], unique=False
    )
    op.create_index("ix_patients_search_vector", "patients", ["search_vector"], unique=False, postgresql_using="gin")
    op.create_index(
        "ix_patients_search_text",
        "patients",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_table(
        "patient_mrn_counters",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        *_mutable(),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_patient_mrn_counters_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_patient_mrn_counters")),
    )
    _entry_table(
        "patient_allergies",
        sa.Column("substance", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("reaction", sa.Text(), nullable=True),
        sa.Column("severity", sa.Text(), nullable=False),
    )
    _entry_table(
        "patient_conditions",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("onset", sa.Date(), nullable=True),
    )
    _entry_table(
        "patient_medications",
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("dose", sa.Text(), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
    )
    _entry_table(
        "patient_measurements",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_patient", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_patient_measurements_latest",
        "patient_measurements",
        ["organization_id", "patient_id", "kind", "measured_at"],
        unique=False,
    )
    op.create_table(
        "patient_versions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.Text(), nullable=False),
        sa.Column("resource_id", sa.UUID(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("changed_fields", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("actor_type", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_patient_versions_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name="fk_patient_versions_patient",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_versions")),
        sa.UniqueConstraint(
            "organization_id",
            "patient_id",
            "sequence",
            name=op.f("uq_patient_versions_organization_id_patient_id_sequence"),
        ),
    )


def downgrade() -> None:
    op.drop_table("patient_versions")
    op.drop_index("ix_patient_measurements_latest", table_name="patient_measurements")
    for name in reversed(ENTRY_TABLES):
        op.drop_index(f"ix_{name}_patient", table_name=name)
        op.drop_table(name)
    op.drop_table("patient_mrn_counters")
    op.drop_index("ix_patients_search_text", table_name="patients")
    op.drop_index("ix_patients_search_vector", table_name="patients")
    op.drop_index("ix_patients_organization_id_created_at", table_name="patients")
    op.drop_index("ix_patients_organization_id_family_name", table_name="patients")
    op.drop_index("ix_patients_organization_id_user_id", table_name="patients")
    op.drop_table("patients")
    op.execute("DROP EXTENSION IF EXISTS pg_trgm")
