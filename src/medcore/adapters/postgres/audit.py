"""The audit trail in Postgres.

Entries recorded during a unit of work are appended when it commits, in the same
transaction: the head row of the organization's trail is locked and advanced, which
serialises appends per organization (no gaps, no forks) while keeping the lock for the
shortest time, just before COMMIT.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from medcore.adapters.postgres import tables as t
from medcore.domain.audit.entry import AuditEntry
from medcore.domain.shared.ports import Clock, IdGenerator


class PgAuditTrail:
    def __init__(self, connection: AsyncConnection, clock: Clock, ids: IdGenerator) -> None:
        self._connection = connection
        self._clock = clock
        self._ids = ids
        self._pending: list[tuple[AuditEntry, Any]] = []

    async def record(self, entry: AuditEntry) -> None:
        self._pending.append((entry, self._clock.now()))

    async def flush(self) -> None:
        if not self._pending:
            return
        by_organization: dict[UUID, list[tuple[AuditEntry, Any]]] = defaultdict(list)
        for entry, at in self._pending:
            by_organization[entry.organization_id].append((entry, at))
        self._pending.clear()
        for organization_id in sorted(by_organization):  # a fixed order: no deadlocks between orgs
            entries = by_organization[organization_id]
            now = self._clock.now()
            advance = insert(t.audit_heads).values(
                organization_id=organization_id,
                sequence=len(entries),
                created_at=now,
                updated_at=now,
                version=1,
            )
            head = advance.on_conflict_do_update(
                index_elements=[t.audit_heads.c.organization_id],
                set_={
                    "sequence": t.audit_heads.c.sequence + len(entries),
                    "updated_at": now,
                    "version": t.audit_heads.c.version + 1,
                },
            ).returning(t.audit_heads.c.sequence)
            last = (await self._connection.execute(head)).scalar_one()
            first = last - len(entries) + 1
            await self._connection.execute(
                t.audit_events.insert(),
                [
                    {
                        "id": self._ids.new_id(),
                        "organization_id": organization_id,
                        "sequence": first + offset,
                        "occurred_at": at,
                        "actor_type": entry.actor_type.value,
                        "actor_id": entry.actor_id,
                        "action": entry.action,
                        "outcome": entry.outcome.value,
                        "resource_type": entry.resource_type,
                        "resource_id": entry.resource_id,
                        "patient_id": entry.patient_id,
                        "purpose": entry.purpose,
                        "ip": entry.ip,
                        "user_agent": entry.user_agent,
                        "request_id": entry.request_id,
                        "details": dict(entry.details),
                        "created_at": now,
                    }
                    for offset, (entry, at) in enumerate(entries)
                ],
            )
