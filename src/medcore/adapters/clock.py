"""The real clock and id generator."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import uuid6


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Uuid7Ids:
    def new_id(self) -> UUID:
        return uuid6.uuid7()
