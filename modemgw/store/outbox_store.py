"""The webhook outbox as the sender works it, and as the operator sees it.

Guarantees: a delivery handed out is due, pending and the oldest pending one of its
message (a message's events arrive in order), at most `per_destination` of each
destination and each destination's first before any one's second (outbox.DUE); each
attempt's result is committed on return: delivered, due again later, or dead-lettered;
a failing delivery retried by the operator goes on from its attempts.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable

from . import outbox
from .base import StoreBase, clock, filtered


class OutboxRecords(StoreBase):
    async def webhooks_due(self, now: float, limit: int = 50, *, per_destination: int | None = None,
                           sending: Iterable[int] = (), full: Iterable[str] = ()) -> list[dict]:
        """Pending deliveries due now, per message only the oldest (to keep their order),
        at most `per_destination` of each destination and each destination's first before
        any one's second; leaving out the deliveries `sending` and the destinations `full`."""
        return await self._fetchall(outbox.DUE, {
            "now": now, "limit": limit, "per": limit if per_destination is None else per_destination,
            "sending": json.dumps(list(sending)), "full": json.dumps(list(full))})

    async def next_webhook_time(self, after: float = -math.inf) -> float | None:
        """When the next sendable delivery (the oldest pending one of its message) is due,
        of those due later than `after`."""
        row = await self._fetchone(outbox.NEXT_DUE, {"after": after})
        return row["t"] if row else None

    async def webhook_result(self, delivery_id: int, *, ok: bool, error: str | None,
                             retry_at: float | None) -> None:
        """Delivered; or retry at `retry_at`; or dead-lettered when `retry_at` is None."""
        def fn(conn: sqlite3.Connection) -> None:
            now = clock()
            if ok:
                conn.execute("UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, "
                             "delivered_at = ?, last_error = NULL WHERE id = ?", (now, delivery_id))
            elif retry_at is not None:
                conn.execute("UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?, "
                             "last_error = ? WHERE id = ?", (retry_at, error, delivery_id))
            else:
                conn.execute("UPDATE webhook_deliveries SET status = 'dead', attempts = attempts + 1, "
                             "last_error = ? WHERE id = ?", (error, delivery_id))
        await self.writer.write(fn)

    async def webhook_deliveries(self, *, status: str | None = None, limit: int = 100,
                                 message_id: str | None = None, failing: bool = False) -> list[dict]:
        """Newest first. `failing`: dead-lettered, or pending after a failed attempt."""
        sql, params = filtered(
            "SELECT * FROM webhook_deliveries", (("status = ?", status), ("message_id = ?", message_id)),
            ["status IN ('pending', 'dead') AND (status = 'dead' OR attempts > 0)"] if failing else [])
        return await self._fetchall(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))

    async def retry_webhook(self, delivery_id: int, now: float) -> bool:
        """A failing delivery (dead, or pending after a failed attempt) is due again now;
        its backoff goes on from its attempts. False when there is no such delivery."""
        def fn(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT url FROM webhook_deliveries WHERE id = ? AND "
                               "(status = 'dead' OR (status = 'pending' AND attempts > 0))",
                               (delivery_id,)).fetchone()
            if row is None:
                return False
            # A row dead-lettered before schema 6 has no destination yet.
            conn.execute("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, "
                         "destination = ? WHERE id = ?", (now, outbox.destination(row[0]), delivery_id))
            self._webhooks_uncommitted += 1        # the sender looks at the outbox again
            return True
        return await self.writer.write(fn)
