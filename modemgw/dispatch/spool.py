"""What the modems received while the database could not be reached, kept on local disk.

A node cut off from its PostgreSQL database keeps driving its modems: a status report or
a message that arrives is written here (a small SQLite file of this node's own,
synchronous=FULL, 0600) and only then let go by the modem, so the SIM's memory does not
fill and the network does not give up retrying. Once the database answers again, the
dispatcher hands each kept PDU over as if it had just arrived, and drops it from here
after that commit: nothing received is lost, and a crash between the two only hands one
over twice (the store settles a duplicate: a report matches its part once, a message
part is reassembled once).
"""

from __future__ import annotations

import os
import sqlite3
import time

from ..modem import ReceivedPdu
from ..store.private import create as create_private


class Spool:
    """The file is made only when something must be kept (a node that never loses its
    database never has one); one left from an earlier run is handed over at start."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self.waiting = 0
        if os.path.exists(path):
            self.waiting = self._open().execute("SELECT COUNT(*) FROM received").fetchone()[0]

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            create_private(self.path)
            self._conn = sqlite3.connect(self.path, isolation_level=None)
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("CREATE TABLE IF NOT EXISTS received (id INTEGER PRIMARY KEY, "
                               "modem TEXT NOT NULL, hex TEXT NOT NULL, length INTEGER, kept_at REAL NOT NULL)")
        return self._conn

    def keep(self, received: ReceivedPdu) -> None:
        """Committed to disk on return."""
        self._open().execute("INSERT INTO received (modem, hex, length, kept_at) VALUES (?, ?, ?, ?)",
                             (received.modem, received.hex, received.length, time.time()))
        self.waiting += 1

    def kept(self, limit: int = 100) -> list[tuple[int, ReceivedPdu]]:
        """The oldest kept PDUs, decoded again as the modem decoded them."""
        return [(row_id, ReceivedPdu.decoded(modem, text, length)) for row_id, modem, text, length in
                self._open().execute("SELECT id, modem, hex, length FROM received ORDER BY id LIMIT ?",
                                     (limit,))]

    def handed_over(self, row_id: int) -> None:
        self._open().execute("DELETE FROM received WHERE id = ?", (row_id,))
        self.waiting = max(0, self.waiting - 1)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
