"""The store on PostgreSQL: the same records as on SQLite, several nodes sharing them.

Every statement and every transaction's logic is the SQLite store's own (its mixins),
read through `sql.translate`; what differs is underneath. Writes still go through one
`Writer` per node (group commit, a savepoint per job), on a psycopg connection; reads go
through a small pool, each in its own transaction. Between nodes, PostgreSQL's row locks
decide: a part is marked sending only while still queued, so two nodes cannot both send
it; a transaction that loses a deadlock to another node's is run again.

The event log's cursor must grow in commit order, or a reader that has seen cursor 7
would never see a 6 committed after it: so a transaction that writes an event first
takes a transaction-wide advisory lock, and event writers commit one after another.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from ..store import Store
from ..writer import Writer
from .connection import RETRYABLE, Connection, configure
from .schema import EVENT_LOCK, migrate
from .sql import translate


class PostgresStore(Store):
    """`Store` over a PostgreSQL database named by a `postgresql://` URL."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.writer = Writer(url, on_commit=self._committed, connect=Connection, retryable=RETRYABLE)
        self._pool: AsyncConnectionPool | None = None

    async def open(self) -> None:
        self.writer.start(lambda conn: migrate(conn.raw))
        self._pool = AsyncConnectionPool(
            self.path, min_size=1, max_size=4, open=False, configure=_configure_async,
            kwargs={"autocommit": True, "row_factory": dict_row})
        await self._pool.open(wait=True, timeout=10)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        await self.writer.stop()

    async def _fetchall(self, sql: str, params: Sequence | Mapping = ()) -> list[dict]:
        assert self._pool is not None, "store not open"
        async with self._pool.connection() as conn:
            cursor = await conn.execute(translate(sql), params)
            return await cursor.fetchall() if cursor.description else []

    async def _lookup(self, sql: str, params: Sequence | Mapping = ()) -> dict | None:
        return await self._fetchone(sql, params)

    def _event(self, conn: Any, message_id: str | None, kind: str, data: dict, now: float) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(?)", (EVENT_LOCK,))
        conn.execute("INSERT INTO events (at, message_id, type, data) VALUES (?, ?, ?, ?)",
                     (now, message_id, kind, json.dumps(data, separators=(",", ":"))))


async def _configure_async(conn: Any) -> None:
    configure(conn)
