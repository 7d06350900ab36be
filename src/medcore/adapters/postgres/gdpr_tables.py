"""Tables of the GDPR context: the patients' data exports and the erasures done."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Table, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID

from medcore.adapters.postgres.columns import organization, timestamp
from medcore.adapters.postgres.metadata import metadata

# One row per export asked for; the archive itself lives in the blob store under an opaque
# key (ids only). No patient data here: sizes, digests and who asked.
gdpr_exports = Table(
    "gdpr_exports",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("patient_id", UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False),
    Column("status", Text, nullable=False),  # ready | failed
    Column("requested_by_type", Text, nullable=False),
    Column("requested_by", UUID(as_uuid=True)),
    Column("blob_key", Text),
    Column("size_bytes", BigInteger),
    Column("sha256", Text),
    Column("members", Integer, nullable=False, server_default="0"),
    timestamp("expires_at", False),
    timestamp("created_at", False),
    timestamp("updated_at", False),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_gdpr_exports_organization_id_patient_id_created_at", "organization_id", "patient_id", "created_at"),
)

# One row per real erasure: the counts per record class and outcome, and the bases of what
# was kept (codes, periods, hold ids: never erased values).
gdpr_erasures = Table(
    "gdpr_erasures",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("patient_id", UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False),
    Column("requested_by_type", Text, nullable=False),
    Column("requested_by", UUID(as_uuid=True)),
    Column("summary", JSONB, nullable=False),
    timestamp("created_at", False),
    Index("ix_gdpr_erasures_organization_id_patient_id", "organization_id", "patient_id"),
)
