"""Tables of the scheduling context.

The exclusion constraints are the database's own guarantee of rules 1 and 3 (and rule 2
where the organization keeps it): no two occupying appointments of a practitioner (with
the buffer after each), of a room, or of a patient overlap, whatever races the
application loses.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import UUID, ExcludeConstraint

from medcore.adapters.postgres.columns import mutable, organization, timestamp
from medcore.adapters.postgres.metadata import metadata

OCCUPYING_SQL = "status IN ('requested', 'confirmed', 'checked_in', 'in_progress', 'completed')"


appointments = Table(
    "appointments",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("practitioner_id", UUID(as_uuid=True), ForeignKey("practitioners.id"), nullable=False),
    Column("patient_id", UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False),
    Column("appointment_type_id", UUID(as_uuid=True), ForeignKey("appointment_types.id")),
    Column("room_id", UUID(as_uuid=True), ForeignKey("rooms.id")),
    timestamp("starts_at", False),
    timestamp("ends_at", False),
    timestamp("blocked_until", False),  # ends_at + the practitioner's buffer
    Column("buffer_minutes", Integer, nullable=False, server_default="0"),
    Column("status", Text, nullable=False),
    Column("reason", Text),
    Column("series_id", UUID(as_uuid=True)),
    Column("rescheduled_from_id", UUID(as_uuid=True), ForeignKey("appointments.id")),
    Column("override_reason", Text),
    Column("booked_by", UUID(as_uuid=True)),
    Column("booked_by_patient", Boolean, nullable=False, server_default="false"),
    Column("patient_exclusive", Boolean, nullable=False, server_default="true"),
    Column("cancellation_reason", Text),
    Column("cancellation_note", Text),
    Column("cancelled_late", Boolean),
    timestamp("cancelled_at"),
    Column("cancelled_by", UUID(as_uuid=True)),
    timestamp("status_changed_at"),
    *mutable(),
    CheckConstraint("starts_at < ends_at AND ends_at <= blocked_until", name="interval"),
    ExcludeConstraint(
        ("organization_id", "="),
        ("practitioner_id", "="),
        (func.tstzrange(literal_column("starts_at"), literal_column("blocked_until"), "[)"), "&&"),
        name="ex_appointments_practitioner",
        using="gist",
        where=text(OCCUPYING_SQL),
    ),
    ExcludeConstraint(
        ("organization_id", "="),
        ("room_id", "="),
        (func.tstzrange(literal_column("starts_at"), literal_column("ends_at"), "[)"), "&&"),
        name="ex_appointments_room",
        using="gist",
        where=text(f"room_id IS NOT NULL AND {OCCUPYING_SQL}"),
    ),
    ExcludeConstraint(
        ("organization_id", "="),
        ("patient_id", "="),
        (func.tstzrange(literal_column("starts_at"), literal_column("ends_at"), "[)"), "&&"),
        name="ex_appointments_patient",
        using="gist",
        where=text(f"patient_exclusive AND {OCCUPYING_SQL}"),
    ),
    Index("ix_appointments_organization_id_starts_at", "organization_id", "starts_at", "id"),
    Index(
        "ix_appointments_organization_id_practitioner_id_starts_at", "organization_id", "practitioner_id", "starts_at"
    ),
    Index("ix_appointments_organization_id_patient_id_starts_at", "organization_id", "patient_id", "starts_at"),
    Index("ix_appointments_organization_id_series_id", "organization_id", "series_id"),
)

appointment_reminders = Table(
    "appointment_reminders",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("appointment_id", UUID(as_uuid=True), ForeignKey("appointments.id"), nullable=False),
    timestamp("due_at", False),
    Column("channel", Text, nullable=False),
    Column("status", Text, nullable=False),
    timestamp("sent_at"),
    Column("skip_reason", Text),
    *mutable(),
    Index("ix_appointment_reminders_appointment_id", "appointment_id"),
    Index("ix_appointment_reminders_pending_due_at", "due_at", postgresql_where=text("status = 'pending'")),
)

waitlist_entries = Table(
    "waitlist_entries",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("patient_id", UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False),
    Column("practitioner_id", UUID(as_uuid=True), ForeignKey("practitioners.id")),
    Column("specialty", Text),
    timestamp("window_start", False),
    timestamp("window_end", False),
    Column("status", Text, nullable=False),
    timestamp("offered_start"),
    timestamp("offered_end"),
    Column("offered_practitioner_id", UUID(as_uuid=True)),
    timestamp("offered_at"),
    Column("note", Text),
    *mutable(),
    CheckConstraint("window_start < window_end", name="window"),
    CheckConstraint("(practitioner_id IS NULL) <> (specialty IS NULL)", name="target"),
    Index("ix_waitlist_entries_organization_id_status_created_at", "organization_id", "status", "created_at"),
)

calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("practitioner_id", UUID(as_uuid=True), ForeignKey("practitioners.id"), nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_by", UUID(as_uuid=True)),
    timestamp("revoked_at"),
    timestamp("last_fetched_at"),
    *mutable(),
    Index(
        "ux_calendar_feeds_active",
        "organization_id",
        "practitioner_id",
        unique=True,
        postgresql_where=text("revoked_at IS NULL"),
    ),
)
