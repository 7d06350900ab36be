"""Tables of the prescribing context: prescriptions with their items and acknowledged
warnings, and practitioners' prescription templates.

Items and acknowledgements are rows of their own (not JSON on the prescription) so that
questions such as "who is prescribed methotrexate" are plain indexed queries; they are
always written whole with their prescription, under its ``version``. A template's items are
JSON: a template is read and replaced whole and never searched by medication.

Only a digest of each verification code is stored, unique across organizations (a
pharmacist's lookup names no organization). ``consultation_id`` names a consultation
without a foreign key, so that prescribing does not depend on the clinical tables.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from medcore.adapters.postgres.base import refuse_on
from medcore.adapters.postgres.columns import mutable, organization, timestamp
from medcore.adapters.postgres.metadata import metadata
from medcore.domain.prescribing.template import NAME_TAKEN

STATUSES_SQL = "status IN ('draft', 'signed', 'dispensed', 'partially_dispensed', 'cancelled', 'expired')"


prescriptions = Table(
    "prescriptions",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    organization(),
    Column("patient_id", PgUUID(as_uuid=True), ForeignKey("patients.id"), nullable=False),
    Column("prescriber_id", PgUUID(as_uuid=True), ForeignKey("practitioners.id"), nullable=False),
    Column("consultation_id", PgUUID(as_uuid=True)),
    Column("status", Text, nullable=False),
    Column("notes", Text),
    timestamp("signed_at"),
    Column("signed_by", PgUUID(as_uuid=True), ForeignKey("users.id")),
    Column("valid_until", Date),
    Column("verification_hash", Text),
    Column("formulary_version", Text),
    Column("renewed_from_id", PgUUID(as_uuid=True), ForeignKey("prescriptions.id")),
    timestamp("cancelled_at"),
    Column("cancellation_reason", Text),
    timestamp("dispensed_at"),
    Column("created_by", PgUUID(as_uuid=True)),  # a user or an API key
    *mutable(),
    CheckConstraint(STATUSES_SQL, name="status"),
    CheckConstraint(
        "status IN ('draft', 'cancelled') "
        "OR (signed_at IS NOT NULL AND valid_until IS NOT NULL AND verification_hash IS NOT NULL)",
        name="signed",
    ),
    CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled"),
    UniqueConstraint("verification_hash"),
    Index(
        "ix_prescriptions_organization_id_patient_id_created_at", "organization_id", "patient_id", "created_at", "id"
    ),
    Index("ix_prescriptions_organization_id_patient_id_signed_at", "organization_id", "patient_id", "signed_at", "id"),
    Index("ix_prescriptions_organization_id_prescriber_id", "organization_id", "prescriber_id"),
    Index("ix_prescriptions_signed_valid_until", "valid_until", postgresql_where=text("status = 'signed'")),
)

prescription_items = Table(
    "prescription_items",
    metadata,
    Column("prescription_id", PgUUID(as_uuid=True), ForeignKey("prescriptions.id", ondelete="CASCADE"), nullable=False),
    Column("position", SmallInteger, nullable=False),
    organization(),
    Column("medication_code", Text, nullable=False),
    Column("dose_amount", Double, nullable=False),
    Column("dose_unit", Text, nullable=False),
    Column("route", Text, nullable=False),
    Column("frequency_kind", Text, nullable=False),
    Column("frequency_value", Double, nullable=False),
    Column("duration_days", SmallInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("refills", SmallInteger, nullable=False, server_default="0"),
    Column("instructions", Text),
    PrimaryKeyConstraint("prescription_id", "position"),
    CheckConstraint("frequency_kind IN ('times_per_day', 'interval_hours', 'as_needed')", name="frequency_kind"),
    CheckConstraint(
        "dose_amount > 0 AND frequency_value > 0 AND duration_days > 0 AND quantity > 0 AND refills >= 0",
        name="positive",
    ),
    Index("ix_prescription_items_organization_id_medication_code", "organization_id", "medication_code"),
)

prescription_acknowledgements = Table(
    "prescription_acknowledgements",
    metadata,
    Column("prescription_id", PgUUID(as_uuid=True), ForeignKey("prescriptions.id", ondelete="CASCADE"), nullable=False),
    Column("position", SmallInteger, nullable=False),
    organization(),
    Column("code", Text, nullable=False),
    Column("item_index", SmallInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("acknowledged_by", PgUUID(as_uuid=True)),
    timestamp("acknowledged_at"),
    PrimaryKeyConstraint("prescription_id", "position"),
)

prescription_templates = Table(
    "prescription_templates",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    organization(),
    Column("practitioner_id", PgUUID(as_uuid=True), ForeignKey("practitioners.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("notes", Text),
    Column("items", JSONB, nullable=False),
    Column("created_by", PgUUID(as_uuid=True)),
    *mutable(),
    Index("ix_prescription_templates_organization_id_name", "organization_id", "name", "id"),
)
# A practitioner's template names are unique without regard to case.
Index(
    "uq_prescription_templates_practitioner_id_lower_name",
    prescription_templates.c.organization_id,
    prescription_templates.c.practitioner_id,
    func.lower(prescription_templates.c.name),
    unique=True,
)

refuse_on("uq_prescription_templates_practitioner_id_lower_name", NAME_TAKEN)
