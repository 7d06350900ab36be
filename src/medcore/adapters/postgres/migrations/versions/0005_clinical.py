"""Consultations, addenda, templates and health reminders.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

VITALS = (
    "systolic_mmhg",
    "diastolic_mmhg",
    "pulse_per_min",
    "respiratory_rate_per_min",
    "temperature_c",
    "weight_kg",
    "height_cm",
    "spo2_percent",
)

# A signed consultation is frozen: only its version and update time move (an addendum was
# appended). The constraint name lets the adapter answer 409 consultation.signed. The one
# exception is a transaction that declares itself the retention job anonymising records
# (SET LOCAL medcore.retention = 'on'): the trigger guards against mistakes, not against
# someone who can run SQL.
FREEZE_SIGNED = """
CREATE FUNCTION clinical_freeze_signed_consultation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('medcore.retention', true), '') = 'on' THEN
        RETURN NEW;
    END IF;
    IF (to_jsonb(NEW) - 'version' - 'updated_at') IS DISTINCT FROM (to_jsonb(OLD) - 'version' - 'updated_at') THEN
        RAISE EXCEPTION 'a signed consultation cannot change'
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'consultation_signed_frozen';
    END IF;
    RETURN NEW;
END
$$
"""
APPEND_ONLY = """
CREATE FUNCTION clinical_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('medcore.retention', true), '') = 'on' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""


def _mutable() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def _organization(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"], ["organizations.id"], name=op.f(f"fk_{table}_organization_id_organizations")
    )


def _patient(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"], name=f"fk_{table}_patient"
    )


def upgrade() -> None:
    op.create_table(
        "consultation_templates",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sections", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        *_mutable(),
        _organization("consultation_templates"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_templates")),
        sa.UniqueConstraint(
            "organization_id", "name_key", name=op.f("uq_consultation_templates_organization_id_name_key")
        ),
    )

    op.create_table(
        "consultations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("practitioner_id", sa.UUID(), nullable=False),
        sa.Column("appointment_id", sa.UUID(), nullable=True),
        sa.Column("template_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sections", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("diagnoses", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("prescription_ids", postgresql.ARRAY(sa.UUID()), server_default="{}", nullable=False),
        *(sa.Column(name, sa.Double(), nullable=True) for name in VITALS),
        sa.Column("vitals_measured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_type", sa.Text(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.UUID(), nullable=True),
        *_mutable(),
        sa.CheckConstraint("status IN ('draft', 'signed')", name=op.f("ck_consultations_status")),
        sa.CheckConstraint("(status = 'signed') = (signed_at IS NOT NULL)", name=op.f("ck_consultations_signature")),
        _organization("consultations"),
        _patient("consultations"),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["practitioners.id"], name=op.f("fk_consultations_practitioner_id_practitioners")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_consultations_appointment_id_appointments")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["consultation_templates.id"],
            name=op.f("fk_consultations_template_id_consultation_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
        sa.UniqueConstraint(
            "organization_id", "appointment_id", name=op.f("uq_consultations_organization_id_appointment_id")
        ),
    )
    op.create_index("ix_consultations_patient", "consultations", ["organization_id", "patient_id", "started_at", "id"])
    op.create_index(
        "ix_consultations_practitioner", "consultations", ["organization_id", "practitioner_id", "started_at", "id"]
    )
    op.create_index(
        "ix_consultations_organization_id_started_at", "consultations", ["organization_id", "started_at", "id"]
    )
    op.execute(FREEZE_SIGNED)
    op.execute(
        "CREATE TRIGGER consultations_freeze_signed BEFORE UPDATE ON consultations "
        "FOR EACH ROW WHEN (OLD.status = 'signed') EXECUTE FUNCTION clinical_freeze_signed_consultation()"
    )

    op.create_table(
        "consultation_addenda",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("consultation_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_type", sa.Text(), nullable=False),
        sa.Column("author_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _organization("consultation_addenda"),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_addenda_consultation_id_consultations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_addenda")),
    )
    op.create_index(
        "ix_consultation_addenda_consultation_id", "consultation_addenda", ["consultation_id", "created_at"]
    )
    op.execute(APPEND_ONLY)
    op.execute(
        "CREATE TRIGGER consultation_addenda_append_only BEFORE UPDATE ON consultation_addenda "
        "FOR EACH ROW EXECUTE FUNCTION clinical_refuse_change()"
    )

    op.create_table(
        "health_reminders",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("times", postgresql.ARRAY(sa.Time()), nullable=False),
        sa.Column("weekdays", postgresql.ARRAY(sa.SmallInteger()), server_default="{}", nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_occurrence_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_type", sa.Text(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.UUID(), nullable=True),
        *_mutable(),
        sa.CheckConstraint("status IN ('active', 'ended', 'cancelled')", name=op.f("ck_health_reminders_status")),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_health_reminders_days")),
        _organization("health_reminders"),
        _patient("health_reminders"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_reminders")),
    )
    op.create_index(
        "ix_health_reminders_patient", "health_reminders", ["organization_id", "patient_id", "created_at", "id"]
    )
    op.create_index(
        "ix_health_reminders_due", "health_reminders", ["next_due_at"], postgresql_where=sa.text("status = 'active'")
    )

    op.create_table(
        "health_reminder_deliveries",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("reminder_id", sa.UUID(), nullable=False),
        sa.Column("occurrence_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _organization("health_reminder_deliveries"),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["health_reminders.id"],
            name=op.f("fk_health_reminder_deliveries_reminder_id_health_reminders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_reminder_deliveries")),
        sa.UniqueConstraint(
            "reminder_id", "occurrence_at", name=op.f("uq_health_reminder_deliveries_reminder_id_occurrence_at")
        ),
    )
    op.execute(
        "CREATE TRIGGER health_reminder_deliveries_append_only BEFORE UPDATE ON health_reminder_deliveries "
        "FOR EACH ROW EXECUTE FUNCTION clinical_refuse_change()"
    )


def downgrade() -> None:
    op.drop_table("health_reminder_deliveries")
    op.drop_index("ix_health_reminders_due", table_name="health_reminders")
    op.drop_index("ix_health_reminders_patient", table_name="health_reminders")
    op.drop_table("health_reminders")
    op.drop_index("ix_consultation_addenda_consultation_id", table_name="consultation_addenda")
    op.drop_table("consultation_addenda")
    op.execute("DROP FUNCTION clinical_refuse_change()")
    op.drop_index("ix_consultations_organization_id_started_at", table_name="consultations")
    op.drop_index("ix_consultations_practitioner", table_name="consultations")
    op.drop_index("ix_consultations_patient", table_name="consultations")
    op.drop_table("consultations")
    op.execute("DROP FUNCTION clinical_freeze_signed_consultation()")
    op.drop_table("consultation_templates")
