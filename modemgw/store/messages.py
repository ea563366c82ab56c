"""Messages as the API and the dialects see them: accepted, read, listed, cancelled; the
received messages and the event log, read.

Guarantees: `create_messages` commits a request's messages, their parts and their
`message.queued` events in one transaction before it returns, and an Idempotency-Key
already used by the same API key inserts nothing and returns the originals; a message
can be cancelled only while none of its parts has been handed to a modem; a message's
`seqno` (its rowid) never changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from .base import StoreBase, clock, filtered
from .coalesce import Coalesced
from .ids import new_id
from .records import Created, NewMessage

# The columns in the order of `_insert_messages`'s row.
_INSERT_MESSAGE = (
    "INSERT INTO messages (id, api_key_id, to_number, sender, text, status, encoding, segments, "
    "callback_url, idempotency_key, priority, policy, reference, validity, flash, created_at, "
    "updated_at, scheduled_at, expires_at, dialect, via) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rowid")
# messages, API key id, first message's id
_Request = tuple[Sequence[NewMessage], int | None, str | None]
_UNSET_COLUMNS = {"modem": None, "sent_at": None, "delivered_at": None, "network_delivered_at": None,
                  "error": None, "error_code": None, "error_detail": None}


class MessageRecords(StoreBase):
    _new_messages: Coalesced | None = None

    async def create_messages(self, messages: Sequence[NewMessage], *, api_key_id: int | None,
                              idempotency_key: str | None = None, first_id: str | None = None) -> Created:
        """Insert messages and their parts in one transaction; committed on return.

        With an idempotency key already used by this API key, nothing is
        inserted and the original messages are returned. `first_id` is the first
        message's id when the caller chose it (`new_id("msg")`) before sending.
        """
        if idempotency_key is None:
            # Requests without a key share one writer job (store/coalesce.py): they do not
            # read what another request of the job may have written.
            if self._new_messages is None:
                self._new_messages = Coalesced(self.writer, self._insert_messages)
            return await self._new_messages.write((messages, api_key_id, first_id))

        def fn(conn: sqlite3.Connection) -> Created:
            rows = conn.execute(
                "SELECT rowid AS seqno, * FROM messages WHERE api_key_id IS ? AND idempotency_key = ? "
                "ORDER BY created_at, id", (api_key_id, idempotency_key)).fetchall()
            if rows:
                return Created([dict(r) for r in rows], replayed=True)
            return self._insert_messages(conn, [(messages, api_key_id, first_id)], idempotency_key)[0]
        return await self.writer.write(fn)

    def _insert_messages(self, conn: sqlite3.Connection, requests: list[_Request],
                         idempotency_key: str | None = None) -> list[Created]:
        """The messages of `requests`, each request's as one `Created`. A message's row
        needs a statement of its own for its rowid (`seqno`); the parts and the events
        of all of them take one statement each."""
        now = clock()
        out = []
        parts: list[tuple] = []
        events: list[tuple] = []
        for messages, api_key_id, first_id in requests:
            created = Created()
            for i, m in enumerate(messages):
                mid = first_id if i == 0 and first_id is not None else new_id("msg")
                row = {"id": mid, "api_key_id": api_key_id, "to_number": m.to,
                       "sender": m.sender, "text": m.text, "status": "queued", "encoding": m.encoding,
                       "segments": len(m.parts), "callback_url": m.callback_url,
                       "idempotency_key": idempotency_key, "priority": m.priority, "policy": m.policy,
                       "reference": m.reference, "validity": m.validity, "flash": int(m.flash),
                       "created_at": now, "updated_at": now, "scheduled_at": m.scheduled_at,
                       "expires_at": m.expires_at, "dialect": m.dialect, "via": m.via}
                row["seqno"] = conn.execute(_INSERT_MESSAGE, tuple(row.values())).fetchall()[0][0]
                start = max(now, m.scheduled_at or 0)
                parts.extend((mid, seq, len(m.parts), p.pdu, p.tpdu_length, start, m.priority)
                             for seq, p in enumerate(m.parts, start=1))
                events.append((mid, "message.queued", {"status": "queued"}))
                # The row as stored, without reading it back: the columns not set here
                # are the ones a queued message has no value for yet.
                created.messages.append({**_UNSET_COLUMNS, **row})
            out.append(created)
        conn.executemany(
            "INSERT INTO parts (message_id, seq, total, pdu, tpdu_length, status, "
            "next_attempt_at, priority) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)", parts)
        self._events(conn, events, now)
        return out

    async def get_message(self, message_id: str | int) -> dict | None:
        """A message and its parts, by id or by `seqno` (an integer: the row's number, for
        edges whose contract has integer or fixed-format ids; it never changes)."""
        column = "rowid" if isinstance(message_id, int) else "id"
        message = await self._fetchone(f"SELECT rowid AS seqno, * FROM messages WHERE {column} = ?",
                                       (message_id,))
        if message is None:
            return None
        message_id = message["id"]
        message["parts"] = await self._fetchall(
            "SELECT seq, total, status, modem, mr, attempts, submitted_at, report_status, report_at, "
            "network_submitted_at, network_done_at, error FROM parts WHERE message_id = ? ORDER BY seq",
            (message_id,))
        return message

    async def list_messages(self, *, status: str | None = None, to: str | None = None,
                            sender: str | None = None, since: float | None = None,
                            until: float | None = None, sent_since: float | None = None,
                            sent_until: float | None = None, after: str | None = None,
                            before: str | None = None, limit: int = 50,
                            api_key_id: int | None = None) -> list[dict]:
        """Newest first; `after` is the id of the last message of the previous page, or
        `before` the id of the first of the next one (then the `limit` messages just newer
        than it: a page back). `since`/`until` bound `created_at`, `sent_*` `sent_at`."""
        mine = ["(api_key_id = ? OR api_key_id IS NULL)"] if api_key_id is not None else []
        sql, params = filtered(
            "SELECT rowid AS seqno, * FROM messages",
            (("status = ?", status), ("to_number = ?", to), ("sender = ?", sender),
             ("created_at >= ?", since), ("created_at < ?", until),
             ("sent_at >= ?", sent_since), ("sent_at < ?", sent_until),
             ("id < ?", after), ("id > ?", before)), mine, [api_key_id] if mine else [])
        sql += f" ORDER BY id {'DESC' if before is None else 'ASC'} LIMIT ?"
        params.append(limit)
        rows = await self._fetchall(sql, params)
        return rows if before is None else rows[::-1]

    async def cancel_message(self, message_id: str) -> str | None:
        """Cancel if no part has been handed to a modem; returns the resulting status
        ('cancelled', or the unchanged status when too late), None if unknown."""
        def fn(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT status FROM messages WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                return None
            started = conn.execute(
                "SELECT 1 FROM parts WHERE message_id = ? AND status != 'queued' LIMIT 1",
                (message_id,)).fetchone()
            if row[0] != "queued" or started:
                return row[0]
            now = clock()
            conn.execute("UPDATE parts SET status = 'cancelled' WHERE message_id = ?", (message_id,))
            conn.execute("UPDATE messages SET status = 'cancelled', updated_at = ? WHERE id = ?",
                         (now, message_id))
            self._event(conn, message_id, "message.cancelled", {"status": "cancelled"}, now)
            return "cancelled"
        return await self.writer.write(fn)

    async def last_references(self, limit: int = 10_000) -> dict[str, int]:
        # rowid breaks ties: messages of one request share their created_at, and were
        # inserted in the order their references were taken.
        rows = await self._fetchall(
            "SELECT to_number, reference FROM messages WHERE reference IS NOT NULL "
            "ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,))
        out: dict[str, int] = {}
        for r in reversed(rows):
            out[r["to_number"]] = r["reference"]
        return out

    async def list_inbound(self, *, since: float | None = None, after: str | None = None,
                           limit: int = 50) -> list[dict]:
        sql, params = filtered("SELECT * FROM inbound", (("received_at >= ?", since), ("id < ?", after)))
        params.append(limit)
        return await self._fetchall(sql + " ORDER BY id DESC LIMIT ?", params)

    async def list_events(self, *, after: int = 0, limit: int = 50,
                          api_key_id: int | None = None, every_key: bool = False) -> list[dict]:
        """The event log in cursor order: events of this key's messages and of received ones
        (`every_key`: everything, for the operator)."""
        return await self._fetchall(
            "SELECT e.cursor, e.at, e.message_id, e.type, e.data FROM events e "
            "LEFT JOIN messages m ON m.id = e.message_id WHERE e.cursor > ? AND "
            "(? = 1 OR e.message_id IS NULL OR m.api_key_id IS NULL OR m.api_key_id IS ?) "
            "ORDER BY e.cursor LIMIT ?", (after, int(every_key), api_key_id, limit))

    async def last_event_cursor(self) -> int:
        row = await self._fetchone("SELECT MAX(cursor) AS c FROM events")
        return (row["c"] if row else None) or 0

    async def message_events(self, message_id: str, limit: int = 200) -> list[dict]:
        return await self._fetchall("SELECT cursor, at, type, data FROM events WHERE message_id = ? "
                                    "ORDER BY cursor LIMIT ?", (message_id, limit))
