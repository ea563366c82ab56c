"""The store: one SQLite file in WAL mode, written through the one `Writer`.

Reads go through their own aiosqlite connection and never share a
transaction with writes (sharing one aiosqlite connection between handlers
can lose a committed row when another handler rolls back). Each read is
executed and fetched in one call, so no read holds an old snapshot that
another task's read would then see.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import aiosqlite

from . import keys as keyring
from . import outbox
from .days import day_of
from .ids import new_id
from .schema import migrate
from .status import FINAL, ErrorCode, aggregate
from .writer import Writer

# A received PDU's commit may wait this long (s) to share one with the next part
# being sent: on a busy modem that halves the commits, and the modem is told
# the PDU is received (AT+CNMA) only a few milliseconds later.
RECEIVED_LINGER = 0.005

WEBHOOK_EVENTS = {"sent": "message.sent", "delivered": "message.delivered",
                  "failed": "message.failed", "expired": "message.expired"}


@dataclass(frozen=True, slots=True)
class NewPart:
    pdu: str
    tpdu_length: int


@dataclass(frozen=True, slots=True)
class NewMessage:
    to: str
    sender: str | None
    text: str
    encoding: str
    parts: tuple[NewPart, ...]
    reference: int | None = None
    callback_url: str | None = None
    scheduled_at: float | None = None
    validity: int | None = None
    expires_at: float | None = None
    priority: int = 0
    flash: bool = False
    policy: str = "at_most_once"
    dialect: str = "native"          # the edge that accepted it: its webhooks' format


@dataclass(frozen=True, slots=True)
class DuePart:
    message_id: str
    seq: int
    total: int
    pdu: str
    tpdu_length: int
    attempts: int
    to: str
    sender: str | None
    modem: str | None          # the modem the message's earlier parts went through
    priority: int


@dataclass(frozen=True, slots=True)
class ReportUpdate:
    """What a status report does to its part."""
    part_status: str           # delivered, sent (still pending), failed, expired
    report_status: int         # TP-ST
    reason: str
    at: float | None           # discharge time (the network's clock)
    pdu: dict                  # mr and recipient, for the part's event
    submitted: float | None = None   # when the SC took the part (the network's clock)


@dataclass(frozen=True, slots=True)
class Why:
    """Why a message failed or expired: the text, its code and the number behind it."""
    error: str
    code: ErrorCode
    detail: int | None = None     # the +CMS ERROR number, or the status report's TP-ST


# A status report that ends a part, by the part status it gives.
_REPORT_CODES = {"failed": ErrorCode.UNDELIVERED, "expired": ErrorCode.REPORT_EXPIRED}

_INSERT_MESSAGE = (
    "INSERT INTO messages (id, api_key_id, to_number, sender, text, status, encoding, segments, "
    "callback_url, idempotency_key, priority, policy, reference, validity, flash, created_at, "
    "updated_at, scheduled_at, expires_at, dialect) VALUES (:id, :api_key_id, :to_number, :sender, "
    ":text, :status, :encoding, :segments, :callback_url, :idempotency_key, :priority, :policy, "
    ":reference, :validity, :flash, :created_at, :updated_at, :scheduled_at, :expires_at, :dialect)")
# kind -> (the column naming the key, the column holding the secret, kept in plain?)
_CREDENTIALS = {"twilio": ("twilio_account_sid", "twilio_auth_token", True),
                "smspm": ("smspm_hash", "smspm_token_digest", False),
                "smpp": ("smpp_system_id", "smpp_password_digest", False)}

# One more part submitted through the part's modem today (its [[modem]] per_day).
_COUNT_SUBMITTED = (
    "INSERT INTO modem_days (modem, day, sent) SELECT modem, :day, 1 FROM parts "
    "WHERE message_id = :message_id AND seq = :seq AND modem IS NOT NULL "
    "ON CONFLICT (modem, day) DO UPDATE SET sent = sent + 1")
_UNSET_COLUMNS = {"modem": None, "sent_at": None, "delivered_at": None, "network_delivered_at": None,
                  "error": None, "error_code": None, "error_detail": None}

# Parts a status report may belong to: this MR on this modem, or an unknown outcome
# whose MR was never learnt. Two indexed searches (an OR would scan the modem's parts).
_CANDIDATES = (
    "SELECT p.message_id, p.seq, p.submitted_at, p.status, p.mr, m.to_number FROM parts p "
    "JOIN messages m ON m.id = p.message_id WHERE p.modem = :modem AND p.mr = :mr "
    "AND p.submitted_at >= :since "
    "UNION ALL "
    "SELECT p.message_id, p.seq, p.submitted_at, p.status, p.mr, m.to_number FROM parts p "
    "JOIN messages m ON m.id = p.message_id WHERE p.status = 'unknown' AND p.mr IS NULL "
    "AND p.modem = :modem AND p.submitted_at >= :since "
    "ORDER BY submitted_at DESC LIMIT 20")


@dataclass
class Created:
    messages: list[dict] = field(default_factory=list)
    replayed: bool = False     # an Idempotency-Key matched: these are the originals


def _now() -> float:
    return time.time()


def _row(row: sqlite3.Row | None) -> dict | None:
    return dict(row) if row is not None else None


class Store:
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

    async def _fetchall(self, sql: str, params: Sequence = ()) -> list[dict]:
        assert self._read is not None, "store not open"
        # Executed and fetched in one call on the connection's thread: a statement left
        # open between two calls holds its snapshot, and the other tasks' reads on this
        # connection would not see what was committed meanwhile.
        return [dict(r) for r in await self._read.execute_fetchall(sql, params)]

    async def _fetchone(self, sql: str, params: Sequence = ()) -> dict | None:
        rows = await self._fetchall(sql, params)
        return rows[0] if rows else None

    # -- API keys ------------------------------------------------------------

    async def create_key(self, name: str, *, delivery_policy: str | None = None) -> tuple[int, str]:
        """(id, key). The key is shown once; only its hash is stored, with the credentials
        derived from it (`keys.derive`: digests, but for the Twilio auth token, which signs).
        `delivery_policy`: the default for this key's messages (None: the gateway's)."""
        token = keyring.new_key()
        c = keyring.derive(token)

        def fn(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "INSERT INTO api_keys (name, prefix, hash, webhook_secret, delivery_policy, created_at, "
                "twilio_account_sid, twilio_auth_token, smspm_hash, smspm_token_digest, smpp_system_id, "
                "smpp_password_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (name, keyring.prefix(token), keyring.digest(token), keyring.new_secret(),
                 delivery_policy, _now(), c.twilio_account_sid, c.twilio_auth_token, c.smspm_hash,
                 keyring.digest(c.smspm_token), c.smpp_system_id, keyring.digest(c.smpp_password)))
            return int(cur.lastrowid)
        return await self.writer.write(fn), token

    async def key_secret(self, key_id: int) -> str | None:
        """The secret that signs webhooks of this key's messages (not the API key)."""
        return await self.webhook_secret(key_id)

    async def revoke_key(self, key_id: int) -> bool:
        def fn(conn: sqlite3.Connection) -> bool:
            cur = conn.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                               (_now(), key_id))
            return cur.rowcount == 1
        return await self.writer.write(fn)

    async def list_keys(self) -> list[dict]:
        return await self._fetchall(
            "SELECT id, name, prefix, delivery_policy, created_at, revoked_at FROM api_keys ORDER BY id")

    async def key_for_token(self, token: str) -> dict | None:
        """The active key whose hash matches (compared in constant time).

        Every request asks this, so it reads on a connection of the event
        loop's own: an indexed lookup in a WAL database takes microseconds,
        far less than handing it to a thread. No cache: a key revoked by
        `modemgw keys revoke` (another process) is refused at once.
        """
        digest = keyring.digest(token)
        row = self._keys().execute(
            "SELECT id, name, hash, webhook_secret, delivery_policy FROM api_keys "
            "WHERE hash = ? AND revoked_at IS NULL",
            (digest,)).fetchone()
        if row is None or not keyring.same(row["hash"], digest):
            return None
        return dict(row)

    def _keys(self) -> sqlite3.Connection:
        """The event loop's own read connection, for the key lookups every request makes."""
        if self._keys_conn is None:
            self._keys_conn = sqlite3.connect(self.path)
            self._keys_conn.row_factory = sqlite3.Row
        return self._keys_conn

    async def key_for_credential(self, kind: str, ident: str, secret: str) -> dict | None:
        """The active key a derived credential names, its secret compared in constant time:
        kind "twilio" (account SID, auth token), "smspm" (hash, token), "smpp" (system_id,
        password)."""
        column, stored, plain = _CREDENTIALS[kind]
        # On the event loop's own connection, as key_for_token: asked on every request.
        found = self._keys().execute(
            f"SELECT id, name, webhook_secret, delivery_policy, twilio_account_sid, twilio_auth_token, "
            f"{stored} AS stored FROM api_keys WHERE {column} = ? AND revoked_at IS NULL", (ident,)).fetchone()
        row = dict(found) if found is not None else None
        if row is None or row["stored"] is None:
            return None
        if not keyring.same(row.pop("stored"), secret if plain else keyring.digest(secret)):
            return None
        return row

    async def key_row(self, key_id: int) -> dict | None:
        """A key's row with the secrets webhooks are signed with (never its own digest)."""
        return await self._fetchone(
            "SELECT id, name, webhook_secret, twilio_account_sid, twilio_auth_token, revoked_at, "
            "delivery_policy FROM api_keys WHERE id = ?", (key_id,))

    async def subscribe(self, key_id: int, dialect: str, url: str, events: Sequence[str]) -> dict:
        """A webhook subscription of a key, for the events of its messages sent through `dialect`."""
        def fn(conn: sqlite3.Connection) -> dict:
            now = _now()
            cur = conn.execute("INSERT INTO webhook_subscriptions (api_key_id, dialect, url, events, "
                               "created_at) VALUES (?, ?, ?, ?, ?)",
                               (key_id, dialect, url, json.dumps(list(events)), now))
            return {"id": int(cur.lastrowid), "url": url, "events": list(events), "created_at": now}
        return await self.writer.write(fn)

    async def subscriptions(self, key_id: int, dialect: str) -> list[dict]:
        rows = await self._fetchall("SELECT id, url, events, created_at FROM webhook_subscriptions "
                                    "WHERE api_key_id = ? AND dialect = ? ORDER BY id", (key_id, dialect))
        return [{**r, "events": json.loads(r["events"])} for r in rows]

    async def unsubscribe(self, key_id: int, dialect: str, subscription_id: int) -> bool:
        def fn(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM webhook_subscriptions WHERE id = ? AND api_key_id = ? "
                                "AND dialect = ?", (subscription_id, key_id, dialect)).rowcount == 1
        return await self.writer.write(fn)

    async def webhook_secret(self, key_id: int | None) -> str | None:
        if key_id is None:
            row = await self._fetchone("SELECT value FROM settings WHERE key = 'webhook_secret'")
            return row["value"] if row else None
        row = await self._fetchone("SELECT webhook_secret FROM api_keys WHERE id = ?", (key_id,))
        return row["webhook_secret"] if row else None

    async def ensure_default_secret(self) -> str:
        """The secret that signs webhooks of messages not sent with an API key (inbound)."""
        def fn(conn: sqlite3.Connection) -> str:
            row = conn.execute("SELECT value FROM settings WHERE key = 'webhook_secret'").fetchone()
            if row is not None:
                return row[0]
            secret = keyring.new_secret()
            conn.execute("INSERT INTO settings (key, value) VALUES ('webhook_secret', ?)", (secret,))
            return secret
        return await self.writer.write(fn)

    async def setting(self, name: str) -> str | None:
        row = await self._fetchone("SELECT value FROM settings WHERE key = ?", (name,))
        return row["value"] if row else None

    async def set_setting(self, name: str, value: str) -> None:
        await self.writer.write(lambda conn: conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
            "excluded.value", (name, value)))

    # -- messages ------------------------------------------------------------

    async def create_messages(self, messages: Sequence[NewMessage], *, api_key_id: int | None,
                              idempotency_key: str | None = None, first_id: str | None = None) -> Created:
        """Insert messages and their parts in one transaction; committed on return.

        With an idempotency key already used by this API key, nothing is
        inserted and the original messages are returned. `first_id` is the first
        message's id when the caller chose it (`new_id("msg")`) before sending.
        """
        def fn(conn: sqlite3.Connection) -> Created:
            if idempotency_key is not None:
                rows = conn.execute(
                    "SELECT rowid AS seqno, * FROM messages WHERE api_key_id IS ? AND idempotency_key = ? "
                    "ORDER BY created_at, id", (api_key_id, idempotency_key)).fetchall()
                if rows:
                    return Created([dict(r) for r in rows], replayed=True)
            now = _now()
            out = Created()
            for i, m in enumerate(messages):
                mid = first_id if i == 0 and first_id is not None else new_id("msg")
                row = {"id": mid, "api_key_id": api_key_id, "to_number": m.to,
                       "sender": m.sender, "text": m.text, "status": "queued", "encoding": m.encoding,
                       "segments": len(m.parts), "callback_url": m.callback_url,
                       "idempotency_key": idempotency_key, "priority": m.priority, "policy": m.policy,
                       "reference": m.reference, "validity": m.validity, "flash": int(m.flash),
                       "created_at": now, "updated_at": now, "scheduled_at": m.scheduled_at,
                       "expires_at": m.expires_at, "dialect": m.dialect}
                row["seqno"] = conn.execute(_INSERT_MESSAGE, row).lastrowid
                start = max(now, m.scheduled_at or 0)
                conn.executemany(
                    "INSERT INTO parts (message_id, seq, total, pdu, tpdu_length, status, "
                    "next_attempt_at, priority) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
                    [(mid, i, len(m.parts), p.pdu, p.tpdu_length, start, m.priority)
                     for i, p in enumerate(m.parts, start=1)])
                self._event(conn, mid, "message.queued", {"status": "queued"}, now)
                # The row as stored, without reading it back: the columns not set here
                # are the ones a queued message has no value for yet.
                out.messages.append({**_UNSET_COLUMNS, **row})
            return out
        return await self.writer.write(fn)

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
        where, params = [], []
        if api_key_id is not None:
            where.append("(api_key_id = ? OR api_key_id IS NULL)")
            params.append(api_key_id)
        for clause, value in (("status = ?", status), ("to_number = ?", to), ("sender = ?", sender),
                              ("created_at >= ?", since), ("created_at < ?", until),
                              ("sent_at >= ?", sent_since), ("sent_at < ?", sent_until),
                              ("id < ?", after), ("id > ?", before)):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = "SELECT rowid AS seqno, * FROM messages"
        if where:
            sql += " WHERE " + " AND ".join(where)
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
            now = _now()
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

    # -- dispatching ---------------------------------------------------------

    async def due_parts(self, now: float, limit: int = 100) -> list[DuePart]:
        """Queued parts whose time has come, most urgent first, in part order (read from
        the index in that order: the backlog is never sorted)."""
        rows = await self._fetchall(
            "SELECT p.message_id, p.seq, p.total, p.pdu, p.tpdu_length, p.attempts, m.to_number, "
            "m.sender, m.modem, p.priority FROM parts p INDEXED BY parts_queue "
            "JOIN messages m ON m.id = p.message_id WHERE p.status = 'queued' AND p.next_attempt_at <= ? "
            "ORDER BY p.priority DESC, p.next_attempt_at, p.message_id, p.seq LIMIT ?", (now, limit))
        return [DuePart(r["message_id"], r["seq"], r["total"], r["pdu"], r["tpdu_length"],
                        r["attempts"], r["to_number"], r["sender"], r["modem"], r["priority"])
                for r in rows]

    async def parts_waiting(self, now: float, at_most: int) -> int:
        """Parts due by `now` that have not reached the network yet (queued, or being
        sent), counted up to `at_most`: what the modems' daily caps must still make room
        for. The bound keeps a long backlog from costing every request a long count."""
        row = await self._fetchone(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM parts WHERE status IN ('queued', 'sending') "
            "AND next_attempt_at <= ? LIMIT ?)", (now, at_most))
        return row["n"] if row else 0

    async def next_due_time(self) -> float | None:
        row = await self._fetchone("SELECT MIN(next_attempt_at) AS t FROM parts WHERE status = 'queued'")
        return row["t"] if row else None

    async def expire_due(self, now: float) -> list[str]:
        """Messages not sent within their validity: remaining parts and message become expired."""
        # Look first on the read connection (the partial index makes it cheap):
        # most of the time there is nothing to expire and the writer is left alone.
        if not await self._fetchone(
                "SELECT 1 AS x FROM messages WHERE status = 'queued' AND expires_at IS NOT NULL "
                "AND expires_at <= ? LIMIT 1", (now,)):
            return []

        def fn(conn: sqlite3.Connection) -> list[str]:
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM messages WHERE status = 'queued' AND expires_at IS NOT NULL "
                "AND expires_at <= ?", (now,))]
            for mid in ids:
                conn.execute("UPDATE parts SET status = 'expired', error = 'validity period ended "
                             "before it could be sent' WHERE message_id = ? AND status = 'queued'",
                             (mid,))
                self._refresh(conn, mid, now, why=Why("not sent within its validity period",
                                                      ErrorCode.VALIDITY_EXPIRED))
            return ids
        return await self.writer.write(fn)

    async def mark_sending(self, message_id: str, seq: int, modem: str) -> bool:
        """Committed before the PDU is written: a crash after this is an unknown, not a loss.
        False when the part is no longer queued (a sibling failed, it expired): not to be sent."""
        return await self.writer.write(lambda conn: self._sending(conn, message_id, seq, modem))

    async def mark_sent(self, message_id: str, seq: int, mr: int | None, *, unknown: bool = False,
                        error: str | None = None, next_sending: tuple[str, int, str] | None = None) -> bool:
        """Record a part's +CMGS outcome. With `next_sending` (message id, seq, modem) the
        modem's next part is marked `sending` in the same commit, so a modem busy with a
        queue costs one commit per part instead of two; returns whether it was (as
        `mark_sending`)."""
        def fn(conn: sqlite3.Connection) -> bool:
            now = _now()
            conn.execute("UPDATE parts SET status = ?, mr = ?, submitted_at = ?, error = ? "
                         "WHERE message_id = ? AND seq = ?",
                         ("unknown" if unknown else "sent", mr, now, error, message_id, seq))
            # Counted for the modem's daily cap whatever the outcome: an unknown one may
            # have gone out, and the operator counts what went out.
            conn.execute(_COUNT_SUBMITTED, {"day": day_of(now), "message_id": message_id, "seq": seq})
            self._refresh(conn, message_id, now)
            return next_sending is not None and self._sending(conn, *next_sending)
        return await self.writer.write(fn)

    async def mark_retry(self, message_id: str, seq: int, at: float, error: str,
                         *, release_modem: bool = False) -> None:
        """Back to the queue (a temporary error, or the modem went away before writing)."""
        def fn(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE parts SET status = 'queued', next_attempt_at = ?, error = ? "
                         "WHERE message_id = ? AND seq = ?", (at, error, message_id, seq))
            if release_modem:
                # Only when no part has gone out yet can the message move to another modem.
                conn.execute(
                    "UPDATE messages SET modem = NULL WHERE id = ? AND NOT EXISTS (SELECT 1 FROM parts "
                    "WHERE message_id = ? AND status IN ('sent', 'unknown', 'delivered', 'sending'))",
                    (message_id, message_id))
        await self.writer.write(fn)

    async def mark_failed(self, message_id: str, seq: int, error: str, *,
                          code: ErrorCode = ErrorCode.NETWORK_REJECTED, detail: int | None = None) -> None:
        """A part the modem refused for good (or whose retries ran out, `code`): the
        message fails, its remaining parts are not sent. `detail`: the +CMS ERROR number,
        when the modem gave one."""
        def fn(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE parts SET status = 'failed', error = ? WHERE message_id = ? AND seq = ?",
                         (error, message_id, seq))
            self._fail_rest(conn, message_id, _now(), Why(error, code, detail))
        await self.writer.write(fn)

    async def in_flight(self) -> list[dict]:
        """Parts marked sending: the process stopped between mark_sending and the answer."""
        return await self._fetchall("SELECT message_id, seq, modem FROM parts WHERE status = 'sending'")

    async def unknown_parts(self) -> list[dict]:
        """Parts whose submission had no answer, of messages not yet settled."""
        return await self._fetchall(
            "SELECT p.message_id, p.seq, p.modem, p.mr, p.submitted_at, p.resent, m.policy "
            "FROM parts p JOIN messages m ON m.id = p.message_id "
            "WHERE p.status = 'unknown' AND m.status NOT IN ('failed', 'expired', 'cancelled') "
            "ORDER BY p.submitted_at")

    async def reconcile_in_flight(self) -> int:
        """At start-up: parts caught in 'sending' become 'unknown' (they may have gone out)."""
        def fn(conn: sqlite3.Connection) -> int:
            now = _now()
            caught = conn.execute("SELECT message_id, seq FROM parts WHERE status = 'sending'").fetchall()
            for mid, seq in caught:
                conn.execute(_COUNT_SUBMITTED, {"day": day_of(now), "message_id": mid, "seq": seq})
            conn.execute("UPDATE parts SET status = 'unknown', submitted_at = ?, error = "
                         "'the gateway stopped while this part was being sent' "
                         "WHERE status = 'sending'", (now,))
            for mid in {mid for mid, _ in caught}:
                self._refresh(conn, mid, now)
            return len(caught)
        return await self.writer.write(fn)

    async def submitted_around(self, modem: str, submitted_at: float) -> tuple[dict | None, dict | None]:
        """The modem's submissions just before and just after this time (their MRs tell
        whether the part in between took a message reference)."""
        before = await self._fetchone(
            "SELECT mr, status FROM parts WHERE modem = ? AND submitted_at < ? "
            "ORDER BY submitted_at DESC LIMIT 1", (modem, submitted_at))
        after = await self._fetchone(
            "SELECT mr, status FROM parts WHERE modem = ? AND submitted_at > ? "
            "ORDER BY submitted_at LIMIT 1", (modem, submitted_at))
        return before, after

    async def sent_today(self, now: float) -> dict[str, int]:
        """Parts submitted per modem on the local day of `now` (for per_day caps)."""
        rows = await self._fetchall("SELECT modem, sent FROM modem_days WHERE day = ?", (day_of(now),))
        return {r["modem"]: r["sent"] for r in rows}

    async def requeue_unsent(self, message_id: str, seq: int, reason: str) -> bool:
        """An unknown part shown never to have left the modem: queued again, as if
        nothing had been written (it does not count as a resend)."""
        def fn(conn: sqlite3.Connection) -> bool:
            return conn.execute(
                "UPDATE parts SET status = 'queued', next_attempt_at = ?, submitted_at = NULL, "
                "error = ? WHERE message_id = ? AND seq = ? AND status = 'unknown'",
                (_now(), reason, message_id, seq)).rowcount == 1
        return await self.writer.write(fn)

    async def resolve_unknown(self, message_id: str, seq: int, *, resend: bool, reason: str) -> None:
        """No status report came for an unknown part within the window: send it once more
        (at_least_once), or settle the message as failed with `reason` (the client is
        told, by status and webhook, that delivery was never confirmed)."""
        def fn(conn: sqlite3.Connection) -> None:
            now = _now()
            if resend:
                conn.execute("UPDATE parts SET status = 'queued', next_attempt_at = ?, "
                             "resent = resent + 1, error = ? "
                             "WHERE message_id = ? AND seq = ? AND status = 'unknown'",
                             (now, reason, message_id, seq))
                return
            if conn.execute("UPDATE parts SET status = 'failed', error = ? "
                            "WHERE message_id = ? AND seq = ? AND status = 'unknown'",
                            (reason, message_id, seq)).rowcount:
                self._fail_rest(conn, message_id, now, Why(reason, ErrorCode.DELIVERY_UNCONFIRMED))
        await self.writer.write(fn)

    async def expire_unreported(self, older_than: float) -> list[str]:
        """Parts accepted by the SC whose status report never came before `older_than`:
        a report can no longer be matched, so the message is settled as expired."""
        if not await self._fetchone("SELECT 1 AS x FROM parts WHERE status = 'sent' AND submitted_at < ? "
                                    "LIMIT 1", (older_than,)):
            return []

        def fn(conn: sqlite3.Connection) -> list[str]:
            now = _now()
            ids = [r[0] for r in conn.execute(
                "SELECT DISTINCT message_id FROM parts WHERE status = 'sent' AND submitted_at < ?",
                (older_than,))]
            reason = "no status report came while one could still be matched"
            for mid in ids:
                conn.execute("UPDATE parts SET status = 'expired', error = ? WHERE message_id = ? "
                             "AND status = 'sent' AND submitted_at < ?", (reason, mid, older_than))
                self._refresh(conn, mid, now, why=Why(reason, ErrorCode.NO_REPORT))
            return ids
        return await self.writer.write(fn)

    async def report_candidates(self, modem: str, mr: int, since: float) -> list[dict]:
        return await self._fetchall(_CANDIDATES, {"modem": modem, "mr": mr, "since": since})

    async def apply_report(self, message_id: str, seq: int, *, part_status: str, report_status: int,
                           reason: str, at: float | None, pdu: dict, pdu_id: int | None = None) -> None:
        """Record a status report on its part and update the message (and mark the
        kept PDU handled, in the same transaction)."""
        update = ReportUpdate(part_status, report_status, reason, at, pdu)
        await self.writer.write(lambda conn: self._apply_report(conn, message_id, seq, update, pdu_id))

    async def store_report(self, modem: str, pdu: str, length: int | None, *, mr: int, since: float,
                           choose: Callable[[list[dict]], dict | None],
                           update: ReportUpdate) -> tuple[int, dict | None]:
        """Keep a status report and apply it to the part `choose` picks among the
        candidates (same modem and MR), all in one commit. Returns the kept PDU's id and
        the part chosen; with None the report is kept unapplied (`handled_at` unset)."""
        def fn(conn: sqlite3.Connection) -> tuple[int, dict | None]:
            pdu_id = self._received(conn, modem, pdu, length, "status_report", None)
            match = choose([dict(r) for r in conn.execute(_CANDIDATES, {"modem": modem, "mr": mr, "since": since})])
            if match is not None:
                self._apply_report(conn, match["message_id"], match["seq"], update, pdu_id)
            return pdu_id, match
        return await self.writer.write(fn, linger=RECEIVED_LINGER)

    # -- receiving -----------------------------------------------------------

    async def store_received(self, modem: str, pdu: str, length: int | None, kind: str,
                             error: str | None) -> int:
        """Keep every PDU a modem handed over, decodable or not. Committed on return."""
        return await self.writer.write(lambda conn: self._received(conn, modem, pdu, length, kind, error),
                                       linger=RECEIVED_LINGER)

    async def store_inbound(self, modem: str, from_number: str, text: str, parts: int,
                            complete: bool, sent_at: float | None, pdu_ids: Iterable[int]) -> str:
        def fn(conn: sqlite3.Connection) -> str:
            now = _now()
            iid = new_id("in")
            conn.execute("INSERT INTO inbound (id, modem, from_number, text, parts, complete, sent_at, "
                         "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (iid, modem, from_number, text, parts, int(complete), sent_at, now))
            conn.executemany("UPDATE received_pdus SET inbound_id = ? WHERE id = ?",
                             [(iid, pid) for pid in pdu_ids])
            body = {"event": "message.received", "id": iid, "direction": "inbound",
                    "from": from_number, "text": text, "modem": modem, "parts": parts,
                    "complete": complete, "sent_at": iso(sent_at), "received_at": iso(now)}
            self._event(conn, None, "message.received", body, now)
            if self.default_webhook_url:
                self._webhook(conn, None, "message.received", self.default_webhook_url, body, None, now)
            for url, dialect in self.inbound_webhooks:
                self._webhook(conn, None, "message.received", url, body, self._owner(conn, dialect), now,
                              dialect)
            return iid
        return await self.writer.write(fn)

    def _owner(self, conn: sqlite3.Connection, dialect: str) -> int | None:
        """The active key a dialect's received messages are signed for (inbound_owners), looked
        up at each message, so that a key created or revoked later counts."""
        owner = self.inbound_owners.get(dialect)
        if owner is None:
            return None
        kind, ident = owner
        row = conn.execute(f"SELECT id FROM api_keys WHERE {_CREDENTIALS[kind][0]} = ? "
                           "AND revoked_at IS NULL", (ident,)).fetchone()
        return row[0] if row else None

    async def received_duplicate(self, pdu_id: int) -> None:
        """A part received again: kept, and settled so that no restart reassembles it."""
        def fn(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE received_pdus SET handled_at = ?, error = 'a copy of a part already "
                         "received' WHERE id = ?", (_now(), pdu_id))
        await self.writer.write(fn, linger=RECEIVED_LINGER)

    async def report_handled(self, pdu_id: int) -> None:
        """A kept status report that matched no part: nothing more to do with it."""
        def fn(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE received_pdus SET handled_at = ? WHERE id = ?", (_now(), pdu_id))
        await self.writer.write(fn)

    async def pending_reports(self) -> list[dict]:
        """Status reports committed but not applied: the process stopped in between."""
        return await self._fetchall("SELECT * FROM received_pdus WHERE kind = 'status_report' "
                                    "AND handled_at IS NULL ORDER BY id")

    async def pending_received(self) -> list[dict]:
        """Deliver PDUs stored but not yet assembled into a message (for reassembly after restart)."""
        return await self._fetchall("SELECT * FROM received_pdus WHERE kind = 'deliver' "
                                    "AND inbound_id IS NULL AND handled_at IS NULL ORDER BY id")

    async def list_inbound(self, *, since: float | None = None, after: str | None = None,
                           limit: int = 50) -> list[dict]:
        where, params = [], []
        if since is not None:
            where.append("received_at >= ?")
            params.append(since)
        if after is not None:
            where.append("id < ?")
            params.append(after)
        sql = "SELECT * FROM inbound" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return await self._fetchall(sql, params)

    async def list_events(self, *, after: int = 0, limit: int = 50,
                          api_key_id: int | None = None, every_key: bool = False) -> list[dict]:
        """The event log in cursor order: events of this key's messages and of received ones
        (`every_key`: everything, for the operator)."""
        return await self._fetchall(
            "SELECT e.cursor, e.at, e.message_id, e.type, e.data FROM events e "
            "LEFT JOIN messages m ON m.id = e.message_id WHERE e.cursor > ? AND "
            "(? OR e.message_id IS NULL OR m.api_key_id IS NULL OR m.api_key_id IS ?) "
            "ORDER BY e.cursor LIMIT ?", (after, every_key, api_key_id, limit))

    async def last_event_cursor(self) -> int:
        row = await self._fetchone("SELECT MAX(cursor) AS c FROM events")
        return (row["c"] if row else None) or 0

    async def message_events(self, message_id: str, limit: int = 200) -> list[dict]:
        return await self._fetchall("SELECT cursor, at, type, data FROM events WHERE message_id = ? "
                                    "ORDER BY cursor LIMIT ?", (message_id, limit))

    # -- SMPP's own (modemgw/smppd) ------------------------------------------------

    async def smpp_cursor(self, key_id: int) -> int:
        """How far this key's SMPP receivers have acknowledged the event log. A key seen
        for the first time starts at its end: what happened before it bound is not owed."""
        def fn(conn: sqlite3.Connection) -> int:
            conn.execute("INSERT OR IGNORE INTO smpp_cursors (api_key_id, cursor) "
                         "SELECT ?, COALESCE(MAX(cursor), 0) FROM events", (key_id,))
            return conn.execute("SELECT cursor FROM smpp_cursors WHERE api_key_id = ?", (key_id,)).fetchone()[0]
        return await self.writer.write(fn)

    async def save_smpp_cursor(self, key_id: int, cursor: int, *, linger: float = 0.0) -> None:
        def fn(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE smpp_cursors SET cursor = MAX(cursor, ?) WHERE api_key_id = ?", (cursor, key_id))
        await self.writer.write(fn, linger=linger)

    async def request_smpp_receipts(self, rows: Sequence[tuple[str, int, str, int]]) -> None:
        """(message id, registered_delivery, the id the ESME knows it by, segments submitted)."""
        def fn(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT OR REPLACE INTO smpp_receipts (message_id, registered_delivery, "
                             "receipt_id, segments) VALUES (?, ?, ?, ?)", rows)
        await self.writer.write(fn)

    async def smpp_receipts(self, message_ids: Sequence[str]) -> dict[str, dict]:
        rows = await self._fetchall(f"SELECT * FROM smpp_receipts WHERE message_id IN "
                                    f"({', '.join('?' * len(message_ids))})", list(message_ids))
        return {r["message_id"]: r for r in rows}

    # -- webhooks --------------------------------------------------------------

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
            now = _now()
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
        where, params = [], []
        if failing:
            where.append("status IN ('pending', 'dead') AND (status = 'dead' OR attempts > 0)")
        for clause, value in (("status = ?", status), ("message_id = ?", message_id)):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = "SELECT * FROM webhook_deliveries" + (" WHERE " + " AND ".join(where) if where else "")
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

    async def queue_summary(self) -> list[dict]:
        """Parts not yet settled by the modems, by status and modem (None: not yet
        assigned), with the creation time of the oldest one's message."""
        return await self._fetchall(
            "SELECT p.status, COALESCE(p.modem, m.modem) AS modem, COUNT(*) AS parts, "
            "MIN(m.created_at) AS oldest FROM parts p JOIN messages m ON m.id = p.message_id "
            "WHERE p.status IN ('queued', 'sending', 'unknown') GROUP BY 1, 2 ORDER BY 1, 2")

    async def waiting_parts(self, limit: int = 20) -> list[dict]:
        """The oldest of those parts."""
        return await self._fetchall(
            "SELECT p.message_id, p.seq, p.total, p.status, COALESCE(p.modem, m.modem) AS modem, "
            "p.attempts, p.next_attempt_at, p.error, m.to_number, m.created_at FROM parts p "
            "JOIN messages m ON m.id = p.message_id WHERE p.status IN ('queued', 'sending', 'unknown') "
            "ORDER BY m.created_at, p.message_id, p.seq LIMIT ?", (limit,))

    async def counts(self) -> dict[str, int]:
        """Queue depth and backlog figures for /metrics."""
        out = {}
        for name, sql in (
                ("parts_queued", "SELECT COUNT(*) AS n FROM parts WHERE status = 'queued'"),
                ("parts_in_flight", "SELECT COUNT(*) AS n FROM parts WHERE status IN ('sending', 'unknown')"),
                ("webhooks_pending", "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'"),
                ("webhooks_dead", "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'dead'")):
            row = await self._fetchone(sql)
            out[name] = row["n"] if row else 0
        return out

    # -- inside write transactions ---------------------------------------------

    def _committed(self) -> None:
        # A rolled-back job may have counted one too many: at worst one needless pass.
        self.webhooks_written = self._webhooks_uncommitted

    def _sending(self, conn: sqlite3.Connection, message_id: str, seq: int, modem: str) -> bool:
        # Only a part still queued: one handed to a modem's queue may have been failed
        # (an earlier part was rejected) or expired since.
        if not conn.execute("UPDATE parts SET status = 'sending', modem = ?, attempts = attempts + 1 "
                            "WHERE message_id = ? AND seq = ? AND status = 'queued'",
                            (modem, message_id, seq)).rowcount:
            return False
        conn.execute("UPDATE messages SET modem = ? WHERE id = ? AND modem IS NULL", (modem, message_id))
        return True

    def _fail_rest(self, conn: sqlite3.Connection, message_id: str, now: float, why: Why) -> None:
        # A message that failed sends none of its remaining parts; it takes the failing
        # part's reason and code ("an earlier part failed" is not a reason of its own).
        conn.execute("UPDATE parts SET status = 'failed', error = 'an earlier part failed' "
                     "WHERE message_id = ? AND status = 'queued'", (message_id,))
        self._refresh(conn, message_id, now, why=why)

    def _received(self, conn: sqlite3.Connection, modem: str, pdu: str, length: int | None, kind: str,
                  error: str | None) -> int:
        cur = conn.execute("INSERT INTO received_pdus (modem, received_at, pdu, length, kind, error) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (modem, _now(), pdu, length, kind, error))
        return int(cur.lastrowid)

    def _apply_report(self, conn: sqlite3.Connection, message_id: str, seq: int, update: ReportUpdate,
                      pdu_id: int | None) -> None:
        now = _now()
        if pdu_id is not None:
            conn.execute("UPDATE received_pdus SET handled_at = ? WHERE id = ?", (now, pdu_id))
        # report_at is our clock (never before the submission); the network's own times
        # are kept beside it, since its clock may differ from ours by minutes.
        conn.execute("UPDATE parts SET status = ?, report_status = ?, report_at = MAX(?, IFNULL(submitted_at, 0)), "
                     "network_submitted_at = ?, network_done_at = ?, error = ? "
                     "WHERE message_id = ? AND seq = ?",
                     (update.part_status, update.report_status, now, update.submitted, update.at,
                      None if update.part_status in ("delivered", "sent") else update.reason,
                      message_id, seq))
        self._event(conn, message_id, "part.report", {"seq": seq, "status": update.report_status,
                                                       "reason": update.reason, **update.pdu}, now)
        code = _REPORT_CODES.get(update.part_status)
        if code is None:
            self._refresh(conn, message_id, now, network_delivered_at=update.at)
        else:
            # Reported not delivered for good: the rest of the message would be a fragment.
            conn.execute("UPDATE parts SET status = ?, error = 'an earlier part was not delivered' "
                         "WHERE message_id = ? AND status = 'queued'", (update.part_status, message_id))
            self._refresh(conn, message_id, now, why=Why(update.reason, code, update.report_status))

    def _event(self, conn: sqlite3.Connection, message_id: str | None, kind: str, data: dict,
               now: float) -> None:
        conn.execute("INSERT INTO events (at, message_id, type, data) VALUES (?, ?, ?, ?)",
                     (now, message_id, kind, json.dumps(data, separators=(",", ":"))))

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
        """Recompute the message status from its parts; log and announce a change."""
        msg = conn.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
        if msg is None or msg["status"] in FINAL:
            return
        statuses = [r[0] for r in conn.execute("SELECT status FROM parts WHERE message_id = ?",
                                               (message_id,))]
        status = aggregate(statuses)
        if status == msg["status"]:
            return
        # Our clock only, and never backwards within a message (created ≤ sent ≤ delivered),
        # even when the wall clock is stepped in between.
        now = max(now, msg["created_at"], msg["sent_at"] or 0)
        sets = ["status = ?", "updated_at = ?"]
        params: list = [status, now]
        if status == "sent" or (status == "delivered" and msg["sent_at"] is None):
            sets.append("sent_at = ?")
            params.append(now)
        if status == "delivered":
            sets += ["delivered_at = ?", "network_delivered_at = ?"]
            params += [now, network_delivered_at]
        if why is not None and status in ("failed", "expired"):
            sets += ["error = ?", "error_code = ?", "error_detail = ?"]
            params += [why.error, why.code.value, why.detail]
        conn.execute(f"UPDATE messages SET {', '.join(sets)} WHERE id = ?", (*params, message_id))
        updated = dict(conn.execute("SELECT rowid AS seqno, * FROM messages WHERE id = ?",
                                    (message_id,)).fetchone())
        event = WEBHOOK_EVENTS.get(status)
        self._event(conn, message_id, event or f"message.{status}", {"status": status}, now)
        if not event:
            return
        body, key_id, dialect = webhook_body(event, updated), updated["api_key_id"], updated["dialect"]
        url = updated["callback_url"] or self.default_webhook_url
        if url:
            self._webhook(conn, message_id, event, url, body, key_id, now, dialect)
        if key_id is not None:
            for sub_url, events in conn.execute(
                    "SELECT url, events FROM webhook_subscriptions WHERE api_key_id = ? AND dialect = ?",
                    (key_id, dialect)):
                if event in json.loads(events) and sub_url != updated["callback_url"]:
                    self._webhook(conn, message_id, event, sub_url, body, key_id, now, dialect)


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}Z"


def webhook_body(event: str, message: dict) -> dict:
    return {
        "event": event,
        "id": message["id"],
        # The row's number: the integer id of dialects whose ids are numbers (Voximplant's).
        "seqno": message["seqno"],
        "status": message["status"],
        "to": message["to_number"],
        "from": message["sender"],
        "segments": message["segments"],
        "created_at": iso(message["created_at"]),
        "sent_at": iso(message["sent_at"]),
        "delivered_at": iso(message["delivered_at"]),
        "error": message["error"],
        "error_code": message["error_code"],
        "error_detail": message["error_detail"],
    }

