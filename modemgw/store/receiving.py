"""What the modems hand over: every PDU kept, status reports applied to their parts,
received messages stored and announced.

Guarantees: every PDU a modem handed over is committed, decodable or not, before the
modem is told it was received; a status report is kept and applied to its part in one
commit, and one left unapplied (`handled_at` unset) is found again after a restart; a
received message, the link of its PDUs to it, its event and its webhook deliveries are
committed together; a part received again is settled, so no restart reassembles it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from .base import StoreBase, clock
from .ids import new_id
from .keys_store import CREDENTIALS
from .records import ReportUpdate, Why
from .rules import iso
from .status import ErrorCode

# A received PDU's commit may wait this long (s) to share one with the next part
# being sent: on a busy modem that halves the commits, and the modem is told
# the PDU is received (AT+CNMA) only a few milliseconds later.
RECEIVED_LINGER = 0.005

# A status report that ends a part, by the part status it gives.
_REPORT_CODES = {"failed": ErrorCode.UNDELIVERED, "expired": ErrorCode.REPORT_EXPIRED}

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
# Only a PDU not handled yet: a kept report is applied once, whoever applies it.
_HANDLED = "UPDATE received_pdus SET handled_at = ? WHERE id = ? AND handled_at IS NULL"


class ReceivingRecords(StoreBase):
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
            match = choose([dict(r) for r in conn.execute(_CANDIDATES, {"modem": modem, "mr": mr, "since": since})])
            # Kept already handled when it is applied here: one statement fewer than
            # keeping it and then marking it.
            pdu_id = self._received(conn, modem, pdu, length, "status_report", None,
                                    handled=match is not None)
            if match is not None:
                self._apply_report(conn, match["message_id"], match["seq"], update, None)
            return pdu_id, match
        return await self.writer.write(fn, linger=RECEIVED_LINGER)

    async def store_received(self, modem: str, pdu: str, length: int | None, kind: str,
                             error: str | None) -> int:
        """Keep every PDU a modem handed over, decodable or not. Committed on return."""
        return await self.writer.write(lambda conn: self._received(conn, modem, pdu, length, kind, error),
                                       linger=RECEIVED_LINGER)

    async def store_inbound(self, modem: str, from_number: str, text: str, parts: int,
                            complete: bool, sent_at: float | None, pdu_ids: Iterable[int]) -> str:
        def fn(conn: sqlite3.Connection) -> str:
            now = clock()
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
        row = conn.execute(f"SELECT id FROM api_keys WHERE {CREDENTIALS[kind][0]} = ? "
                           "AND revoked_at IS NULL", (ident,)).fetchone()
        return row[0] if row else None

    async def received_duplicate(self, pdu_id: int) -> None:
        """A part received again: kept, and settled so that no restart reassembles it."""
        def fn(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE received_pdus SET handled_at = ?, error = 'a copy of a part already "
                         "received' WHERE id = ?", (clock(), pdu_id))
        await self.writer.write(fn, linger=RECEIVED_LINGER)

    async def report_handled(self, pdu_id: int) -> None:
        """A kept status report that matched no part: nothing more to do with it."""
        def fn(conn: sqlite3.Connection) -> None:
            conn.execute(_HANDLED, (clock(), pdu_id))
        await self.writer.write(fn)

    async def pending_reports(self) -> list[dict]:
        """Status reports committed but not applied: the process stopped in between."""
        return await self._fetchall("SELECT * FROM received_pdus WHERE kind = 'status_report' "
                                    "AND handled_at IS NULL ORDER BY id")

    async def pending_received(self) -> list[dict]:
        """Deliver PDUs stored but not yet assembled into a message (for reassembly after restart)."""
        return await self._fetchall("SELECT * FROM received_pdus WHERE kind = 'deliver' "
                                    "AND inbound_id IS NULL AND handled_at IS NULL ORDER BY id")

    def _received(self, conn: sqlite3.Connection, modem: str, pdu: str, length: int | None, kind: str,
                  error: str | None, *, handled: bool = False) -> int:
        now = clock()
        cur = conn.execute("INSERT INTO received_pdus (modem, received_at, pdu, length, kind, error, handled_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           (modem, now, pdu, length, kind, error, now if handled else None))
        return int(cur.fetchall()[0][0])

    def _apply_report(self, conn: sqlite3.Connection, message_id: str, seq: int, update: ReportUpdate,
                      pdu_id: int | None) -> None:
        now = clock()
        if pdu_id is not None and conn.execute(_HANDLED, (now, pdu_id)).rowcount == 0:
            return      # applied already (a commit that looked failed, another node's restore)
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
