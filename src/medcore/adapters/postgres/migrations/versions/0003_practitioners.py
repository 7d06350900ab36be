"""Practitioners, working hours, time off, holidays, rooms and appointment types.

Also creates the ``btree_gist`` extension: GiST indexes mixing ids and ranges (time off
here, the exclusion constraints of appointments in 0004) need it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


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


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "practitioners",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("given_name", sa.Text(), nullable=False),
        sa.Column("family_name", sa.Text(), nullable=False),
        sa.Column("specialties", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("licence_number", sa.Text(), nullable=True),
        sa.Column("licence_expires_on", sa.Date(), nullable=True),
        sa.Column("can_prescribe", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("controlled_substances", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("buffer_minutes", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("daily_capacity", sa.SmallInteger(), nullable=True),
        sa.Column("working_hours", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        *_mutable(),
        sa.CheckConstraint("buffer_minutes BETWEEN 0 AND 120", name=op.f("ck_practitioners_buffer_minutes")),
        sa.CheckConstraint(
            "daily_capacity IS NULL OR daily_capacity BETWEEN 1 AND 200", name=op.f("ck_practitioners_daily_capacity")
        ),
        sa.CheckConstraint(
            "can_prescribe OR NOT controlled_substances", name=op.f("ck_practitioners_controlled_substances")
        ),
        _organization_fk("practitioners"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_practitioners_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioners")),
        sa.UniqueConstraint("organization_id", "user_id", name=op.f("uq_practitioners_organization_id_user_id")),
    )
    op.create_index(
        "ix_practitioners_organization_id_created_at", "practitioners", ["organization_id", "created_at", "id"]
    )
    op.create_index(
        "ix_practitioners_organization_id_family_name", "practitioners", ["organization_id", "family_name", "id"]
    )
    op.create_index("ix_practitioners_specialties", "practitioners", ["specialties"], postgresql_using="gin")
    op.create_index(
        "ix_practitioners_search",
        "practitioners",
        [sa.text("to_tsvector('simple', given_name || ' ' || family_name)")],
        postgresql_using="gin",
    )

    op.create_table(
        "time_off",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("practitioner_id", sa.UUID(), nullable=False),
        sa.Column("during", postgresql.TSTZRANGE(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)", name=op.f("ck_time_off_during")
        ),
        _organization_fk("time_off"),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["practitioners.id"], name=op.f("fk_time_off_practitioner_id_practitioners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off")),
    )
    op.create_index(
        "ix_time_off_organization_id_practitioner_id_during",
        "time_off",
        ["organization_id", "practitioner_id", "during"],
        postgresql_using="gist",
    )

    op.create_table(
        "holidays",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _organization_fk("holidays"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holidays")),
        sa.UniqueConstraint("organization_id", "day", name=op.f("uq_holidays_organization_id_day")),
    )

    op.create_table(
        "rooms",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        *_mutable(),
        sa.CheckConstraint("kind IN ('room', 'equipment')", name=op.f("ck_rooms_kind")),
        _organization_fk("rooms"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
    )
    op.create_index("ix_rooms_organization_id_name", "rooms", ["organization_id", "name", "id"])
    op.create_index(
        "uq_rooms_organization_id_lower_name", "rooms", ["organization_id", sa.text("lower(name)")], unique=True
    )

    op.create_table(
        "appointment_types",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("default_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("min_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("max_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("colour", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        *_mutable(),
        sa.CheckConstraint(
            "min_minutes >= 5 AND min_minutes <= default_minutes AND default_minutes <= max_minutes "
            "AND max_minutes <= 480",
            name=op.f("ck_appointment_types_durations"),
        ),
        _organization_fk("appointment_types"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_types")),
    )
    op.create_index("ix_appointment_types_organization_id_name", "appointment_types", ["organization_id", "name", "id"])
    op.create_index(
        "uq_appointment_types_organization_id_lower_name",
        "appointment_types",
        ["organization_id", sa.text("lower(name)")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("appointment_types")
    op.drop_table("rooms")
    op.drop_table("holidays")
    op.drop_table("time_off")
    op.drop_table("practitioners")
    op.execute("DROP EXTENSION IF EXISTS btree_gist")
