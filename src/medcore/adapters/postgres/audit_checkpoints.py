"""The database copies of the signed audit checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncConnection

from medcore.adapters.postgres.audit_tables import audit_checkpoints as table
from medcore.adapters.postgres.base import Repository
from medcore.domain.audit.checkpoint import Checkpoint


def _checkpoint(row: RowMapping) -> Checkpoint:
    return Checkpoint(
        organization_id=row["organization_id"],
        sequence=row["sequence"],
        hash=row["hash"],
        created_at=row["created_at"],
        key_id=row["key_id"],
        signature=row["signature"],
    )


class PgAuditCheckpoints(Repository):
    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__(connection)

    async def add(self, checkpoint: Checkpoint) -> None:
        await self._execute(
            table.insert().values(
                organization_id=checkpoint.organization_id,
                sequence=checkpoint.sequence,
                hash=checkpoint.hash,
                created_at=checkpoint.created_at,
                key_id=checkpoint.key_id,
                signature=checkpoint.signature,
            )
        )

    async def list(self, organization_id: UUID) -> Sequence[Checkpoint]:
        rows = await self._execute(
            select(table).where(table.c.organization_id == organization_id).order_by(table.c.sequence)
        )
        return [_checkpoint(r) for r in rows.mappings()]

    async def latest(self, organization_id: UUID) -> Checkpoint | None:
        row = (
            (
                await self._execute(
                    select(table)
                    .where(table.c.organization_id == organization_id)
                    .order_by(table.c.sequence.desc())
                    .limit(1)
                )
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else _checkpoint(row)
