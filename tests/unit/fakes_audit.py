"""In-memory fakes of the audit ports: the trail read back (numbered and chained on the fly
from the committed entries, with the domain's own encoding), the checkpoints' two copies,
and a signer. Disposal is applied at once (the fake has no transaction for it)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.audit.chain import (
    GENESIS_HASH,
    ChainFields,
    StoredEvent,
    canonical_id,
    canonical_instant,
    stored_event,
)
from medcore.domain.audit.checkpoint import ChainHead, Checkpoint
from medcore.domain.audit.entry import AuditEntry, RecordedEvent
from medcore.domain.audit.ports import AccessLogEntry, AuditFilter
from medcore.domain.shared.blobs import BlobExists
from medcore.domain.shared.errors import DomainError, DomainRefusal, conflict, field_invalid
from medcore.domain.shared.listing import ListQuery, Page

if TYPE_CHECKING:
    from tests.unit.fakes import Store

EPOCH = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _chained(organization_id: UUID, entries: Sequence[AuditEntry]) -> list[tuple[RecordedEvent, StoredEvent]]:
    out = []
    prev = GENESIS_HASH
    for number, entry in enumerate(entries, start=1):
        at = EPOCH + timedelta(seconds=number)
        event_id = UUID(int=number)
        fields = ChainFields(
            organization_id=str(organization_id),
            sequence=number,
            id=str(event_id),
            occurred_at=canonical_instant(at),
            created_at=canonical_instant(at),
            actor_type=entry.actor_type.value,
            actor_id=canonical_id(entry.actor_id),
            actor_role=entry.actor_role,
            action=entry.action,
            outcome=entry.outcome.value,
            resource_type=entry.resource_type,
            resource_id=canonical_id(entry.resource_id),
            patient_id=canonical_id(entry.patient_id),
            purpose=entry.purpose,
            ip_digest=None,
            user_agent_digest=None,
            request_id=entry.request_id,
            details=dict(entry.details),
        )
        stored = stored_event(fields, prev)
        recorded = RecordedEvent(
            organization_id=organization_id,
            sequence=number,
            id=event_id,
            occurred_at=at,
            action=entry.action,
            outcome=entry.outcome,
            actor_type=entry.actor_type,
            actor_id=entry.actor_id,
            actor_role=entry.actor_role,
            resource_type=entry.resource_type,
            resource_id=entry.resource_id,
            patient_id=entry.patient_id,
            purpose=entry.purpose,
            ip=entry.ip,
            user_agent=entry.user_agent,
            request_id=entry.request_id,
            details=dict(entry.details),
            prev_hash=prev,
            hash=stored.hash,
        )
        out.append((recorded, stored))
        prev = stored.hash
    return out


def _matches(event: RecordedEvent, criteria: AuditFilter) -> bool:
    return all(
        wanted is None or wanted == actual
        for wanted, actual in (
            (criteria.patient_id, event.patient_id),
            (criteria.actor_id, event.actor_id),
            (criteria.resource_id, event.resource_id),
            (criteria.action, event.action),
            (criteria.resource_type, event.resource_type),
            (criteria.outcome, event.outcome),
        )
    ) and (
        (criteria.occurred_from is None or event.occurred_at >= criteria.occurred_from)
        and (criteria.occurred_to is None or event.occurred_at < criteria.occurred_to)
    )


class FakeAuditLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    def _events(self, organization_id: UUID) -> list[tuple[RecordedEvent, StoredEvent]]:
        entries = [e for e in self._store.audit if e.organization_id == organization_id]
        disposed = self._store.audit_disposed.get(organization_id, 0)
        return [pair for pair in _chained(organization_id, entries) if pair[0].sequence > disposed]

    def _paged(self, items: list[RecordedEvent], query: ListQuery) -> Result[Page[RecordedEvent], DomainError]:
        descending = not query.sort or query.sort[0].descending
        ordered = sorted(items, key=lambda e: e.sequence, reverse=descending)
        if query.cursor is not None:
            if not query.cursor.isdigit():
                return Failure(field_invalid("cursor", "bad cursor", code="pagination.invalid_cursor"))
            after = int(query.cursor)
            ordered = [e for e in ordered if (e.sequence < after if descending else e.sequence > after)]
        chunk = ordered[: query.limit]
        more = len(ordered) > query.limit
        return Success(Page(chunk, query.limit, str(chunk[-1].sequence) if more and chunk else None, None))

    async def list(
        self, organization_id: UUID, criteria: AuditFilter, query: ListQuery
    ) -> Result[Page[RecordedEvent], DomainError]:
        return self._paged([r for r, _ in self._events(organization_id) if _matches(r, criteria)], query)

    async def batch_after(
        self, organization_id: UUID, criteria: AuditFilter, after_sequence: int, limit: int
    ) -> Sequence[RecordedEvent]:
        found = [r for r, _ in self._events(organization_id) if r.sequence > after_sequence and _matches(r, criteria)]
        return found[:limit]

    async def access_log(
        self, organization_id: UUID, patient_id: UUID, query: ListQuery
    ) -> Result[Page[AccessLogEntry], DomainError]:
        listed = self._paged([r for r, _ in self._events(organization_id) if r.patient_id == patient_id], query)
        if isinstance(listed, Failure):
            return listed
        page = listed.unwrap()
        entries = []
        for event in page.items:
            user = self._store.users.get(event.actor_id) if event.actor_id else None
            entries.append(
                AccessLogEntry(
                    sequence=event.sequence,
                    occurred_at=event.occurred_at,
                    action=event.action,
                    outcome=event.outcome,
                    purpose=event.purpose,
                    resource_type=event.resource_type,
                    resource_id=event.resource_id,
                    actor_type=event.actor_type,
                    actor_id=event.actor_id,
                    actor_role=event.actor_role or (user.role.value if user else None),
                    actor_name=user.display_name if user else None,
                    details=event.details,
                )
            )
        return Success(Page(entries, page.limit, page.next_cursor, None))

    async def head(self, organization_id: UUID) -> ChainHead | None:
        events = self._events(organization_id)
        all_events = _chained(organization_id, [e for e in self._store.audit if e.organization_id == organization_id])
        if not all_events:
            return None
        disposed = self._store.audit_disposed.get(organization_id, 0)
        last = all_events[-1][1]
        disposed_hash = all_events[disposed - 1][1].hash if disposed else None
        assert events or disposed
        return ChainHead(last.sequence, last.hash, disposed, disposed_hash)

    async def chain(self, organization_id: UUID, after_sequence: int = 0) -> AsyncIterator[StoredEvent]:
        for _, stored in self._events(organization_id):
            if stored.sequence > after_sequence:
                yield stored

    async def organizations(self) -> Sequence[UUID]:
        return sorted({e.organization_id for e in self._store.audit})

    async def last_sequence_before(self, organization_id: UUID, instant: datetime) -> int | None:
        before = [r.sequence for r, _ in self._events(organization_id) if r.occurred_at < instant]
        return max(before) if before else None

    async def dispose_through(self, organization_id: UUID, sequence: int) -> str:
        everything = _chained(organization_id, [e for e in self._store.audit if e.organization_id == organization_id])
        self._store.audit_disposed[organization_id] = sequence
        return everything[sequence - 1][1].hash


class FakeCheckpoints:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(self, checkpoint: Checkpoint) -> None:
        if any(
            c.organization_id == checkpoint.organization_id and c.sequence == checkpoint.sequence
            for c in self._store.audit_checkpoints
        ):
            raise DomainRefusal(conflict("conflict.duplicate", "This already exists."))
        self._store.audit_checkpoints.append(checkpoint)

    async def list(self, organization_id: UUID) -> Sequence[Checkpoint]:
        return sorted(
            (c for c in self._store.audit_checkpoints if c.organization_id == organization_id), key=lambda c: c.sequence
        )

    async def latest(self, organization_id: UUID) -> Checkpoint | None:
        found = await self.list(organization_id)
        return found[-1] if found else None


class FakeArchive:
    """The blob-store copies, write-once like the real store."""

    def __init__(self) -> None:
        self.kept: dict[tuple[UUID, int], Checkpoint] = {}

    async def put(self, checkpoint: Checkpoint) -> None:
        key = (checkpoint.organization_id, checkpoint.sequence)
        if key in self.kept and not self.kept[key].same_as(checkpoint):
            raise BlobExists(str(key))
        self.kept[key] = checkpoint

    async def list(self, organization_id: UUID) -> Sequence[Checkpoint]:
        return [c for (o, _), c in sorted(self.kept.items(), key=lambda kv: kv[0][1]) if o == organization_id]


class FakeCheckpointSigner:
    """A keyed digest stands in for Ed25519: only this key's signatures verify."""

    def __init__(self, key: str = "key-1") -> None:
        self._key = key

    @property
    def key_id(self) -> str:
        return self._key

    def sign(self, payload: bytes) -> str:
        return hashlib.sha256(self._key.encode() + payload).hexdigest()

    def verify(self, payload: bytes, signature: str, key_id: str) -> bool:
        return key_id == self._key and signature == self.sign(payload)
