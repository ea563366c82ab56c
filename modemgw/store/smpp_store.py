"""What the SMPP server (modemgw/smppd) keeps: how far each key's receivers have read
the event log, and which messages asked for delivery receipts under which id.

Guarantees: a key's cursor only moves forward, and a key seen for the first time starts
at the log's end (what happened before it bound is not owed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from .base import StoreBase


class SmppRecords(StoreBase):
    async def smpp_cursor(self, key_id: int) -> int:
        """How far this key's SMPP receivers have acknowledged the event log. A key seen
        for the first time starts at its end: what happened before it bound is not owed."""
        def fn(conn: sqlite3.Connection) -> int:
            conn.execute("INSERT INTO smpp_cursors (api_key_id, cursor) "
                         "SELECT ?, COALESCE(MAX(cursor), 0) FROM events WHERE true "
                         "ON CONFLICT (api_key_id) DO NOTHING", (key_id,))
            return conn.execute("SELECT cursor FROM smpp_cursors WHERE api_key_id = ?", (key_id,)).fetchone()[0]
        return await self.writer.write(fn)

    async def save_smpp_cursor(self, key_id: int, cursor: int, *, linger: float = 0.0) -> None:
        def fn(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE smpp_cursors SET cursor = MAX(cursor, ?) WHERE api_key_id = ?", (cursor, key_id))
        await self.writer.write(fn, linger=linger)

    async def request_smpp_receipts(self, rows: Sequence[tuple[str, int, str, int]]) -> None:
        """(message id, registered_delivery, the id the ESME knows it by, segments submitted)."""
        def fn(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT INTO smpp_receipts (message_id, registered_delivery, "
                             "receipt_id, segments) VALUES (?, ?, ?, ?) ON CONFLICT (message_id) DO UPDATE "
                             "SET registered_delivery = excluded.registered_delivery, "
                             "receipt_id = excluded.receipt_id, segments = excluded.segments", rows)
        await self.writer.write(fn)

    async def smpp_receipts(self, message_ids: Sequence[str]) -> dict[str, dict]:
        rows = await self._fetchall(f"SELECT * FROM smpp_receipts WHERE message_id IN "
                                    f"({', '.join('?' * len(message_ids))})", list(message_ids))
        return {r["message_id"]: r for r in rows}
