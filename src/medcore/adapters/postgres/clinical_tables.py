"""Tables of the clinical context: consultations and their addenda, consultation templates,
health reminders and the deliveries of their occurrences.

Consultations reference their patient by ``(organization_id, patient_id)`` like the medical
history, so the database keeps them inside the patient's organization. Sections and
diagnoses are JSON on the consultation row: they are always read and written with it and
share its ``version``. Vitals are columns, one per sign, in their stated units. A signed
consultation's content is frozen by a trigger (migration 0005) behind the domain's rule;
addenda and deliveries are append-only.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from medcore.adapters.postgres.base import refuse_on
from medcore.adapters.postgres.columns import mutable, organization, timestamp
from medcore.adapters.postgres.metadata import metadata
from medcore.domain.clinical.consultation import CONSULTATION_SIGNED
from medcore.domain.clinical.template import TEMPLATE_NAME_TAKEN
from medcore.domain.shared.errors import conflict

# The trigger of migration 0005 names this constraint when it refuses to change a signed
# consultation (a race the domain's own check lost).
SIGNED_CONSULTATION_FROZEN = "consultation_signed_frozen"
refuse_on(SIGNED_CONSULTATION_FROZEN, CONSULTATION_SIGNED)
refuse_on("uq_consultation_templates_organization_id_name_key", TEMPLATE_NAME_TAKEN)
refuse_on(
    "uq_consultations_organization_id_appointment_id",
    conflict("consultation.appointment_taken", "This appointment already has its consultation."),
)


def _patient(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"], name=f"fk_{table}_patient"
    )


consultation_templates = Table(
    "consultation_templates",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),  # the name folded: unique in the organization
    Column("description", Text),
    Column("sections", JSONB, nullable=False),  # [{"key", "title", "default_text", "required"}]
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("created_by", UUID(as_uuid=True)),
    *mutable(),
    UniqueConstraint("organization_id", "name_key"),
)

consultations = Table(
    "consultations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("patient_id", UUID(as_uuid=True), nullable=False),
    Column("practitioner_id", UUID(as_uuid=True), ForeignKey("practitioners.id"), nullable=False),
    Column("appointment_id", UUID(as_uuid=True), ForeignKey("appointments.id")),
    Column("template_id", UUID(as_uuid=True), ForeignKey("consultation_templates.id")),
    Column("status", Text, nullable=False),
    Column("reason", Text),
    timestamp("started_at", nullable=False),
    Column("sections", JSONB, nullable=False),  # [{"key", "title", "text", "required"}]
    Column("diagnoses", JSONB, nullable=False, server_default="[]"),  # [{"code", "text"}]
    Column("prescription_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    Column("systolic_mmhg", Double),
    Column("diastolic_mmhg", Double),
    Column("pulse_per_min", Double),
    Column("respiratory_rate_per_min", Double),
    Column("temperature_c", Double),
    Column("weight_kg", Double),
    Column("height_cm", Double),
    Column("spo2_percent", Double),
    timestamp("vitals_measured_at"),
    Column("created_by_type", Text, nullable=False),
    Column("created_by", UUID(as_uuid=True)),
    timestamp("signed_at"),
    Column("signed_by", UUID(as_uuid=True)),
    *mutable(),
    _patient("consultations"),
    UniqueConstraint("organization_id", "appointment_id"),
    CheckConstraint("status IN ('draft', 'signed')", name="status"),
    CheckConstraint("(status = 'signed') = (signed_at IS NOT NULL)", name="signature"),
    Index("ix_consultations_patient", "organization_id", "patient_id", "started_at", "id"),
    Index("ix_consultations_practitioner", "organization_id", "practitioner_id", "started_at", "id"),
    Index("ix_consultations_organization_id_started_at", "organization_id", "started_at", "id"),
)

consultation_addenda = Table(
    "consultation_addenda",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("consultation_id", UUID(as_uuid=True), ForeignKey("consultations.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("author_type", Text, nullable=False),
    Column("author_id", UUID(as_uuid=True)),
    timestamp("created_at", nullable=False),
    Index("ix_consultation_addenda_consultation_id", "consultation_id", "created_at"),
)

health_reminders = Table(
    "health_reminders",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("patient_id", UUID(as_uuid=True), nullable=False),
    Column("text", Text, nullable=False),
    Column("times", ARRAY(Time), nullable=False),  # local wall times, in `time_zone`
    Column("weekdays", ARRAY(SmallInteger), nullable=False, server_default="{}"),  # ISO; empty: every day
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("time_zone", Text, nullable=False),
    Column("channel", Text),  # null: the patient's preferred channel when sent
    Column("status", Text, nullable=False),
    timestamp("next_due_at"),
    timestamp("last_occurrence_at"),
    Column("created_by_type", Text, nullable=False),
    Column("created_by", UUID(as_uuid=True)),
    timestamp("cancelled_at"),
    Column("cancelled_by", UUID(as_uuid=True)),
    *mutable(),
    _patient("health_reminders"),
    CheckConstraint("status IN ('active', 'ended', 'cancelled')", name="status"),
    CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="days"),
    Index("ix_health_reminders_patient", "organization_id", "patient_id", "created_at", "id"),
    Index("ix_health_reminders_due", "next_due_at", postgresql_where=text("status = 'active'")),
)

health_reminder_deliveries = Table(
    "health_reminder_deliveries",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),  # the notification id of the occurrence
    organization(),
    Column("reminder_id", UUID(as_uuid=True), ForeignKey("health_reminders.id"), nullable=False),
    timestamp("occurrence_at", nullable=False),
    Column("status", Text, nullable=False),
    Column("channel", Text),
    Column("skip_reason", Text),
    timestamp("created_at", nullable=False),
    UniqueConstraint("reminder_id", "occurrence_at"),
)
