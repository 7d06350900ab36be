"""Readiness of the database: it answers, and its schema is the one this code expects."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from medcore.adapters.postgres.database import Database


class PgReadiness:
    def __init__(
        self,
        database: Database,
        expected_revision: str | None,
        timeout_seconds: float = 2.0,
    ) -> None:
        self._database = database
        self._expected = expected_revision
        self._timeout = timeout_seconds

    async def check(self) -> dict[str, str]:
        try:
            async with asyncio.timeout(self._timeout):
                transaction = await self._database.begin()
                try:
                    connection = transaction.connection
                    # A database never migrated has no version table: reachable, migrations pending.
                    versioned = (await connection.execute(text("SELECT to_regclass('alembic_version')"))).scalar()
                    rows = (
                        (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
                        if versioned is not None
                        else []
                    )
                finally:
                    await transaction.close()
        except (SQLAlchemyError, OSError, TimeoutError):
            return {"database": "unreachable", "migrations": "unknown"}
        current = {row[0] for row in rows}
        migrations = "ok" if self._expected is not None and current == {self._expected} else "pending"
        return {"database": "ok", "migrations": migrations}
