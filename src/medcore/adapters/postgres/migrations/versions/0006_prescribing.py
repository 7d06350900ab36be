"""Prescriptions, their items, acknowledgements, templates and verification.

``consultation_id`` carries no foreign key (prescribing does not depend on the clinical
tables); verification codes are stored as digests, unique across organizations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STATUSES = "status IN ('draft', 'signed', 'dispensed', 'partially_dispensed', 'cancelled', 'expired')"


def _mutable() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def _organization_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"], ["organizations.id"], name=op.f(f"fk_{table}_organization_id_organizations")
    )


def _prescription_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["prescription_id"],
        ["prescriptions.id"],
        name=op.f(f"fk_{table}_prescription_id_prescriptions"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "prescriptions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("prescriber_id", sa.UUID(), nullable=False),
        sa.Column("consultation_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.UUID(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("verification_hash", sa.Text(), nullable=True),
        sa.Column("formulary_version", sa.Text(), nullable=True),
        sa.Column("renewed_from_id", sa.UUID(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("dispensed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        *_mutable(),
        sa.CheckConstraint(STATUSES, name=op.f("ck_prescriptions_status")),
        sa.CheckConstraint(
            "status IN ('draft', 'cancelled') "
            "OR (signed_at IS NOT NULL AND valid_until IS NOT NULL AND verification_hash IS NOT NULL)",
            name=op.f("ck_prescriptions_signed"),
        ),
        sa.CheckConstraint(
            "status <> 'cancelled' OR cancelled_at IS NOT NULL", name=op.f("ck_prescriptions_cancelled")
        ),
        _organization_fk("prescriptions"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_prescriptions_patient_id_patients")),
        sa.ForeignKeyConstraint(
            ["prescriber_id"], ["practitioners.id"], name=op.f("fk_prescriptions_prescriber_id_practitioners")
        ),
        sa.ForeignKeyConstraint(["signed_by"], ["users.id"], name=op.f("fk_prescriptions_signed_by_users")),
        sa.ForeignKeyConstraint(
            ["renewed_from_id"], ["prescriptions.id"], name=op.f("fk_prescriptions_renewed_from_id_prescriptions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescriptions")),
        sa.UniqueConstraint("verification_hash", name=op.f("uq_prescriptions_verification_hash")),
    )
    op.create_index(
        "ix_prescriptions_organization_id_patient_id_created_at",
        "prescriptions",
        ["organization_id", "patient_id", "created_at", "id"],
    )
    op.create_index(
        "ix_prescriptions_organization_id_patient_id_signed_at",
        "prescriptions",
        ["organization_id", "patient_id", "signed_at", "id"],
    )
    op.create_index(
        "ix_prescriptions_organization_id_prescriber_id", "prescriptions", ["organization_id", "prescriber_id"]
    )
    op.create_index(
        "ix_prescriptions_signed_valid_until",
        "prescriptions",
        ["valid_until"],
        postgresql_where=sa.text("status = 'signed'"),
    )

    op.create_table(
        "prescription_items",
        sa.Column("prescription_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("medication_code", sa.Text(), nullable=False),
        sa.Column("dose_amount", sa.Double(), nullable=False),
        sa.Column("dose_unit", sa.Text(), nullable=False),
        sa.Column("route", sa.Text(), nullable=False),
        sa.Column("frequency_kind", sa.Text(), nullable=False),
        sa.Column("frequency_value", sa.Double(), nullable=False),
        sa.Column("duration_days", sa.SmallInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("refills", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "frequency_kind IN ('times_per_day', 'interval_hours', 'as_needed')",
            name=op.f("ck_prescription_items_frequency_kind"),
        ),
        sa.CheckConstraint(
            "dose_amount > 0 AND frequency_value > 0 AND duration_days > 0 AND quantity > 0 AND refills >= 0",
            name=op.f("ck_prescription_items_positive"),
        ),
        _prescription_fk("prescription_items"),
        _organization_fk("prescription_items"),
        sa.PrimaryKeyConstraint("prescription_id", "position", name=op.f("pk_prescription_items")),
    )
    op.create_index(
        "ix_prescription_items_organization_id_medication_code",
        "prescription_items",
        ["organization_id", "medication_code"],
    )

    op.create_table(
        "prescription_acknowledgements",
        sa.Column("prescription_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("item_index", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("acknowledged_by", sa.UUID(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        _prescription_fk("prescription_acknowledgements"),
        _organization_fk("prescription_acknowledgements"),
        sa.PrimaryKeyConstraint("prescription_id", "position", name=op.f("pk_prescription_acknowledgements")),
    )

    op.create_table(
        "prescription_templates",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("practitioner_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        *_mutable(),
        _organization_fk("prescription_templates"),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_prescription_templates_practitioner_id_practitioners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescription_templates")),
    )
    op.create_index(
        "ix_prescription_templates_organization_id_name", "prescription_templates", ["organization_id", "name", "id"]
    )
    op.create_index(
        "uq_prescription_templates_practitioner_id_lower_name",
        "prescription_templates",
        ["organization_id", "practitioner_id", sa.text("lower(name)")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_prescription_templates_practitioner_id_lower_name", table_name="prescription_templates")
    op.drop_index("ix_prescription_templates_organization_id_name", table_name="prescription_templates")
    op.drop_table("prescription_templates")
    op.drop_table("prescription_acknowledgements")
    op.drop_index("ix_prescription_items_organization_id_medication_code", table_name="prescription_items")
    op.drop_table("prescription_items")
    op.drop_index("ix_prescriptions_signed_valid_until", table_name="prescriptions")
    op.drop_index("ix_prescriptions_organization_id_prescriber_id", table_name="prescriptions")
    op.drop_index("ix_prescriptions_organization_id_patient_id_signed_at", table_name="prescriptions")
    op.drop_index("ix_prescriptions_organization_id_patient_id_created_at", table_name="prescriptions")
    op.drop_table("prescriptions")
