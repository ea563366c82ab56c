"""The API keys' rows, cached in the process, and how any process says a key changed.

Guarantee: a row served from the cache was read after the last key change that any
process had finished, so a key revoked by `modemgw keys revoke` (another process) is
refused on the very next request, and a new key works at once. Every change of a key
(created, with the credentials derived from it, or revoked) appends one byte, after
its COMMIT, to a file beside the database (`<database>-keys`, created mode 0600 like
the database: `private.create`). A lookup first stats that file (about 1 µs, against
7-50 µs for the query, the more under load); while its inode and size are those seen
when the cache was filled, the cache is valid, and any other stat empties it. The stat
is taken before the query, so a row read just as a change commits is cached under the
old stat and dropped at the next lookup.

Why a size and not a time: file times come from the kernel's coarse clock (a tick of
1-10 ms), so two changes within one tick could leave the time as it was; a file that
only grows by appends (atomic with O_APPEND, whoever writes) never repeats its size.
A process killed between its COMMIT and its append leaves the others' caches stale:
a row is kept MAX_AGE seconds at most. Only rows found are kept (a wrong or revoked
credential reads the database each time), MAX_ROWS at most.

Only SQLite files have it: a PostgreSQL store reads every lookup (its nodes would need
the change announced in the changing transaction), and so does ":memory:".
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Hashable

from . import private

SUFFIX = "-keys"
MAX_AGE = 10.0          # s: how long a cached row may outlive a change not announced
MAX_ROWS = 1024


def sidecar(database: str) -> str | None:
    """The file announcing key changes for this database; None when it has none."""
    if database == ":memory:" or database.startswith(("postgresql://", "postgres://")):  # store.is_url
        return None
    return database + SUFFIX


def announce(database: str) -> None:
    """Tell every process that a key changed: call after the change has committed."""
    path = sidecar(database)
    if path is None:
        return
    private.create(path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW)
    try:
        os.write(fd, b"\n")
    finally:
        os.close(fd)


class KeyCache:
    """Rows by lookup (its SQL and parameters), valid while the sidecar file is unchanged."""

    def __init__(self, database: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = sidecar(database)
        self._clock = clock
        self._stamp: tuple[int, int] | None = None
        self._filled = 0.0
        self._rows: dict[Hashable, dict] = {}

    def valid(self) -> bool:
        """Whether cached rows may be used and new ones kept; empties the cache when the
        file changed. Call before reading the database."""
        if self.path is None:
            return False
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._rows.clear()
            self._stamp = None
            try:
                private.create(self.path)     # so that the next lookup can use the cache
            except OSError:
                pass
            return False
        except OSError:
            self._rows.clear()
            self._stamp = None
            return False
        stamp = (st.st_ino, st.st_size)
        now = self._clock()
        if stamp != self._stamp or now - self._filled > MAX_AGE or len(self._rows) >= MAX_ROWS:
            self._rows.clear()
            self._stamp = stamp
            self._filled = now
        return True

    def get(self, key: Hashable) -> dict | None:
        row = self._rows.get(key)
        return dict(row) if row is not None else None

    def put(self, key: Hashable, row: dict) -> None:
        self._rows[key] = dict(row)
