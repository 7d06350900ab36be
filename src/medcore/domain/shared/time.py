"""Helpers for instants: the domain only handles aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime


def require_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: the domain works in aware UTC instants")
    return value.astimezone(UTC)
