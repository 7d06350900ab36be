"""Idempotency records in Postgres (kept 24 hours)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert

from medcore.adapters.postgres import tables as t
from medcore.adapters.postgres.database import Database
from medcore.application.platform.idempotency import (
    KEY_LIFETIME,
    IdempotencyRecord,
    StoredResponse,
)

ABANDONED_AFTER = timedelta(minutes=1)  # an unfinished claim older than this was abandoned


def _where(organization_id: UUID, principal: str, key: str):  # type: ignore[no-untyped-def]
    return (
        (t.idempotency_keys.c.organization_id == organization_id)
        & (t.idempotency_keys.c.principal == principal)
        & (t.idempotency_keys.c.key == key)
    )


class PgIdempotencyStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def claim(
        self,
        organization_id: UUID,
        principal: str,
        key: str,
        fingerprint: str,
        now: datetime,
    ) -> IdempotencyRecord | None:
        transaction = await self._database.begin()
        try:
            connection = transaction.connection
            await connection.execute(
                # Expired keys are gone; a claim whose request never finished (a killed process)
                # is abandoned after a minute rather than blocking the key for a day.
                delete(t.idempotency_keys).where(
                    _where(organization_id, principal, key),
                    (t.idempotency_keys.c.expires_at <= now)
                    | (
                        (t.idempotency_keys.c.status == "in_progress")
                        & (t.idempotency_keys.c.updated_at <= now - ABANDONED_AFTER)
                    ),
                )
            )
            inserted = await connection.execute(
                insert(t.idempotency_keys)
                .values(
                    organization_id=organization_id,
                    principal=principal,
                    key=key,
                    fingerprint=fingerprint,
                    status="in_progress",
                    expires_at=now + KEY_LIFETIME,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                .on_conflict_do_nothing()
                .returning(t.idempotency_keys.c.key)
            )
            if inserted.first() is not None:
                await transaction.commit()
                return None
            row = (
                (await connection.execute(select(t.idempotency_keys).where(_where(organization_id, principal, key))))
                .mappings()
                .one()
            )
            await transaction.commit()
        finally:
            await transaction.close()
        response = None
        if row["status"] == "completed":
            response = StoredResponse(
                status=row["response_status"],
                headers=tuple((name, value) for name, value in row["response_headers"]),
                body=bytes(row["response_body"]),
            )
        return IdempotencyRecord(fingerprint=row["fingerprint"], response=response)

    async def complete(
        self,
        organization_id: UUID,
        principal: str,
        key: str,
        response: StoredResponse,
        now: datetime,
    ) -> None:
        transaction = await self._database.begin()
        try:
            await transaction.connection.execute(
                update(t.idempotency_keys)
                .where(_where(organization_id, principal, key))
                .values(
                    status="completed",
                    response_status=response.status,
                    response_headers=[list(h) for h in response.headers],
                    response_body=response.body,
                    updated_at=now,
                    version=t.idempotency_keys.c.version + 1,
                )
            )
            await transaction.commit()
        finally:
            await transaction.close()

    async def release(self, organization_id: UUID, principal: str, key: str) -> None:
        transaction = await self._database.begin()
        try:
            await transaction.connection.execute(
                delete(t.idempotency_keys).where(_where(organization_id, principal, key))
            )
            await transaction.commit()
        finally:
            await transaction.close()

    async def purge_expired(self, now: datetime) -> int:
        transaction = await self._database.begin()
        try:
            result = await transaction.connection.execute(
                delete(t.idempotency_keys).where(t.idempotency_keys.c.expires_at <= now)
            )
            await transaction.commit()
            return int(result.rowcount)
        finally:
            await transaction.close()
