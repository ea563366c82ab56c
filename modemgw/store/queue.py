"""The send queue as the dispatcher works it: due parts, their outcomes, parts in doubt,
the modems' daily counts, expiry; and the queue's figures for the operator.

Guarantees: a part is marked `sending` (committed) before its PDU is written, so a crash
after that is an unknown outcome, never a loss; only a part still queued is marked
sending, so a part failed or expired meanwhile is not sent; a part counts against its
modem's daily cap once submitted, whatever the outcome; a message that fails sends none
of its remaining parts; every outcome updates its message's status in the same commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from .base import StoreBase, clock
from .days import day_of
from .records import DuePart, Why
from .status import ErrorCode

# One more part submitted through the part's modem today (its [[modem]] per_day).
_COUNT_SUBMITTED = (
    "INSERT INTO modem_days (modem, day, sent) SELECT modem, :day, 1 FROM parts "
    "WHERE message_id = :message_id AND seq = :seq AND modem IS NOT NULL "
    "ON CONFLICT (modem, day) DO UPDATE SET sent = modem_days.sent + 1")
_WAITING = "p.status IN ('queued', 'sending', 'unknown')"


def _carried(vias: Sequence[str] | None, modems: Sequence[str] | None) -> tuple[str, list[str]]:
    """The conditions (on `messages m`) for parts these pins and modems may carry."""
    where, params = "", []
    if vias is not None:
        where += f" AND (m.via IS NULL OR m.via IN ({', '.join('?' * len(vias))}))" if vias else " AND m.via IS NULL"
        params += vias
    if modems is not None:
        where += f" AND (m.modem IS NULL OR m.modem IN ({', '.join('?' * len(modems))}))" if modems \
            else " AND m.modem IS NULL"
        params += modems
    return where, params


class QueueRecords(StoreBase):
    async def due_parts(self, now: float, limit: int = 100, *, vias: Sequence[str] | None = None,
                        modems: Sequence[str] | None = None) -> list[DuePart]:
        """Queued parts whose time has come, most urgent first, in part order (read from
        the index in that order: the backlog is never sorted). With `vias`, only the parts
        of messages pinned to none or to one of these (dispatch/routing.py `serves`); with
        `modems`, only those of messages not yet tied to another modem."""
        where, params = _carried(vias, modems)
        rows = await self._read_now(
            "SELECT p.message_id, p.seq, p.total, p.pdu, p.tpdu_length, p.attempts, m.to_number, "
            "m.sender, m.modem, p.priority, m.via FROM parts p INDEXED BY parts_queue "
            f"JOIN messages m ON m.id = p.message_id WHERE p.status = 'queued' AND p.next_attempt_at <= ?{where} "
            "ORDER BY p.priority DESC, p.next_attempt_at, p.message_id, p.seq LIMIT ?",
            (now, *params, limit))
        return [DuePart(r["message_id"], r["seq"], r["total"], r["pdu"], r["tpdu_length"],
                        r["attempts"], r["to_number"], r["sender"], r["modem"], r["priority"], r["via"])
                for r in rows]

    async def parts_waiting(self, now: float, at_most: int) -> int:
        """Parts due by `now` that have not reached the network yet (queued, or being
        sent), counted up to `at_most`: what the modems' daily caps must still make room
        for. The bound keeps a long backlog from costing every request a long count."""
        row = await self._fetchone(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM parts WHERE status IN ('queued', 'sending') "
            "AND next_attempt_at <= ? LIMIT ?) AS waiting", (now, at_most))
        return row["n"] if row else 0

    async def next_due_time(self, *, vias: Sequence[str] | None = None) -> float | None:
        """The earliest due time of a queued part; with `vias`, of one whose message is
        pinned to none or to one of these (as `due_parts`)."""
        if vias is None:
            rows = await self._read_now("SELECT MIN(next_attempt_at) AS t FROM parts WHERE status = 'queued'")
        else:
            where, params = _carried(vias, None)
            rows = await self._read_now(
                "SELECT MIN(p.next_attempt_at) AS t FROM parts p JOIN messages m ON m.id = p.message_id "
                f"WHERE p.status = 'queued'{where}", params)
        return rows[0]["t"] if rows else None

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
                        error: str | None = None, next_sending: tuple[str, int, str] | None = None,
                        report_requested: bool = True) -> bool:
        """Record a part's +CMGS outcome. With `next_sending` (message id, seq, modem) the
        modem's next part is marked `sending` in the same commit, so a modem busy with a
        queue costs one commit per part instead of two; returns whether it was (as
        `mark_sending`)."""
        def fn(conn: sqlite3.Connection) -> bool:
            now = clock()
            conn.execute("UPDATE parts SET status = ?, mr = ?, submitted_at = ?, error = ?, report_requested = ? "
                         "WHERE message_id = ? AND seq = ?",
                         ("unknown" if unknown else "sent", mr, now, error, int(report_requested),
                          message_id, seq))
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
            # Free for any node's modems again (docs/scale-out.md).
            conn.execute("UPDATE parts SET status = 'queued', next_attempt_at = ?, error = ?, claimed_by = NULL "
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
            self._fail_rest(conn, message_id, clock(), Why(error, code, detail))
        await self.writer.write(fn)

    async def unknown_parts(self) -> list[dict]:
        """Parts whose submission had no answer, of messages not yet settled."""
        return await self._fetchall(
            "SELECT p.message_id, p.seq, p.modem, p.mr, p.submitted_at, p.resent, m.policy "
            "FROM parts p JOIN messages m ON m.id = p.message_id "
            "WHERE p.status = 'unknown' AND m.status NOT IN ('failed', 'expired', 'cancelled') "
            "ORDER BY p.submitted_at")

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

    async def requeue_unsent(self, message_id: str, seq: int, reason: str) -> bool:
        """An unknown part shown never to have left the modem: queued again, as if
        nothing had been written (it does not count as a resend)."""
        def fn(conn: sqlite3.Connection) -> bool:
            return conn.execute(
                "UPDATE parts SET status = 'queued', next_attempt_at = ?, submitted_at = NULL, "
                "error = ? WHERE message_id = ? AND seq = ? AND status = 'unknown'",
                (clock(), reason, message_id, seq)).rowcount == 1
        return await self.writer.write(fn)

    async def resolve_unknown(self, message_id: str, seq: int, *, resend: bool, reason: str) -> None:
        """No status report came for an unknown part within the window: send it once more
        (at_least_once), or settle the message as failed with `reason` (the client is
        told, by status and webhook, that delivery was never confirmed)."""
        def fn(conn: sqlite3.Connection) -> None:
            now = clock()
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
        # A part that asked for no report waits for none: `sent` is final for it.
        if not await self._fetchone("SELECT 1 AS x FROM parts WHERE status = 'sent' AND submitted_at < ? "
                                    "AND report_requested = 1 LIMIT 1", (older_than,)):
            return []

        def fn(conn: sqlite3.Connection) -> list[str]:
            now = clock()
            ids = [r[0] for r in conn.execute(
                "SELECT DISTINCT message_id FROM parts WHERE status = 'sent' AND submitted_at < ? "
                "AND report_requested = 1",
                (older_than,))]
            reason = "no status report came while one could still be matched"
            for mid in ids:
                conn.execute("UPDATE parts SET status = 'expired', error = ? WHERE message_id = ? "
                             "AND status = 'sent' AND submitted_at < ? AND report_requested = 1",
                             (reason, mid, older_than))
                self._refresh(conn, mid, now, why=Why(reason, ErrorCode.NO_REPORT))
            return ids
        return await self.writer.write(fn)

    async def sent_today(self, now: float) -> dict[str, int]:
        """Parts submitted per modem on the local day of `now` (for per_day caps)."""
        rows = await self._fetchall("SELECT modem, sent FROM modem_days WHERE day = ?", (day_of(now),))
        return {r["modem"]: r["sent"] for r in rows}

    async def queue_summary(self) -> list[dict]:
        """Parts not yet settled by the modems, by status and modem (None: not yet
        assigned, listed first on both engines), with the creation time of the oldest one's
        message."""
        return await self._fetchall(
            "SELECT p.status, COALESCE(p.modem, m.modem) AS modem, COUNT(*) AS parts, "
            "MIN(m.created_at) AS oldest FROM parts p JOIN messages m ON m.id = p.message_id "
            f"WHERE {_WAITING} GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST")

    async def waiting_parts(self, limit: int = 20) -> list[dict]:
        """The oldest of those parts."""
        return await self._fetchall(
            "SELECT p.message_id, p.seq, p.total, p.status, COALESCE(p.modem, m.modem) AS modem, "
            "p.attempts, p.next_attempt_at, p.error, m.to_number, m.created_at FROM parts p "
            f"JOIN messages m ON m.id = p.message_id WHERE {_WAITING} "
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

    def _sending(self, conn: sqlite3.Connection, message_id: str, seq: int, modem: str) -> bool:
        # Through the message's modem only: the first part sent ties the message to its
        # modem (a handset joins the parts by their sender). The message's row first: with
        # several nodes it is the lock that keeps two of them from sending two parts of one
        # message through two modems; a part tied elsewhere is left for that modem's node.
        if not conn.execute("UPDATE messages SET modem = ? WHERE id = ? AND (modem IS NULL OR modem = ?)",
                            (modem, message_id, modem)).rowcount:
            conn.execute("UPDATE parts SET claimed_by = NULL WHERE message_id = ? AND seq = ? "
                         "AND claimed_by = ? AND status = 'queued'", (message_id, seq, self.node_name))
            return False
        # Only a part still queued: one handed to a modem's queue may have been failed
        # (an earlier part was rejected) or expired since. Nor one another node holds
        # (docs/scale-out.md): its claim stands until its lease ends.
        return bool(conn.execute(
            "UPDATE parts SET status = 'sending', modem = ?, attempts = attempts + 1, claimed_by = ? "
            "WHERE message_id = ? AND seq = ? AND status = 'queued' "
            "AND (claimed_by IS NULL OR claimed_by = ? OR claim_until IS NULL OR claim_until < ?)",
            (modem, self.node_name, message_id, seq, self.node_name, clock())).rowcount)
