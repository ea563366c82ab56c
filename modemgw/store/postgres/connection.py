"""psycopg 3 connections that the store's code can use as it uses sqlite3's.

The writer's jobs take a connection and call `execute`/`executemany` on it, read rows by
index or by name, and look at `rowcount` and `in_transaction`; `Connection` gives them
that over a psycopg connection in autocommit mode (the writer says BEGIN and COMMIT
itself, as it does on SQLite). A connection the server dropped is opened again at the
next transaction's BEGIN, so a database restarted under load costs the writes in flight,
not the process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import adapt, errors, postgres, pq
from psycopg.rows import RowMaker

from .sql import translate

_IDLE = pq.TransactionStatus.IDLE
# Errors after which the same transaction, run again, may well succeed.
RETRYABLE = (errors.DeadlockDetected, errors.SerializationFailure, errors.LockNotAvailable)


class Row:
    """A row read by index (`row[0]`) or by column name (`row["id"]`), as sqlite3.Row."""
    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values, self._index = values, index

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key] if isinstance(key, str) else key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)


def _rows(cursor: Any) -> RowMaker[Row]:
    index = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


class _BoolAsInt(adapt.Dumper):
    """The schema keeps flags as integers (as SQLite does): True is 1."""
    oid = postgres.types["int4"].oid

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


class _Number(adapt.Loader):
    """NUMERIC (what SUM of integers gives) as int when whole, else float: never Decimal."""
    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return float(text) if "." in text or "e" in text.lower() or text in ("NaN", "Infinity", "-Infinity") \
            else int(text)


# PostgreSQL's text cannot hold U+0000 (psycopg refuses it before anything is sent, so the
# transaction is intact), where SQLite keeps it: a text with one (an API request's, or a
# received SMS's UCS-2) is stored with U+FFFD, the replacement character, in its place. Only
# a statement that failed so is run again so: the usual path costs nothing.
NUL, REPLACEMENT = "\x00", "\ufffd"


def has_nul(params: Sequence[Any] | Mapping[str, Any]) -> bool:
    values = params.values() if isinstance(params, Mapping) else params
    return any(isinstance(v, str) and NUL in v for v in values)


def without_nul(params: Sequence[Any] | Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
    def clean(v: Any) -> Any:
        return v.replace(NUL, REPLACEMENT) if isinstance(v, str) else v
    if isinstance(params, Mapping):
        return {k: clean(v) for k, v in params.items()}
    return [clean(v) for v in params]


def configure(conn: psycopg.Connection | psycopg.AsyncConnection) -> None:
    """The type mapping every store connection uses."""
    conn.adapters.register_dumper(bool, _BoolAsInt)
    conn.adapters.register_loader("numeric", _Number)


class Connection:
    """What the writer's jobs see: sqlite3's connection, in the part they use."""

    def __init__(self, url: str, before_commit: Callable[[Connection], None] | None = None) -> None:
        self.url = url
        self._conn: psycopg.Connection[Row] | None = None
        # Rows the store writes only just before COMMIT (`before_commit`), undone with
        # the savepoint they were added under
        self.pending: list[tuple[Any, ...]] = []
        # What the transaction wrote that other nodes act on (store/cluster.py CHANGES):
        # told them with its NOTIFY
        self.changes: set[str] = set()
        self.before_commit = before_commit
        self._saved: list[int] = []
        self._open()

    def _open(self) -> None:
        conn = psycopg.connect(self.url, autocommit=True, row_factory=_rows, connect_timeout=3)
        configure(conn)
        self._conn = conn

    @property
    def raw(self) -> psycopg.Connection[Row]:
        assert self._conn is not None
        return self._conn

    @property
    def in_transaction(self) -> bool:
        return self._conn is not None and not self._conn.closed and \
            self._conn.info.transaction_status != _IDLE

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> psycopg.Cursor[Row]:
        if sql.startswith("BEGIN"):
            if self._conn is None or self._conn.closed or self._conn.broken:
                self.close()
                self._open()
            sql = "BEGIN"
            self.pending.clear()
            self.changes.clear()
            self._saved.clear()
        elif sql == "COMMIT":
            if self.pending and self.before_commit is not None:
                self.before_commit(self)
        elif sql.startswith("SAVEPOINT"):
            self._saved.append(len(self.pending))
        elif sql.startswith("ROLLBACK TO"):
            del self.pending[self._saved[-1]:]
        elif sql.startswith("RELEASE"):
            self._saved.pop()
        try:
            return self.raw.execute(translate(sql), params)
        except psycopg.DataError:
            if not has_nul(params):
                raise
            return self.raw.execute(translate(sql), without_nul(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | Mapping[str, Any]]) -> psycopg.Cursor[Row]:
        cursor = self.raw.cursor()
        rows = list(rows)
        try:
            cursor.executemany(translate(sql), rows)
        except psycopg.DataError:
            if not any(has_nul(row) for row in rows):
                raise
            cursor.executemany(translate(sql), [without_nul(row) for row in rows])
        return cursor

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
