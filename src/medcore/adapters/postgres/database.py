"""Transactions on a connection: from the pool in production, or as savepoints on one shared
connection (tests roll each test back without touching what the others see)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction


class Transaction(Protocol):
    connection: AsyncConnection

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    async def close(self) -> None:
        """Roll back if neither committed nor rolled back, and give the connection back."""


class Database(Protocol):
    async def begin(self) -> Transaction: ...


class _PooledTransaction:
    def __init__(self, connection: AsyncConnection, transaction: AsyncTransaction) -> None:
        self.connection = connection
        self._transaction = transaction

    async def commit(self) -> None:
        await self._transaction.commit()

    async def rollback(self) -> None:
        await self._transaction.rollback()

    async def close(self) -> None:
        try:
            if self._transaction.is_active:
                await self._transaction.rollback()
        finally:
            await self.connection.close()


class EngineDatabase:
    """One pooled connection and transaction per unit of work."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def begin(self) -> Transaction:
        connection = await self.engine.connect()
        try:
            transaction = await connection.begin()
        except BaseException:
            await connection.close()
            raise
        return _PooledTransaction(connection, transaction)


class _SavepointTransaction:
    def __init__(self, connection: AsyncConnection, savepoint: AsyncTransaction) -> None:
        self.connection = connection
        self._savepoint = savepoint

    async def commit(self) -> None:
        await self._savepoint.commit()

    async def rollback(self) -> None:
        await self._savepoint.rollback()

    async def close(self) -> None:
        if self._savepoint.is_active:
            await self._savepoint.rollback()


class SavepointDatabase:
    """Units of work as savepoints inside an outer transaction on one connection. Whatever
    they commit is visible on that connection only, and disappears when the outer
    transaction is rolled back."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def begin(self) -> Transaction:
        return _SavepointTransaction(self.connection, await self.connection.begin_nested())
