"""Reading the audit trail back: queries and exports, a patient's access log, the chain for
verification (streamed through a server-side cursor), and disposal of the oldest events.

Lists page by sequence, which is unique per organization, so the cursor needs no
tie-breaker and every filtered query runs on an index ending in ``sequence``:
``(organization_id, patient_id, sequence)``, ``(organization_id, actor_id, sequence)``,
``(organization_id, resource_id, sequence)``, or the primary key.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from returns.result import Failure, Result, Success
from sqlalchemy import ColumnElement, RowMapping, Select, and_, func, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from medcore.adapters.postgres import tables as t
from medcore.adapters.postgres.listing import INVALID_CURSOR, decode_cursor, encode_cursor
from medcore.domain.audit.chain import StoredEvent
from medcore.domain.audit.checkpoint import ChainHead
from medcore.domain.audit.entry import ActorType, Outcome, RecordedEvent
from medcore.domain.audit.ports import AccessLogEntry, AuditFilter
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page, SortKey

T = TypeVar("T")

_events = t.audit_events

# Verification reads each event with its canonical encoding (version 1) formatted by
# PostgreSQL, so that Python only hashes it: the server formats rows on one core while
# Python hashes on the other. The domain's walk rehashes any event whose encoding as read
# does not give its stored hash with ``encode_v1`` itself, so this formatting can never
# hide a change (a test holds the two encodings together).
_J = "coalesce(to_json({})::text, 'null')"  # text columns: JSON-escaped
_Q = "coalesce('\"' || {}::text || '\"', 'null')"  # uuids and formatted instants hold no character to escape
_INSTANT = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_DETAILS = "canonical.details"  # sorted keys, compact: computed once per row by the lateral join below
_ENCODED = " || ',' || ".join(
    [
        "'[\"medcore.audit/1\"'",
        _Q.format("organization_id"),
        "sequence::text",
        _Q.format("id"),
        _Q.format(_INSTANT.format("occurred_at")),
        _Q.format(_INSTANT.format("created_at")),
        _J.format("actor_type"),
        _Q.format("actor_id"),
        _J.format("actor_role"),
        _J.format("action"),
        _J.format("outcome"),
        _J.format("resource_type"),
        _Q.format("resource_id"),
        _Q.format("patient_id"),
        _J.format("purpose"),
        _J.format("ip_digest"),
        _J.format("user_agent_digest"),
        _J.format("request_id"),
        _DETAILS,
        _J.format("prev_hash") + " || ']'",
    ]
)
_CHAIN_SQL = f"""
SELECT sequence, prev_hash, hash, action, {_ENCODED}, hash_version, ip, user_agent, ip_digest, user_agent_digest
FROM audit_events
CROSS JOIN LATERAL (
    SELECT '{{' || coalesce(string_agg(to_json(d.key)::text || ':' || d.value::text, ',' ORDER BY d.key COLLATE "C"), '')
           || '}}' AS details
    FROM jsonb_each(audit_events.details) d
) canonical
WHERE audit_events.organization_id = %s AND audit_events.sequence > %s
ORDER BY audit_events.sequence
"""  # noqa: S608 - built from constants only
_STREAM_BATCH = 5_000


def _recorded(row: RowMapping) -> RecordedEvent:
    return RecordedEvent(
        organization_id=row["organization_id"],
        sequence=row["sequence"],
        id=row["id"],
        occurred_at=row["occurred_at"],
        action=row["action"],
        outcome=Outcome(row["outcome"]),
        actor_type=ActorType(row["actor_type"]),
        actor_id=row["actor_id"],
        actor_role=row["actor_role"],
        resource_type=row["resource_type"],
        resource_id=row["resource_id"],
        patient_id=row["patient_id"],
        purpose=row["purpose"],
        ip=row["ip"],
        user_agent=row["user_agent"],
        request_id=row["request_id"],
        details=dict(row["details"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _conditions(organization_id: UUID, criteria: AuditFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [_events.c.organization_id == organization_id]
    if criteria.patient_id is not None:
        conditions.append(_events.c.patient_id == criteria.patient_id)
    if criteria.actor_id is not None:
        conditions.append(_events.c.actor_id == criteria.actor_id)
    if criteria.resource_id is not None:
        conditions.append(_events.c.resource_id == criteria.resource_id)
    if criteria.action is not None:
        conditions.append(_events.c.action == criteria.action)
    if criteria.resource_type is not None:
        conditions.append(_events.c.resource_type == criteria.resource_type)
    if criteria.outcome is not None:
        conditions.append(_events.c.outcome == criteria.outcome.value)
    if criteria.occurred_from is not None:
        conditions.append(_events.c.occurred_at >= criteria.occurred_from)
    if criteria.occurred_to is not None:
        conditions.append(_events.c.occurred_at < criteria.occurred_to)
    return conditions


class PgAuditLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def list(
        self, organization_id: UUID, criteria: AuditFilter, query: ListQuery
    ) -> Result[Page[RecordedEvent], DomainError]:
        statement = select(_events).where(*_conditions(organization_id, criteria))
        return await self._page(statement, query, "audit_events", _recorded)

    async def batch_after(
        self, organization_id: UUID, criteria: AuditFilter, after_sequence: int, limit: int
    ) -> Sequence[RecordedEvent]:
        statement = (
            select(_events)
            .where(*_conditions(organization_id, criteria), _events.c.sequence > after_sequence)
            .order_by(_events.c.sequence)
            .limit(limit)
        )
        return [_recorded(r) for r in (await self._connection.execute(statement)).mappings()]

    async def access_log(
        self, organization_id: UUID, patient_id: UUID, query: ListQuery
    ) -> Result[Page[AccessLogEntry], DomainError]:
        users, keys = t.users, t.api_keys
        statement = (
            select(
                _events.c.sequence,
                _events.c.occurred_at,
                _events.c.action,
                _events.c.outcome,
                _events.c.purpose,
                _events.c.resource_type,
                _events.c.resource_id,
                _events.c.actor_type,
                _events.c.actor_id,
                func.coalesce(_events.c.actor_role, users.c.role).label("actor_role"),
                func.coalesce(
                    func.nullif(func.concat_ws(literal(" "), users.c.given_name, users.c.family_name), ""),
                    keys.c.name,
                ).label("actor_name"),
                _events.c.details,
            )
            .select_from(
                _events.outerjoin(
                    users,
                    and_(users.c.id == _events.c.actor_id, users.c.organization_id == _events.c.organization_id),
                ).outerjoin(
                    keys,
                    and_(keys.c.id == _events.c.actor_id, keys.c.organization_id == _events.c.organization_id),
                )
            )
            .where(_events.c.organization_id == organization_id, _events.c.patient_id == patient_id)
        )

        def entry(row: RowMapping) -> AccessLogEntry:
            return AccessLogEntry(
                sequence=row["sequence"],
                occurred_at=row["occurred_at"],
                action=row["action"],
                outcome=Outcome(row["outcome"]),
                purpose=row["purpose"],
                resource_type=row["resource_type"],
                resource_id=row["resource_id"],
                actor_type=ActorType(row["actor_type"]),
                actor_id=row["actor_id"],
                actor_role=row["actor_role"],
                actor_name=row["actor_name"],
                details=dict(row["details"]),
            )

        return await self._page(statement, query, "audit_access_log", entry)

    async def _page(
        self, statement: Select[Any], query: ListQuery, scope: str, to_item: Callable[[RowMapping], T]
    ) -> Result[Page[T], DomainError]:
        key = query.sort[0] if query.sort else SortKey("sequence", descending=True)
        keys = [key]
        column = _events.c.sequence
        if query.cursor:
            values = decode_cursor(query.cursor, keys, [column], scope)
            if values is None or not isinstance(values[0], int) or not 0 <= values[0] < 2**63:
                return Failure(INVALID_CURSOR)  # (a forged cursor out of bigint's range would be a 500)
            statement = statement.where(column < values[0] if key.descending else column > values[0])
        order = column.desc() if key.descending else column.asc()
        rows = (await self._connection.execute(statement.order_by(order).limit(query.limit + 1))).mappings().all()
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        cursor = encode_cursor(keys, [rows[-1]["sequence"]], scope) if more and rows else None
        return Success(Page(items=[to_item(r) for r in rows], limit=query.limit, next_cursor=cursor, total=None))

    async def head(self, organization_id: UUID) -> ChainHead | None:
        heads = t.audit_heads
        row = (
            await self._connection.execute(
                select(heads.c.sequence, heads.c.hash, heads.c.disposed_through, heads.c.disposed_hash).where(
                    heads.c.organization_id == organization_id
                )
            )
        ).one_or_none()
        if row is None:
            return None
        return ChainHead(
            sequence=row.sequence, hash=row.hash, disposed_through=row.disposed_through, disposed_hash=row.disposed_hash
        )

    async def chain(self, organization_id: UUID, after_sequence: int = 0) -> AsyncIterator[StoredEvent]:
        raw = await self._connection.get_raw_connection()
        driver: Any = raw.driver_connection
        async with driver.cursor(name=f"audit_chain_{organization_id.hex}") as cursor:
            await cursor.execute(_CHAIN_SQL, (organization_id, after_sequence))
            rows = await cursor.fetchmany(_STREAM_BATCH)
            while rows:
                # Ask for the next batch before hashing this one: the server formats rows
                # on one core while Python hashes on the other.
                following = asyncio.ensure_future(cursor.fetchmany(_STREAM_BATCH))
                await asyncio.sleep(0)
                try:
                    for row in rows:
                        yield StoredEvent._make(row)
                except BaseException:
                    following.cancel()
                    raise
                rows = await following

    async def organizations(self) -> Sequence[UUID]:
        rows = await self._connection.execute(select(t.audit_heads.c.organization_id).order_by("organization_id"))
        return [r[0] for r in rows]

    async def last_sequence_before(self, organization_id: UUID, instant: datetime) -> int | None:
        row = (
            await self._connection.execute(
                select(_events.c.sequence)
                .where(_events.c.organization_id == organization_id, _events.c.occurred_at < instant)
                .order_by(_events.c.occurred_at.desc())
                .limit(1)
            )
        ).one_or_none()
        return None if row is None else int(row[0])

    async def dispose_through(self, organization_id: UUID, sequence: int) -> str:
        through_hash = (
            await self._connection.execute(
                select(_events.c.hash).where(
                    _events.c.organization_id == organization_id, _events.c.sequence == sequence
                )
            )
        ).scalar_one()
        # The append-only trigger lets a DELETE through only with this transaction-local
        # setting on; it is switched off again at once.
        await self._connection.execute(text("SELECT set_config('medcore.audit_disposal', 'on', true)"))
        try:
            await self._connection.execute(
                _events.delete().where(_events.c.organization_id == organization_id, _events.c.sequence <= sequence)
            )
        finally:
            await self._connection.execute(text("SELECT set_config('medcore.audit_disposal', 'off', true)"))
        await self._connection.execute(
            update(t.audit_heads)
            .where(t.audit_heads.c.organization_id == organization_id)
            .values(disposed_through=sequence, disposed_hash=through_hash)
        )
        return str(through_hash)
