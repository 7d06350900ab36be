"""The audit port. Callers hand over entries; the trail decides how they are ordered,
numbered and protected (see the compliance context for the hash chain)."""

from __future__ import annotations

from typing import Protocol

from medcore.domain.audit.entry import AuditEntry


class AuditTrail(Protocol):
    async def record(self, entry: AuditEntry) -> None:
        """Add an event to the current unit of work: it is written in the same transaction
        as the change it describes, and is lost with it on rollback."""
