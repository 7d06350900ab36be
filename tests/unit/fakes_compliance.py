"""Fakes of the compliance ports: legal holds, the retention ledger, and a generic record
source over an in-memory table of candidates."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.compliance.disposal import RetentionCandidate
from medcore.domain.compliance.holds import LegalHold
from medcore.domain.compliance.ports import (
    DisposalRecord,
    LegalHoldRepository,
    RecordSource,
    RetentionLedger,
    RetentionRun,
    RunStatus,
)
from medcore.domain.compliance.retention import Disposal, RecordClass
from medcore.domain.shared.errors import DomainError, DomainRefusal, conflict, field_invalid
from medcore.domain.shared.listing import ListQuery, Page


def _page(items: Sequence[Any], query: ListQuery) -> Result[Page[Any], DomainError]:
    start = 0
    if query.cursor is not None:
        if not query.cursor.isdigit():
            return Failure(field_invalid("cursor", "bad cursor", code="pagination.invalid_cursor"))
        start = int(query.cursor)
    chunk = list(items[start : start + query.limit])
    more = start + query.limit < len(items)
    return Success(
        Page(items=chunk, limit=query.limit, next_cursor=str(start + query.limit) if more else None, total=len(items))
    )


class FakeLegalHolds:
    def __init__(self, table: dict[UUID, LegalHold]) -> None:
        self._table = table

    async def add(self, hold: LegalHold) -> None:
        self._table[hold.id] = copy.deepcopy(hold)

    async def get(self, organization_id: UUID, hold_id: UUID, *, lock: bool = False) -> LegalHold | None:
        found = self._table.get(hold_id)
        return copy.deepcopy(found) if found is not None and found.organization_id == organization_id else None

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[LegalHold], DomainError]:
        filters = query.filters
        holds = [
            copy.deepcopy(h)
            for h in sorted(self._table.values(), key=lambda h: (h.placed_at, h.id), reverse=True)
            if h.organization_id == organization_id
            and ("active" not in filters or h.active == filters["active"])
            and ("scope" not in filters or h.scope == filters["scope"])
            and ("subject_id" not in filters or h.subject_id == filters["subject_id"])
        ]
        return _page(holds, query)

    async def active(self, organization_id: UUID) -> Sequence[LegalHold]:
        return [copy.deepcopy(h) for h in self._table.values() if h.organization_id == organization_id and h.active]

    async def save(self, hold: LegalHold) -> bool:
        current = self._table.get(hold.id)
        if current is None or current.version != hold.version:
            return False
        hold.version += 1
        self._table[hold.id] = copy.deepcopy(hold)
        return True


class FakeRetentionLedger:
    def __init__(self, runs: dict[UUID, RetentionRun], disposals: dict[UUID, DisposalRecord]) -> None:
        self._runs = runs
        self._disposals = disposals

    async def start(self, run: RetentionRun) -> None:
        if await self.unfinished(run.organization_id) is not None:
            raise DomainRefusal(conflict("retention.run_in_progress", "A run is in progress."))
        self._runs[run.id] = copy.deepcopy(run)

    async def unfinished(self, organization_id: UUID) -> RetentionRun | None:
        return next(
            (
                copy.deepcopy(r)
                for r in self._runs.values()
                if r.organization_id == organization_id and r.status is RunStatus.RUNNING
            ),
            None,
        )

    async def finish(self, run: RetentionRun) -> None:
        self._runs[run.id] = copy.deepcopy(run)

    async def record(self, disposal: DisposalRecord) -> None:
        if any(
            d.organization_id == disposal.organization_id
            and d.record_class is disposal.record_class
            and d.record_id == disposal.record_id
            for d in self._disposals.values()
        ):
            raise DomainRefusal(conflict("retention.already_disposed", "Already disposed of."))
        self._disposals[disposal.id] = disposal

    async def disposed(self, organization_id: UUID, record_class: RecordClass) -> frozenset[UUID]:
        return frozenset(
            d.record_id
            for d in self._disposals.values()
            if d.organization_id == organization_id and d.record_class is record_class
        )

    async def of_run(self, organization_id: UUID, run_id: UUID) -> Sequence[DisposalRecord]:
        return [d for d in self._disposals.values() if d.organization_id == organization_id and d.run_id == run_id]


@dataclass
class FakeRecord:
    organization_id: UUID
    candidate: RetentionCandidate
    anonymised: bool = False


@dataclass
class FakeRecordTable:
    """One source's records; what was done to them is observable in ``log``."""

    record_class: RecordClass
    records: dict[UUID, FakeRecord] = field(default_factory=dict)
    log: list[tuple[UUID, Disposal]] = field(default_factory=list)


class FakeRecordSource:
    def __init__(self, name: str, table: FakeRecordTable) -> None:
        self._name = name
        self._table = table

    @property
    def name(self) -> str:
        return self._name

    @property
    def record_class(self) -> RecordClass:
        return self._table.record_class

    async def candidates(
        self,
        organization_id: UUID,
        *,
        now: datetime,
        patient_id: UUID | None = None,
        created_before: date | None = None,
    ) -> Sequence[RetentionCandidate]:
        # The fake's records have all ended: ``now`` selects nothing here.
        return [
            r.candidate
            for _, r in sorted(self._table.records.items(), key=lambda item: item[0])
            if r.organization_id == organization_id
            and not r.anonymised
            and (patient_id is None or r.candidate.patient_id == patient_id)
            and (created_before is None or r.candidate.created_on < created_before)
        ]

    async def snapshot(self, organization_id: UUID, record_id: UUID) -> Mapping[str, object] | None:
        record = self._table.records.get(record_id)
        if record is None or record.organization_id != organization_id:
            return None
        return {"id": str(record_id), "created_on": record.candidate.created_on.isoformat()}

    async def dispose(self, organization_id: UUID, record_id: UUID, action: Disposal) -> bool:
        record = self._table.records.get(record_id)
        if record is None or record.organization_id != organization_id or record.anonymised:
            return False
        if action is Disposal.ANONYMISE:
            self._table.records[record_id] = replace(record, anonymised=True)
        else:
            del self._table.records[record_id]
        self._table.log.append((record_id, action))
        return True


class FakeArchive:
    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}

    async def put(self, organization_id: UUID, record_class: RecordClass, record_id: UUID, document: bytes) -> str:
        key = f"retention/{organization_id}/{record_class.value}/{record_id}.json"
        self.documents[key] = document
        return key


_holds: type[LegalHoldRepository] = FakeLegalHolds
_ledger: type[RetentionLedger] = FakeRetentionLedger
_source: type[RecordSource] = FakeRecordSource
