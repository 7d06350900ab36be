"""Appointments, reminders, waitlist and calendar feeds.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OCCUPYING = "status IN ('requested', 'confirmed', 'checked_in', 'in_progress', 'completed')"


def _mutable() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "appointments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("practitioner_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("appointment_type_id", sa.UUID(), nullable=True),
        sa.Column("room_id", sa.UUID(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("series_id", sa.UUID(), nullable=True),
        sa.Column("rescheduled_from_id", sa.UUID(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("booked_by", sa.UUID(), nullable=True),
        sa.Column("booked_by_patient", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("patient_exclusive", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("cancellation_note", sa.Text(), nullable=True),
        sa.Column("cancelled_late", sa.Boolean(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.UUID(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        *_mutable(),
        sa.CheckConstraint("starts_at < ends_at AND ends_at <= blocked_until", name=op.f("ck_appointments_interval")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_appointments_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["practitioners.id"], name=op.f("fk_appointments_practitioner_id_practitioners")
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_appointments_patient_id_patients")),
        sa.ForeignKeyConstraint(
            ["appointment_type_id"],
            ["appointment_types.id"],
            name=op.f("fk_appointments_appointment_type_id_appointment_types"),
        ),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_appointments_room_id_rooms")),
        sa.ForeignKeyConstraint(
            ["rescheduled_from_id"], ["appointments.id"], name=op.f("fk_appointments_rescheduled_from_id_appointments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    # The database's own guarantee of the conflict rules, whatever races the application loses.
    op.execute(
        "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_practitioner EXCLUDE USING gist "
        "(organization_id WITH =, practitioner_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&) "
        f"WHERE ({OCCUPYING})"
    )
    op.execute(
        "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_room EXCLUDE USING gist "
        "(organization_id WITH =, room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        f"WHERE (room_id IS NOT NULL AND {OCCUPYING})"
    )
    op.execute(
        "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_patient EXCLUDE USING gist "
        "(organization_id WITH =, patient_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        f"WHERE (patient_exclusive AND {OCCUPYING})"
    )
    op.create_index("ix_appointments_organization_id_starts_at", "appointments", ["organization_id", "starts_at", "id"])
    op.create_index(
        "ix_appointments_organization_id_practitioner_id_starts_at",
        "appointments",
        ["organization_id", "practitioner_id", "starts_at"],
    )
    op.create_index(
        "ix_appointments_organization_id_patient_id_starts_at",
        "appointments",
        ["organization_id", "patient_id", "starts_at"],
    )
    op.create_index("ix_appointments_organization_id_series_id", "appointments", ["organization_id", "series_id"])

    op.create_table(
        "appointment_reminders",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("appointment_id", sa.UUID(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        *_mutable(),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_appointment_reminders_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_appointment_reminders_appointment_id_appointments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_reminders")),
    )
    op.create_index("ix_appointment_reminders_appointment_id", "appointment_reminders", ["appointment_id"])
    op.create_index(
        "ix_appointment_reminders_pending_due_at",
        "appointment_reminders",
        ["due_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("practitioner_id", sa.UUID(), nullable=True),
        sa.Column("specialty", sa.Text(), nullable=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("offered_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offered_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offered_practitioner_id", sa.UUID(), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_mutable(),
        sa.CheckConstraint("window_start < window_end", name=op.f("ck_waitlist_entries_window")),
        sa.CheckConstraint("(practitioner_id IS NULL) <> (specialty IS NULL)", name=op.f("ck_waitlist_entries_target")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_waitlist_entries_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_waitlist_entries_patient_id_patients")),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["practitioners.id"], name=op.f("fk_waitlist_entries_practitioner_id_practitioners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    op.create_index(
        "ix_waitlist_entries_organization_id_status_created_at",
        "waitlist_entries",
        ["organization_id", "status", "created_at"],
    )

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("practitioner_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        *_mutable(),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_calendar_feeds_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["practitioners.id"], name=op.f("fk_calendar_feeds_practitioner_id_practitioners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    op.create_index(
        "ux_calendar_feeds_active",
        "calendar_feeds",
        ["organization_id", "practitioner_id"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ux_calendar_feeds_active", table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
    op.drop_index("ix_waitlist_entries_organization_id_status_created_at", table_name="waitlist_entries")
    op.drop_table("waitlist_entries")
    op.drop_index("ix_appointment_reminders_pending_due_at", table_name="appointment_reminders")
    op.drop_index("ix_appointment_reminders_appointment_id", table_name="appointment_reminders")
    op.drop_table("appointment_reminders")
    op.drop_index("ix_appointments_organization_id_series_id", table_name="appointments")
    op.drop_index("ix_appointments_organization_id_patient_id_starts_at", table_name="appointments")
    op.drop_index("ix_appointments_organization_id_practitioner_id_starts_at", table_name="appointments")
    op.drop_index("ix_appointments_organization_id_starts_at", table_name="appointments")
    op.drop_table("appointments")
