"""Tables of the patients context: records, their medical history, and its versions.

History entries reference their patient by ``(organization_id, patient_id)``, so that the
database itself keeps every entry and version inside the patient's organization.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID

from medcore.adapters.postgres.columns import mutable, organization, timestamp
from medcore.adapters.postgres.metadata import metadata

patients = Table(
    "patients",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("mrn", Text, nullable=False),
    Column("given_name", Text, nullable=False),
    Column("family_name", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", Text, nullable=False),
    Column("email", Text),
    Column("phone", Text),
    Column("address_line1", Text),
    Column("address_line2", Text),
    Column("address_postal_code", Text),
    Column("address_city", Text),
    Column("address_country", Text),
    Column("preferred_language", Text),
    Column("preferred_channel", Text, nullable=False),
    Column("time_zone", Text),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id")),
    # Maintained by the repository: names, MRN, email and phone folded to lower-case ASCII,
    # searched by prefix (search_vector) and by trigram similarity (search_text).
    Column("search_text", Text, nullable=False),
    Column("search_vector", TSVECTOR, nullable=False),
    timestamp("deleted_at"),
    *mutable(),
    UniqueConstraint("organization_id", "mrn"),
    UniqueConstraint("organization_id", "id"),  # target of the entries' foreign keys
    Index(
        "ix_patients_organization_id_user_id",
        "organization_id",
        "user_id",
        unique=True,
        postgresql_where=text("user_id IS NOT NULL AND deleted_at IS NULL"),
    ),
    Index("ix_patients_organization_id_family_name", "organization_id", "family_name", "id"),
    Index("ix_patients_organization_id_created_at", "organization_id", "created_at", "id"),
    Index("ix_patients_search_vector", "search_vector", postgresql_using="gin"),
    Index(
        "ix_patients_search_text",
        "search_text",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    ),
)

# The last generated medical record number of each organization.
patient_mrn_counters = Table(
    "patient_mrn_counters",
    metadata,
    Column("organization_id", UUID(as_uuid=True), ForeignKey("organizations.id"), primary_key=True),
    Column("last_value", BigInteger, nullable=False),
    *mutable(),
)


def _entry_table(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        organization(),
        Column("patient_id", UUID(as_uuid=True), nullable=False),
        Column("status", Text, nullable=False),
        *columns,
        Column("recorded_by_type", Text, nullable=False),
        Column("recorded_by", UUID(as_uuid=True)),
        timestamp("ended_at"),
        Column("ended_by", UUID(as_uuid=True)),
        Column("end_reason", Text),
        *mutable(),
        ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=f"fk_{name}_patient",
        ),
        Index(f"ix_{name}_patient", "organization_id", "patient_id", "created_at", "id"),
    )


patient_allergies = _entry_table(
    "patient_allergies",
    Column("substance", Text, nullable=False),
    Column("code", Text),
    Column("reaction", Text),
    Column("severity", Text, nullable=False),
)

patient_conditions = _entry_table(
    "patient_conditions",
    Column("code", Text, nullable=False),
    Column("text", Text),
    Column("onset", Date),
)

patient_medications = _entry_table(
    "patient_medications",
    Column("code", Text),
    Column("name", Text),
    Column("dose", Text),
    Column("since", Date),
)

patient_measurements = _entry_table(
    "patient_measurements",
    Column("kind", Text, nullable=False),
    Column("value", Double, nullable=False),
    Column("unit", Text, nullable=False),
    timestamp("measured_at", nullable=False),
    Column("recorded_by_patient", Boolean, nullable=False),
)
Index(
    "ix_patient_measurements_latest",
    patient_measurements.c.organization_id,
    patient_measurements.c.patient_id,
    patient_measurements.c.kind,
    patient_measurements.c.measured_at,
)

# Append-only: one row per change to a record or to one of its entries.
patient_versions = Table(
    "patient_versions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("patient_id", UUID(as_uuid=True), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("resource_type", Text, nullable=False),
    Column("resource_id", UUID(as_uuid=True), nullable=False),
    Column("action", Text, nullable=False),
    Column("changed_fields", ARRAY(Text), nullable=False),
    Column("snapshot", JSONB, nullable=False),
    Column("actor_type", Text, nullable=False),
    Column("actor_id", UUID(as_uuid=True)),
    timestamp("recorded_at", nullable=False),
    timestamp("created_at", nullable=False),
    UniqueConstraint("organization_id", "patient_id", "sequence"),
    ForeignKeyConstraint(
        ["organization_id", "patient_id"],
        ["patients.organization_id", "patients.id"],
        name="fk_patient_versions_patient",
    ),
)
