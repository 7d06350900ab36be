"""Ports every context uses: time and identifiers."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID


class Clock(Protocol):
    """The current instant, always timezone-aware UTC."""

    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    """New identifiers: UUIDv7, so that ids sort by creation time."""

    def new_id(self) -> UUID: ...
