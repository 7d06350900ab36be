"""Ports of the compliance context: legal holds, the retention ledger, and the record
sources through which every other context hands its records to the retention engine (and
to GDPR erasure).

A ``RecordSource`` is bound to one unit of work (``uow.record_sources``): the composition
root (container.py) lists the source factories, the unit of work binds them to its
transaction. A new context plugs in by registering a source there; the engine does not
change."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from returns.result import Result

from medcore.domain.compliance.disposal import RetentionCandidate
from medcore.domain.compliance.holds import LegalHold
from medcore.domain.compliance.retention import Disposal, RecordClass
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class LegalHoldRepository(Protocol):
    async def add(self, hold: LegalHold) -> None: ...

    async def get(self, organization_id: UUID, hold_id: UUID, *, lock: bool = False) -> LegalHold | None: ...

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[LegalHold], DomainError]:
        """Filters: ``active`` (bool), ``scope`` (HoldScope), ``subject_id`` (UUID)."""

    async def active(self, organization_id: UUID) -> Sequence[LegalHold]:
        """Every hold of the organization not yet released."""

    async def save(self, hold: LegalHold) -> bool:
        """Optimistic: False when the stored version is not ``hold.version``."""


class RecordSource(Protocol):
    """One context's records of one class, bound to the current unit of work.

    ``name`` tells sources of the same class apart (sessions and one-time tokens are both
    ``session``); it is written in the ledger and the audit events."""

    @property
    def name(self) -> str: ...

    @property
    def record_class(self) -> RecordClass: ...

    async def candidates(
        self,
        organization_id: UUID,
        *,
        now: datetime,
        patient_id: UUID | None = None,
        created_before: date | None = None,
    ) -> Sequence[RetentionCandidate]:
        """The records that still exist and have ended by ``now`` (sessions and tokens
        expired, appointments past), in a stable order (an anonymised record is still
        listed: the ledger, not the source, says it was disposed of). ``now`` is the
        application's clock, never the database's. ``created_before`` is a pre-filter the
        engine may pass (no record created on or after it can be due); ``patient_id``
        restricts to one patient."""

    async def snapshot(self, organization_id: UUID, record_id: UUID) -> Mapping[str, object] | None:
        """A JSON-ready copy of the record and its parts (for ``archive`` and exports),
        deterministic for the same stored record; None when it is gone."""

    async def dispose(self, organization_id: UUID, record_id: UUID, action: Disposal) -> bool:
        """Apply ``delete`` or ``anonymise`` (``archive`` is snapshot then delete, done by
        the caller) inside the unit of work. False when the record is gone (or, for a
        patient record to delete, still referred to): nothing was done."""


class ArchiveStore(Protocol):
    """Where archived records go before they are deleted (the blob store)."""

    async def put(self, organization_id: UUID, record_class: RecordClass, record_id: UUID, document: bytes) -> str:
        """Store the document (write-once, idempotent for the same bytes); return its key."""


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"


@dataclass(slots=True, kw_only=True)
class RetentionRun:
    """One real run of the engine over one organization. A run that stopped before it
    completed is resumed by the next one: same ``as_of`` day, same decisions."""

    id: UUID
    organization_id: UUID
    as_of: date
    started_at: datetime
    started_by: UUID | None
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    disposed: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class DisposalRecord:
    """A ledger line: this record was disposed of, by this action, in this run."""

    id: UUID
    organization_id: UUID
    run_id: UUID | None  # None: disposed outside a run (GDPR erasure)
    record_class: RecordClass
    source: str
    record_id: UUID
    patient_id: UUID | None
    action: Disposal
    disposed_at: datetime
    archive_key: str | None = None


class RetentionLedger(Protocol):
    """Runs and what they disposed of: the ledger makes runs idempotent (a record in the
    ledger is never disposed of again) and resumable (an unfinished run is picked up)."""

    async def start(self, run: RetentionRun) -> None: ...

    async def unfinished(self, organization_id: UUID) -> RetentionRun | None: ...

    async def finish(self, run: RetentionRun) -> None: ...

    async def record(self, disposal: DisposalRecord) -> None:
        """Add a line; refuses (DomainRefusal ``retention.already_disposed``) a record
        already in the ledger."""

    async def disposed(self, organization_id: UUID, record_class: RecordClass) -> frozenset[UUID]:
        """Ids of this class already disposed of (anonymised records stay in their tables)."""

    async def of_run(self, organization_id: UUID, run_id: UUID) -> Sequence[DisposalRecord]: ...
