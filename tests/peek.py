"""A connection of a test's own to a store's database, whichever the engine: what the
store has committed, read (or changed behind its back) as another process would.

The statements are SQLite's (`?` parameters); on PostgreSQL they are read through the
store's own translation (modemgw/store/postgres/sql.py), and rows are read by index or
by column name on both. Every statement is committed on its own.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from modemgw.store.store import is_url


@contextlib.contextmanager
def connect(database: str, *, readonly: bool = False) -> Iterator[Any]:
    if is_url(database):
        from modemgw.store.postgres.connection import Connection
        conn: Any = Connection(database)
        if readonly:
            conn.raw.execute("SET default_transaction_read_only = on")
    elif readonly:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10, isolation_level=None)
    else:
        conn = sqlite3.connect(database, timeout=10, isolation_level=None)
    if not is_url(database):
        conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def query(database: str, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """The rows of one read."""
    with connect(str(database), readonly=True) as conn:
        return conn.execute(sql, params).fetchall()
