"""The audit context's own tables (the events and the head rows live in ``tables.py``)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, PrimaryKeyConstraint, Table, Text
from sqlalchemy.dialects.postgresql import UUID

from medcore.adapters.postgres.metadata import metadata

# Signed checkpoints, append-only (a trigger refuses UPDATE, DELETE and TRUNCATE); a copy of
# each is also kept in the blob store.
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("organization_id", UUID(as_uuid=True), ForeignKey("organizations.id"), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("key_id", Text, nullable=False),
    Column("signature", Text, nullable=False),
    PrimaryKeyConstraint("organization_id", "sequence"),
)
