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

import asyncio
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from .. import keys as keyring
from ..cluster import CHANGES, DELIVERIES, NEW_PARTS
from ..errors import StoreUnavailable
from ..keys_store import _DEFAULT_SECRET
from ..records import DuePart
from ..store import Store
from ..writer import Writer
from .connection import RETRYABLE, Connection, configure, has_nul, without_nul
from .schema import EVENT_LOCK, migrate
from .sql import translate

log = logging.getLogger(__name__)
CHANNEL = "modemgw"             # NOTIFY channel: something changed in the database
CONNECT_TIMEOUT = 3             # s: a request waits no longer for a database that is away


class PostgresStore(Store):
    """`Store` over a PostgreSQL database named by a `postgresql://` URL."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.writer = _Writer(url, on_commit=self._committed, retryable=RETRYABLE,
                              connect=lambda url: Connection(url, before_commit=self._write_events))
        self._pool: AsyncConnectionPool | None = None

    async def open(self) -> None:
        try:
            self.writer.start(lambda conn: migrate(conn.raw))
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"cannot connect to the database: {exc}") from None
        self._pool = AsyncConnectionPool(
            self.path, min_size=1, max_size=4, open=False, configure=_configure_async, timeout=CONNECT_TIMEOUT,
            kwargs={"autocommit": True, "row_factory": dict_row,
                    "connect_timeout": CONNECT_TIMEOUT})
        await self._pool.open(wait=True, timeout=10)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        await self.writer.stop()

    async def _fetchall(self, sql: str, params: Sequence | Mapping = ()) -> list[dict]:
        assert self._pool is not None, "store not open"
        try:
            async with self._pool.connection() as conn:
                try:
                    cursor = await conn.execute(translate(sql), params)
                except psycopg.DataError:
                    if not has_nul(params):
                        raise
                    # PostgreSQL's text cannot hold U+0000: looked for as stored (connection.py)
                    cursor = await conn.execute(translate(sql), without_nul(params))
                return await cursor.fetchall() if cursor.description else []
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def _read_now(self, sql: str, params: Sequence | Mapping = ()) -> list[dict]:
        return await self._fetchall(sql, params)

    def _webhook(self, conn: Any, *args: Any, **kwargs: Any) -> None:
        super()._webhook(conn, *args, **kwargs)
        conn.changes.add(DELIVERIES)

    def _events(self, conn: Any, events: list[tuple[str | None, str, dict]], now: float) -> None:
        # Written just before COMMIT (`_write_events`), so that the lock that orders the
        # event log across nodes is held for the insert and the commit only, not for the
        # whole transaction.
        conn.pending.extend((now, mid, kind, json.dumps(data, separators=(",", ":")))
                            for mid, kind, data in events)

    def _write_events(self, conn: Any) -> None:
        """The transaction's events, about to commit: in cursor order across nodes (the
        lock, above); and every node hears of the change once it commits (NOTIFY is
        delivered at COMMIT, or never)."""
        if any(kind == "message.queued" for _, _, kind, _ in conn.pending):
            conn.changes.add(NEW_PARTS)
        # One round trip for both: the lock is what orders; the note goes out at COMMIT.
        conn.execute("SELECT pg_advisory_xact_lock(?), pg_notify(?, ?)",
                     (EVENT_LOCK, CHANNEL, f"{self.node_name} {''.join(sorted(conn.changes))}"))
        conn.executemany("INSERT INTO events (at, message_id, type, data) VALUES (?, ?, ?, ?)", conn.pending)

    # -- several nodes ---------------------------------------------------------

    def _own_nodes(self) -> list[str] | None:
        # Another live node's parts in `sending` are being sent; a stopped one's are
        # reconciled by the heartbeats of the nodes still running.
        return [self.node_name]

    async def claim_due(self, now: float, limit: int = 100, *, modems: Sequence[str] = (),
                        vias: Sequence[str] | None = None) -> list[DuePart]:
        """Due parts that this node's modems may send, claimed for this node until its
        lease ends (`FOR UPDATE SKIP LOCKED`: nodes claiming at once take different parts,
        none waits for another). A part of a message already sending through a modem goes
        only to that modem's node."""
        node, until = self.node_name, now + self.lease_seconds

        def fn(conn: Any) -> list[DuePart]:
            rows = conn.execute(_CLAIM, {"node": node, "now": now, "until": until, "modems": list(modems),
                                         "any_via": vias is None, "vias": list(vias or ()),
                                         "limit": limit}).fetchall()
            return [DuePart(r["message_id"], r["seq"], r["total"], r["pdu"], r["tpdu_length"], r["attempts"],
                            r["to_number"], r["sender"], r["modem"], r["priority"], r["via"]) for r in rows]
        return await self.writer.write(fn)

    async def release_claims(self, parts: Sequence[tuple[str, int]] | None = None) -> None:
        node = self.node_name

        def fn(conn: Any) -> None:
            if parts is None:
                conn.execute("UPDATE parts SET claimed_by = NULL WHERE claimed_by = ? AND status = 'queued'",
                             (node,))
            else:       # in one statement, not one per part
                conn.execute("UPDATE parts SET claimed_by = NULL FROM (SELECT unnest(CAST(? AS TEXT[])) AS m, "
                             "unnest(CAST(? AS INTEGER[])) AS s) AS freed WHERE message_id = freed.m "
                             "AND seq = freed.s AND claimed_by = ? AND status = 'queued'",
                             ([mid for mid, _ in parts], [seq for _, seq in parts], node))
        await self.writer.write(fn, linger=0.05)

    async def ensure_default_secret(self) -> str:
        """As on one node; nodes starting together may each find none yet: the first
        one's is kept, and every node signs with it (the others' inserts do nothing)."""
        def fn(conn: Any) -> str:
            conn.execute("INSERT INTO settings (key, value) VALUES ('webhook_secret', ?) "
                         "ON CONFLICT (key) DO NOTHING", (keyring.new_secret(),))
            return conn.execute(_DEFAULT_SECRET).fetchone()[0]
        return await self.writer.write(fn)

    async def webhooks_due(self, now: float, limit: int = 50, *, per_destination: int | None = None,
                           sending: Iterable[int] = (), full: Iterable[str] = ()) -> list[dict]:
        """As on one node, but each delivery handed out is claimed for this node until its
        lease ends: a delivery another live node holds is left to it."""
        due = await super().webhooks_due(now, limit, per_destination=per_destination, sending=sending, full=full)
        if not due:
            return []
        node, until = self.node_name, now + self.lease_seconds

        def fn(conn: Any) -> set[int]:
            return {r[0] for r in conn.execute(
                "UPDATE webhook_deliveries SET claimed_by = ?, claim_until = ? WHERE id = ANY(?) "
                "AND status = 'pending' AND (claimed_by IS NULL OR claimed_by = ? OR claim_until IS NULL "
                "OR claim_until < ?) "
                "RETURNING id", (node, until, [r["id"] for r in due], node, now)).fetchall()}
        claimed = await self.writer.write(fn)
        return [r for r in due if r["id"] in claimed]

    async def take_token(self, key: object, limit: int, rate: float, now: float) -> tuple[bool, float]:
        """One request against `key`'s shared token bucket: (allowed, tokens left), in
        one statement, so nodes taking at once each see the other's take. Not made
        durable before it returns (synchronous_commit off): a bucket lost in a crash
        is only a refill."""
        try:
            async with self._pool.connection() as conn:  # type: ignore[union-attr]
                row = await (await conn.execute(_TAKE, {"key": key, "limit": float(limit), "rate": rate,
                                                        "now": now})).fetchone()
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StoreUnavailable(str(exc)) from exc
        return row["allowed"], row["tokens"]

    async def listen(self, on_change: Callable[[str], None]) -> None:
        """Call `on_change` with what changed (CHANGES) whenever another node commits a
        change, until cancelled; a lost connection is opened again."""
        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.path, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    delay = 0.5
                    self._heard(CHANGES)  # what changed while nobody listened
                    on_change(CHANGES)
                    async for note in conn.notifies():
                        node, space, changes = note.payload.partition(" ")
                        if not space:
                            changes = CHANGES     # a node of an earlier version: anything
                        if node == self.node_name:
                            continue      # this node's own commit: it knows already
                        self._heard(changes)
                        on_change(changes)
            except psycopg.OperationalError as exc:
                log.warning("database notifications lost (%s); listening again in %gs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


# Parts due now, of messages not yet tied to another node's modem, not held by another
# live node; claimed in dispatch order (the index parts_queue's). All parts of a message
# go through one modem, so none is taken while another live node holds one of its
# siblings; and the message's row is locked with its parts, so two nodes claiming at
# once cannot split a message between them (the second skips it). The siblings are
# looked at only for the parts picked (at most :limit): for every due part, before the
# first ANALYZE of the parts, it made a claim 10 to 30 times slower.
_CLAIM = """
WITH picked AS (
    SELECT p.message_id, p.seq FROM parts p JOIN messages m ON m.id = p.message_id
    WHERE p.status = 'queued' AND p.next_attempt_at <= :now
      AND (p.claimed_by IS NULL OR p.claimed_by = :node OR p.claim_until IS NULL OR p.claim_until < :now)
      AND (m.modem IS NULL OR m.modem = ANY(CAST(:modems AS TEXT[])))
      AND (CAST(:any_via AS BOOLEAN) OR m.via IS NULL OR m.via = ANY(CAST(:vias AS TEXT[])))
    ORDER BY p.priority DESC, p.next_attempt_at, p.message_id, p.seq
    LIMIT :limit
    FOR UPDATE OF p SKIP LOCKED FOR NO KEY UPDATE OF m SKIP LOCKED),
claimed AS (
    UPDATE parts SET claimed_by = :node, claim_until = :until FROM picked
    WHERE parts.message_id = picked.message_id AND parts.seq = picked.seq
      AND NOT EXISTS (SELECT 1 FROM parts q WHERE q.message_id = picked.message_id AND q.claimed_by <> :node
                      AND q.status IN ('queued', 'sending') AND q.claim_until >= :now)
    RETURNING parts.*)
SELECT c.message_id, c.seq, c.total, c.pdu, c.tpdu_length, c.attempts, m.to_number, m.sender, m.modem,
       c.priority, c.next_attempt_at, m.via
FROM claimed c JOIN messages m ON m.id = c.message_id
ORDER BY c.priority DESC, c.next_attempt_at, c.message_id, c.seq
"""


class _Writer(Writer):
    def shown(self, error: BaseException) -> BaseException:
        if isinstance(error, psycopg.OperationalError):
            # The server went away; the writer connects again at its next transaction.
            shown = StoreUnavailable(str(error))
            shown.__cause__ = error
            return shown
        return error


# A token bucket refilled at :rate a second up to :limit, less one when it holds one.
_TAKE = """
INSERT INTO rate_buckets AS b (api_key_id, tokens, at, allowed) VALUES (%(key)s, %(limit)s - 1, %(now)s, true)
ON CONFLICT (api_key_id) DO UPDATE SET
    -- the bucket refilled since its last take; one token taken when there is one
    tokens = LEAST(%(limit)s, b.tokens + GREATEST(0, %(now)s - b.at) * %(rate)s)
             - CAST(LEAST(%(limit)s, b.tokens + GREATEST(0, %(now)s - b.at) * %(rate)s) >= 1 AS INTEGER),
    allowed = LEAST(%(limit)s, b.tokens + GREATEST(0, %(now)s - b.at) * %(rate)s) >= 1,
    at = GREATEST(b.at, %(now)s)
RETURNING b.tokens, b.allowed
"""


async def _configure_async(conn: Any) -> None:
    configure(conn)
    # The pool's connections read, and write only the rate buckets (take_token), whose
    # loss in a crash is a refill: they need not wait for the disk.
    await conn.execute("SET synchronous_commit = off")
