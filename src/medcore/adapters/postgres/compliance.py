"""Postgres repositories of the compliance context: legal holds and the retention ledger."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from returns.result import Result
from sqlalchemy import RowMapping, select

from medcore.adapters.postgres import compliance_tables as ct
from medcore.adapters.postgres.base import Repository, refuse_on
from medcore.adapters.postgres.listing import keyset_page
from medcore.domain.compliance.holds import HoldScope, LegalHold
from medcore.domain.compliance.ports import DisposalRecord, RetentionRun, RunStatus
from medcore.domain.compliance.retention import Disposal, RecordClass
from medcore.domain.shared.errors import DomainError, conflict
from medcore.domain.shared.listing import ListQuery, Page, SortKey

ALREADY_DISPOSED = conflict("retention.already_disposed", "This record was already disposed of.")
RUN_IN_PROGRESS = conflict("retention.run_in_progress", "A retention run of this organization is in progress.")
refuse_on("uq_retention_disposals_organization_id_record_class_record_id", ALREADY_DISPOSED)
refuse_on("uq_retention_runs_running", RUN_IN_PROGRESS)


# --- legal holds ------------------------------------------------------------------------


def _hold(row: RowMapping) -> LegalHold:
    return LegalHold(
        id=row["id"],
        organization_id=row["organization_id"],
        scope=HoldScope(row["scope"]),
        subject_id=row["subject_id"],
        reason=row["reason"],
        placed_by=row["placed_by"],
        placed_at=row["placed_at"],
        released_by=row["released_by"],
        released_at=row["released_at"],
        release_note=row["release_note"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _hold_values(hold: LegalHold) -> dict[str, Any]:
    return {
        "scope": hold.scope.value,
        "subject_id": hold.subject_id,
        "reason": hold.reason,
        "placed_by": hold.placed_by,
        "placed_at": hold.placed_at,
        "released_by": hold.released_by,
        "released_at": hold.released_at,
        "release_note": hold.release_note,
        "updated_at": hold.updated_at,
    }


class PgLegalHolds(Repository):
    async def add(self, hold: LegalHold) -> None:
        await self._execute(
            ct.legal_holds.insert().values(
                id=hold.id,
                organization_id=hold.organization_id,
                created_at=hold.created_at,
                version=hold.version,
                **_hold_values(hold),
            )
        )

    async def get(self, organization_id: UUID, hold_id: UUID, *, lock: bool = False) -> LegalHold | None:
        statement = select(ct.legal_holds).where(
            ct.legal_holds.c.organization_id == organization_id, ct.legal_holds.c.id == hold_id
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _hold(row) if row else None

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[LegalHold], DomainError]:
        table = ct.legal_holds
        base = select(table).where(table.c.organization_id == organization_id)
        if "active" in query.filters:
            base = base.where(
                table.c.released_at.is_(None) if query.filters["active"] else table.c.released_at.isnot(None)
            )
        if "scope" in query.filters:
            base = base.where(table.c.scope == str(query.filters["scope"]))
        if "subject_id" in query.filters:
            base = base.where(table.c.subject_id == query.filters["subject_id"])
        sortable = {"placed_at": table.c.placed_at}
        return await keyset_page(
            self._connection, base, query, sortable, table.c.id, _hold, default_sort=SortKey("placed_at", True)
        )

    async def active(self, organization_id: UUID) -> Sequence[LegalHold]:
        table = ct.legal_holds
        rows = (
            await self._execute(
                select(table)
                .where(table.c.organization_id == organization_id, table.c.released_at.is_(None))
                .order_by(table.c.placed_at, table.c.id)
            )
        ).mappings()
        return [_hold(r) for r in rows]

    async def save(self, hold: LegalHold) -> bool:
        saved = await self._update_versioned(
            ct.legal_holds, hold.id, hold.organization_id, hold.version, _hold_values(hold)
        )
        if saved:
            hold.version += 1
        return saved


# --- the retention ledger ---------------------------------------------------------------


def _run(row: RowMapping) -> RetentionRun:
    return RetentionRun(
        id=row["id"],
        organization_id=row["organization_id"],
        as_of=row["as_of"],
        started_at=row["started_at"],
        started_by=row["started_by"],
        status=RunStatus(row["status"]),
        finished_at=row["finished_at"],
        disposed=row["disposed"],
    )


def _disposal(row: RowMapping) -> DisposalRecord:
    return DisposalRecord(
        id=row["id"],
        organization_id=row["organization_id"],
        run_id=row["run_id"],
        record_class=RecordClass(row["record_class"]),
        source=row["source"],
        record_id=row["record_id"],
        patient_id=row["patient_id"],
        action=Disposal(row["action"]),
        disposed_at=row["disposed_at"],
        archive_key=row["archive_key"],
    )


class PgRetentionLedger(Repository):
    async def start(self, run: RetentionRun) -> None:
        await self._execute(
            ct.retention_runs.insert().values(
                id=run.id,
                organization_id=run.organization_id,
                as_of=run.as_of,
                status=run.status.value,
                started_at=run.started_at,
                started_by=run.started_by,
                finished_at=run.finished_at,
                disposed=run.disposed,
            )
        )

    async def unfinished(self, organization_id: UUID) -> RetentionRun | None:
        table = ct.retention_runs
        row = (
            (
                await self._execute(
                    select(table).where(
                        table.c.organization_id == organization_id, table.c.status == RunStatus.RUNNING.value
                    )
                )
            )
            .mappings()
            .first()
        )
        return _run(row) if row else None

    async def finish(self, run: RetentionRun) -> None:
        table = ct.retention_runs
        await self._execute(
            table.update()
            .where(table.c.id == run.id, table.c.organization_id == run.organization_id)
            .values(status=run.status.value, finished_at=run.finished_at, disposed=run.disposed)
        )

    async def record(self, disposal: DisposalRecord) -> None:
        await self._execute(
            ct.retention_disposals.insert().values(
                id=disposal.id,
                organization_id=disposal.organization_id,
                run_id=disposal.run_id,
                record_class=disposal.record_class.value,
                source=disposal.source,
                record_id=disposal.record_id,
                patient_id=disposal.patient_id,
                action=disposal.action.value,
                disposed_at=disposal.disposed_at,
                archive_key=disposal.archive_key,
            )
        )

    async def disposed(self, organization_id: UUID, record_class: RecordClass) -> frozenset[UUID]:
        table = ct.retention_disposals
        rows = await self._execute(
            select(table.c.record_id).where(
                table.c.organization_id == organization_id, table.c.record_class == record_class.value
            )
        )
        return frozenset(rows.scalars())

    async def of_run(self, organization_id: UUID, run_id: UUID) -> Sequence[DisposalRecord]:
        table = ct.retention_disposals
        rows = (
            await self._execute(
                select(table)
                .where(table.c.organization_id == organization_id, table.c.run_id == run_id)
                .order_by(table.c.disposed_at, table.c.id)
            )
        ).mappings()
        return [_disposal(r) for r in rows]
