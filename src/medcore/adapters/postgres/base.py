"""What every repository shares: statement execution that turns the database's refusals
into domain errors, and optimistic-concurrency updates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from medcore.domain.shared.errors import DomainError, DomainRefusal, conflict

# Constraint name -> the error to answer when a race slips past the domain's own check.
# Contexts register theirs with `refuse_on`.
_REFUSALS: dict[str, DomainError] = {}


def refuse_on(constraint: str, error: DomainError) -> None:
    _REFUSALS[constraint] = error


def _constraint_name(error: IntegrityError) -> str | None:
    diag = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None)


class Repository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        try:
            return await self._connection.execute(statement, parameters)
        except IntegrityError as exc:
            name = _constraint_name(exc)
            if name in _REFUSALS:
                raise DomainRefusal(_REFUSALS[name]) from exc
            if getattr(exc.orig, "sqlstate", None) == "23505":
                raise DomainRefusal(conflict("conflict.duplicate", "This already exists.")) from exc
            raise

    async def _update_versioned(
        self,
        table: Table,
        entity_id: object,
        organization_id: object | None,
        expected_version: int,
        values: Mapping[str, object],
    ) -> bool:
        """UPDATE ... WHERE version = expected; True when the row was ours to change."""
        condition = (table.c.id == entity_id) & (table.c.version == expected_version)
        if organization_id is not None:
            condition &= table.c.organization_id == organization_id
        result = await self._execute(table.update().where(condition).values(**values, version=table.c.version + 1))
        return result.rowcount == 1
