"""What every part of the store stands on: the connections, the one writer, and the
rows a write transaction adds when a message changes.

Guarantees: reads go through their own aiosqlite connection and never share a
transaction with writes (sharing one aiosqlite connection between handlers can lose a
committed row when another handler rolls back); each read is executed and fetched in one
call, so no read holds an old snapshot that another task's read would then see. Every
write goes through `self.writer`, and a message's change of status, its event row and
its webhook deliveries are written in the one transaction that changed its parts.
`webhooks_written` counts deliveries only once they are committed.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping, Sequence

import aiosqlite

from . import outbox, rules
from .records import Why
from .schema import migrate
from .writer import Writer

_SUBSCRIBERS = "SELECT url, events FROM webhook_subscriptions WHERE api_key_id = ? AND dialect = ?"


def clock() -> float:
    return time.time()


def filtered(sql: str, clauses: Sequence[tuple[str, object]], where: list[str] | None = None,
             params: list | None = None) -> tuple[str, list]:
    """`sql` with a WHERE of the clauses whose value is not None (after `where`, `params`)."""
    where, params = list(where or ()), list(params or ())
    for clause, value in clauses:
        if value is not None:
            where.append(clause)
            params.append(value)
    return sql + (" WHERE " + " AND ".join(where) if where else ""), params


class StoreBase:
    def __init__(self, path: str, *, default_webhook_url: str | None = None,
                 inbound_webhooks: Sequence[tuple[str, str]] = (),
                 inbound_owners: Mapping[str, tuple[str, str]] | None = None) -> None:
        self.path = path
        self.default_webhook_url = default_webhook_url
        # (url, dialect): where else received messages go, in that dialect's format
        self.inbound_webhooks = tuple(inbound_webhooks)
        # dialect -> (credential kind, identifier) of the key whose secrets sign them
        self.inbound_owners = dict(inbound_owners or {})
        self.writer = Writer(path, on_commit=self._committed)
        # This process among the nodes sharing the database (store/cluster.py): set by
        # register_node; one SQLite file has one node.
        self.node_name = "local"
        self.lease_seconds = 30.0
        self._beaten_at = clock()              # this node's last heartbeat (store/cluster.py)
        self._read: aiosqlite.Connection | None = None
        self._keys_conn: sqlite3.Connection | None = None
        # Webhook deliveries written (counted once committed), so the sender can tell a
        # change that concerns it from one that does not without a query.
        self.webhooks_written = 0
        self._webhooks_uncommitted = 0

    async def open(self) -> None:
        self.writer.start(migrate)
        self._read = await aiosqlite.connect(self.path)
        self._read.row_factory = aiosqlite.Row
        await self._read.execute_fetchall("PRAGMA busy_timeout=5000")

    async def close(self) -> None:
        if self._keys_conn is not None:
            self._keys_conn.close()
            self._keys_conn = None
        if self._read is not None:
            await self._read.close()
            self._read = None
        await self.writer.stop()

    async def check(self) -> bool:
        """The database answers a read (for /readyz)."""
        try:
            await self._fetchone("SELECT 1 AS ok")
            return True
        except Exception:
            return False

    # -- reading -------------------------------------------------------------

    async def _fetchall(self, sql: str, params: Sequence | Mapping = ()) -> list[dict]:
        assert self._read is not None, "store not open"
        # Executed and fetched in one call on the connection's thread: a statement left
        # open between two calls holds its snapshot, and the other tasks' reads on this
        # connection would not see what was committed meanwhile.
        return [dict(r) for r in await self._read.execute_fetchall(sql, params)]

    async def _fetchone(self, sql: str, params: Sequence | Mapping = ()) -> dict | None:
        rows = await self._fetchall(sql, params)
        return rows[0] if rows else None

    async def _lookup(self, sql: str, params: Sequence | Mapping = ()) -> dict | None:
        """One row, read for a lookup every request makes (its key), as `_read_now`."""
        rows = await self._read_now(sql, params)
        return rows[0] if rows else None

    async def _read_now(self, sql: str, params: Sequence | Mapping = ()) -> list[dict]:
        """A short indexed read made on every request or every part (a key, the next due
        parts). On SQLite it is read on a connection of the event loop's own: such a
        read in a WAL database takes microseconds, far less than handing it to a thread
        and back. Fetched in one call, as `_fetchall`."""
        if self._keys_conn is None:
            self._keys_conn = sqlite3.connect(self.path)
            self._keys_conn.row_factory = sqlite3.Row
        return [dict(r) for r in self._keys_conn.execute(sql, params).fetchall()]

    # -- inside write transactions ---------------------------------------------

    def _committed(self) -> None:
        # A rolled-back job may have counted one too many: at worst one needless pass.
        self.webhooks_written = self._webhooks_uncommitted

    def _event(self, conn: sqlite3.Connection, message_id: str | None, kind: str, data: dict,
               now: float) -> None:
        self._events(conn, [(message_id, kind, data)], now)

    def _events(self, conn: sqlite3.Connection, events: list[tuple[str | None, str, dict]],
                now: float) -> None:
        """`_event` for each (message id, kind, data), in one statement."""
        conn.executemany("INSERT INTO events (at, message_id, type, data) VALUES (?, ?, ?, ?)",
                         [(now, mid, kind, json.dumps(data, separators=(",", ":")))
                          for mid, kind, data in events])

    def _webhook(self, conn: sqlite3.Connection, message_id: str | None, event: str, url: str,
                 body: dict, api_key_id: int | None, now: float, dialect: str = "native") -> None:
        """One delivery to make: `body` is the event's snapshot (the native payload); the
        sender renders it in `dialect`'s format when it sends it, retries included."""
        self._webhooks_uncommitted += 1
        conn.execute("INSERT INTO webhook_deliveries (message_id, event, url, destination, body, api_key_id, "
                     "status, next_attempt_at, created_at, dialect) "
                     "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                     (message_id, event, url, outbox.destination(url),
                      json.dumps(body, separators=(",", ":")), api_key_id, now, now, dialect))

    def _refresh(self, conn: sqlite3.Connection, message_id: str, now: float, *,
                 why: Why | None = None, network_delivered_at: float | None = None) -> None:
        """Recompute the message status from its parts (`rules.message_change`); log and
        announce a change."""
        msg = conn.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
        if msg is None:
            return
        statuses = [r[0] for r in conn.execute("SELECT status FROM parts WHERE message_id = ?",
                                               (message_id,))]
        change = rules.message_change(msg, statuses, now, why=why, network_delivered_at=network_delivered_at)
        if change is None:
            return
        conn.execute(f"UPDATE messages SET {', '.join(f'{c} = ?' for c in change.columns)} WHERE id = ?",
                     (*change.columns.values(), message_id))
        self._event(conn, message_id, change.event, {"status": change.status}, change.at)
        if change.webhook is None:
            return
        # Who is told depends on columns a change never sets (the key, the dialect, the
        # callback URL), so the row read above decides it; the body is the row as updated,
        # read again and rendered only when someone is to be told.
        key_id, dialect = msg["api_key_id"], msg["dialect"]
        subscriptions = [] if key_id is None else [
            (url, json.loads(events)) for url, events in conn.execute(_SUBSCRIBERS, (key_id, dialect))]
        urls = rules.webhook_urls(change.webhook, msg, self.default_webhook_url, subscriptions)
        if not urls:
            return
        updated = dict(conn.execute("SELECT rowid AS seqno, * FROM messages WHERE id = ?",
                                    (message_id,)).fetchone())
        body = rules.webhook_body(change.webhook, updated)
        for url in urls:
            self._webhook(conn, message_id, change.webhook, url, body, key_id, change.at, dialect)

    def _fail_rest(self, conn: sqlite3.Connection, message_id: str, now: float, why: Why) -> None:
        # A message that failed sends none of its remaining parts; it takes the failing
        # part's reason and code ("an earlier part failed" is not a reason of its own).
        conn.execute("UPDATE parts SET status = 'failed', error = 'an earlier part failed' "
                     "WHERE message_id = ? AND status = 'queued'", (message_id,))
        self._refresh(conn, message_id, now, why=why)
