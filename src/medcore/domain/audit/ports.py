"""The audit ports. Callers hand entries to ``AuditTrail``; the trail decides how they are
ordered, numbered and protected (the hash chain of ``chain.py``). The other ports read the
trail back: queries, the access log of a patient's record, the chain for verification,
and the signed checkpoints with their two copies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from returns.result import Result

from medcore.domain.audit.chain import StoredEvent
from medcore.domain.audit.checkpoint import ChainHead, Checkpoint
from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome, RecordedEvent
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class AuditTrail(Protocol):
    async def record(self, entry: AuditEntry) -> None:
        """Add an event to the current unit of work: it is written in the same transaction
        as the change it describes, and is lost with it on rollback."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    """Which events a query or an export selects (every given criterion must hold)."""

    patient_id: UUID | None = None
    actor_id: UUID | None = None
    action: str | None = None
    resource_type: str | None = None
    resource_id: UUID | None = None
    outcome: Outcome | None = None
    occurred_from: datetime | None = None  # inclusive
    occurred_to: datetime | None = None  # exclusive


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessLogEntry:
    """One access to a patient's record, with who made it as the organization knows them."""

    sequence: int
    occurred_at: datetime
    action: str
    outcome: Outcome
    purpose: str | None
    resource_type: str | None
    resource_id: UUID | None
    actor_type: ActorType
    actor_id: UUID | None
    actor_role: str | None  # at the time of the access (the account's current role for older events)
    actor_name: str | None  # a user's display name, an API key's name
    details: Mapping[str, str | int | bool | None]


class AuditLog(Protocol):
    """Reading the trail back, always within one organization."""

    async def list(
        self, organization_id: UUID, criteria: AuditFilter, query: ListQuery
    ) -> Result[Page[RecordedEvent], DomainError]:
        """Newest first by default (``sort=sequence`` for oldest first); cursor pagination
        by sequence; no total (counting tens of millions of rows is not worth it)."""

    async def batch_after(
        self, organization_id: UUID, criteria: AuditFilter, after_sequence: int, limit: int
    ) -> Sequence[RecordedEvent]:
        """The next ``limit`` matching events after ``after_sequence``, oldest first (exports)."""

    async def access_log(
        self, organization_id: UUID, patient_id: UUID, query: ListQuery
    ) -> Result[Page[AccessLogEntry], DomainError]:
        """Events about one patient's record, newest first."""

    async def head(self, organization_id: UUID) -> ChainHead | None:
        """The head row: last sequence and hash, and where the chain starts after disposals."""

    def chain(self, organization_id: UUID, after_sequence: int = 0) -> AsyncIterator[StoredEvent]:
        """Every event after ``after_sequence`` in sequence order, streamed (a server-side
        cursor: a million events never sit in memory at once)."""

    async def organizations(self) -> Sequence[UUID]:
        """Organizations that have a trail."""

    async def last_sequence_before(self, organization_id: UUID, instant: datetime) -> int | None:
        """The newest event that occurred before ``instant`` (for disposal by age)."""

    async def dispose_through(self, organization_id: UUID, sequence: int) -> str:
        """Delete events 1..``sequence`` (the only deletion the database allows, and only
        through this path); the head remembers where the chain now starts. Returns the
        hash of event ``sequence``, which the first remaining event links to."""


class CheckpointRepository(Protocol):
    """The database copies of the signed checkpoints (append-only)."""

    async def add(self, checkpoint: Checkpoint) -> None: ...

    async def list(self, organization_id: UUID) -> Sequence[Checkpoint]: ...

    async def latest(self, organization_id: UUID) -> Checkpoint | None: ...


class CheckpointArchive(Protocol):
    """The copies kept outside the database (the blob store), as small signed documents."""

    async def put(self, checkpoint: Checkpoint) -> None: ...

    async def list(self, organization_id: UUID) -> Sequence[Checkpoint]: ...


class CheckpointSigner(Protocol):
    """Signs checkpoints, and checks signatures against the trusted public keys."""

    @property
    def key_id(self) -> str: ...

    def sign(self, payload: bytes) -> str:
        """A base64 signature."""

    def verify(self, payload: bytes, signature: str, key_id: str) -> bool:
        """True when a trusted key named ``key_id`` made ``signature`` over ``payload``."""
