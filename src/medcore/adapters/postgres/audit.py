"""The audit trail in Postgres: appending to the hash chain.

Entries recorded during a unit of work are appended when it commits, in the same
transaction: the organization's head row is locked (``SELECT ... FOR UPDATE`` holds its
row lock until COMMIT), which serialises appends per organization, so the chain has no
gaps and no forks; the head gives the last sequence and hash, the new events are hashed
after it, and a single event is inserted with the head's advance in one statement. The lock is held for the shortest time, just
before COMMIT, and organizations never wait for each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb
from sqlalchemy.ext.asyncio import AsyncConnection

from medcore.adapters.postgres import tables as t
from medcore.adapters.security.audit_digests import development_digest_key
from medcore.domain.audit.chain import (
    CHAIN_VERSION,
    GENESIS_HASH,
    ChainFields,
    canonical_id,
    canonical_instant,
    keyed_digest,
    link_hash,
)
from medcore.domain.audit.entry import AuditEntry
from medcore.domain.shared.ports import Clock, IdGenerator

# An append runs on every request that reads or changes patient data: it talks to the
# driver directly (no statement building or compiling on this path; psycopg prepares the
# statements after a few uses). The columns come from the table declaration.
_COLUMNS = [column.name for column in t.audit_events.columns]
_LOCK_HEAD = "SELECT sequence, hash FROM audit_heads WHERE organization_id = %s FOR UPDATE"
_CREATE_HEAD = (
    "INSERT INTO audit_heads (organization_id, sequence, hash, created_at, updated_at, version) "
    "VALUES (%s, 0, %s, %s, %s, 1) ON CONFLICT (organization_id) DO NOTHING"
)
_ADVANCE_HEAD = (
    "UPDATE audit_heads SET sequence = %(head_sequence)s, hash = %(head_hash)s, updated_at = %(head_now)s, "
    "version = version + 1 WHERE organization_id = %(head_organization)s"
)
_INSERT_EVENT = f"INSERT INTO audit_events ({', '.join(_COLUMNS)}) VALUES ({', '.join(f'%({c})s' for c in _COLUMNS)})"  # noqa: S608 - column names from the table declaration
# The usual case, one event: the event and the head's advance in one round trip.
_APPEND_ONE = f"WITH advanced_head AS ({_ADVANCE_HEAD}) {_INSERT_EVENT}"


class PgAuditTrail:
    def __init__(
        self,
        connection: AsyncConnection,
        clock: Clock,
        ids: IdGenerator,
        digest_key: Callable[[], bytes] = development_digest_key,
    ) -> None:
        self._connection = connection
        self._clock = clock
        self._ids = ids
        self._digest_key = digest_key
        self._pending: list[tuple[AuditEntry, datetime]] = []

    async def record(self, entry: AuditEntry) -> None:
        self._pending.append((entry, self._clock.now()))

    async def flush(self) -> None:
        if not self._pending:
            return
        by_organization: dict[UUID, list[tuple[AuditEntry, datetime]]] = defaultdict(list)
        for entry, at in self._pending:
            by_organization[entry.organization_id].append((entry, at))
        self._pending.clear()
        for organization_id in sorted(by_organization):  # a fixed order: no deadlocks between orgs
            await self._append(organization_id, by_organization[organization_id])

    async def _append(self, organization_id: UUID, entries: list[tuple[AuditEntry, datetime]]) -> None:
        now = self._clock.now()
        raw = await self._connection.get_raw_connection()
        driver: Any = raw.driver_connection
        async with driver.cursor() as cursor:
            await cursor.execute(_LOCK_HEAD, (organization_id,))
            head = await cursor.fetchone()
            if head is None:  # the organization's first event: its head row, at the genesis
                await cursor.execute(_CREATE_HEAD, (organization_id, GENESIS_HASH, now, now))
                await cursor.execute(_LOCK_HEAD, (organization_id,))
                head = await cursor.fetchone()
            sequence, prev_hash = head
            rows = []
            for entry, at in entries:
                sequence += 1
                row = self._row(organization_id, sequence, entry, at, now, prev_hash)
                rows.append(row)
                prev_hash = row["hash"]
            advance = {
                "head_organization": organization_id,
                "head_sequence": sequence,
                "head_hash": prev_hash,
                "head_now": now,
            }
            if len(rows) == 1:
                await cursor.execute(_APPEND_ONE, {**rows[0], **advance})
            else:
                await cursor.executemany(_INSERT_EVENT, rows)
                await cursor.execute(_ADVANCE_HEAD, advance)

    def _row(
        self, organization_id: UUID, sequence: int, entry: AuditEntry, at: datetime, now: datetime, prev_hash: str
    ) -> dict[str, Any]:
        key = self._digest_key() if entry.ip is not None or entry.user_agent is not None else b""
        event_id = self._ids.new_id()
        details = dict(entry.details)
        fields = ChainFields(
            organization_id=str(organization_id),
            sequence=sequence,
            id=str(event_id),
            occurred_at=canonical_instant(at),
            created_at=canonical_instant(now),
            actor_type=entry.actor_type.value,
            actor_id=canonical_id(entry.actor_id),
            actor_role=entry.actor_role,
            action=entry.action,
            outcome=entry.outcome.value,
            resource_type=entry.resource_type,
            resource_id=canonical_id(entry.resource_id),
            patient_id=canonical_id(entry.patient_id),
            purpose=entry.purpose,
            ip_digest=keyed_digest(key, entry.ip),
            user_agent_digest=keyed_digest(key, entry.user_agent),
            request_id=entry.request_id,
            details=details,
        )
        return {
            "id": event_id,
            "organization_id": organization_id,
            "sequence": sequence,
            "occurred_at": at,
            "actor_type": fields.actor_type,
            "actor_id": entry.actor_id,
            "actor_role": entry.actor_role,
            "action": entry.action,
            "outcome": fields.outcome,
            "resource_type": entry.resource_type,
            "resource_id": entry.resource_id,
            "patient_id": entry.patient_id,
            "purpose": entry.purpose,
            "ip": entry.ip,
            "user_agent": entry.user_agent,
            "request_id": entry.request_id,
            "details": Jsonb(details),
            "created_at": now,
            "ip_digest": fields.ip_digest,
            "user_agent_digest": fields.user_agent_digest,
            "hash_version": CHAIN_VERSION,
            "prev_hash": prev_hash,
            "hash": link_hash(fields, prev_hash),
        }
