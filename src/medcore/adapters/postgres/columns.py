"""Columns every table declares the same way: the tenant, timestamps and the version used for
optimistic concurrency."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Integer
from sqlalchemy.dialects.postgresql import UUID


def timestamp(name: str, nullable: bool = True) -> Column[Any]:
    """An instant (``timestamptz``)."""
    return Column(name, DateTime(timezone=True), nullable=nullable)


def mutable() -> list[Column[Any]]:
    """``created_at``, ``updated_at`` and ``version`` (1 on insert, +1 on each update)."""
    return [
        timestamp("created_at", nullable=False),
        timestamp("updated_at", nullable=False),
        Column("version", Integer, nullable=False, server_default="1"),
    ]


def organization() -> Column[Any]:
    """``organization_id``: the tenant, on every table but ``organizations``."""
    return Column("organization_id", UUID(as_uuid=True), ForeignKey("organizations.id"), nullable=False)
