"""Copy a SQLite database into an empty PostgreSQL one, all or nothing.

Guarantee: when `copy_database` returns, every row of every table of the SQLite file is
in the PostgreSQL database, committed in one transaction, and each identity column's
sequence is past the largest value copied, so that the next row a node inserts takes a
new number; when it raises `CopyError`, the PostgreSQL database holds no row it did not
hold before (its schema may have been brought up to date, as a starting node would).

Both schemas are brought up to date first, by their own migrations. The copy is generic:
each table's columns are those that both catalogs list (PRAGMA table_info,
information_schema.columns), so a column that later migrations add on both engines is
copied without a change here. A message's `seqno` is SQLite's rowid (store/messages.py),
copied as it is: the numbers the edges gave out (Voximplant's message ids) stay valid.

It refuses, before writing a row, when the SQLite file is open in another process (a
gateway still running: the file is locked for the whole copy, so nothing writes it
meanwhile either), or when the PostgreSQL database already holds rows in a table it
would copy into: it never merges two databases.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from .postgres.connection import NUL, REPLACEMENT, configure
from .postgres.schema import migrate as migrate_postgres
from .schema import SchemaError
from .schema import migrate as migrate_sqlite

BATCH = 5000                     # rows read from SQLite at a time, streamed into one COPY per table
LOCK_TIMEOUT = "10s"             # how long the copy waits for a node's write on the target to finish
SQLITE_BUSY_TIMEOUT = 2.0        # s: a gateway that is just stopping has this long to let go of the file

# The node a SQLite gateway runs as when [node] name is not set (StoreBase.node_name).
DEFAULT_NODE = "local"

_SQLITE_TABLES = ("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                  "ORDER BY name")
_POSTGRES_COLUMNS = """
SELECT table_name, column_name, data_type, is_identity, is_generated, column_default
FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
"""
_POSTGRES_REFERENCES = """
SELECT DISTINCT child.relname, parent.relname FROM pg_constraint c
JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid
JOIN pg_namespace n ON n.oid = c.connamespace
WHERE c.contype = 'f' AND n.nspname = current_schema()
"""
_INTEGERS = frozenset({"smallint", "integer", "bigint"})
_TEXTS = frozenset({"text", "character varying", "character", "json", "jsonb"})


class CopyError(Exception):
    """The copy was refused or failed; the PostgreSQL database holds no row of it."""


@dataclass(frozen=True, slots=True)
class TableCopied:
    name: str
    rows: int
    seconds: float
    not_copied: tuple[str, ...] = ()     # SQLite columns PostgreSQL's schema lacks


@dataclass(frozen=True, slots=True)
class Copied:
    tables: tuple[TableCopied, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    source: str                  # how SQLite names it (`rowid` for a message's seqno)
    pg_type: str


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    columns: tuple[_Column, ...]
    ordered: bool                # SQLite gives it a rowid: rows are read in rowid order
    not_copied: tuple[str, ...]


def copy_database(source: str, target: str, *,
                  on_table: Callable[[TableCopied], None] | None = None) -> Copied:
    """Copy the SQLite database at `source` into the PostgreSQL database at `target` (a
    `postgresql://` URL); `on_table` is told of each table once its rows are written
    (they are committed only when this returns)."""
    started = time.perf_counter()
    lite = _open_sqlite(source)
    try:
        try:
            pg = psycopg.connect(target, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise CopyError(f"cannot connect to the PostgreSQL database: {exc}") from None
        try:
            configure(pg)       # the store's own type mapping (flags as integers)
            migrate_postgres(pg)
            tables = _plan(lite, pg)
            lite.execute("BEGIN")                   # one snapshot (the file is locked besides)
            try:
                with pg.transaction():
                    copied = _copy(lite, pg, tables, on_table)
            finally:
                lite.execute("ROLLBACK")
        except (SchemaError, psycopg.Error) as exc:   # a migration, a lost connection, a right missing
            raise CopyError(f"PostgreSQL: {str(exc).strip()}; nothing was copied") from None
        finally:
            pg.close()
    finally:
        lite.close()
    return Copied(copied, time.perf_counter() - started)


def _open_sqlite(path: str) -> sqlite3.Connection:
    """The SQLite file, migrated and held: EXCLUSIVE locking mode keeps its lock from
    the first transaction to the close, so another process can neither write the file
    during the copy nor have it open when the copy starts (in WAL mode every open
    connection holds a shared lock on it: a running gateway, even idle, is found)."""
    if not os.path.isfile(path):
        # sqlite3 would create an empty database, and the copy would find nothing to copy
        raise CopyError(f"{path}: no such SQLite database")
    conn = sqlite3.connect(path, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise CopyError(f"{path} is in use (is the gateway still running?): stop it first; "
                                "nothing was copied") from None
            raise CopyError(f"{path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise CopyError(f"{path}: {exc}") from None
        conn.execute("COMMIT")      # the lock stays: locking_mode=EXCLUSIVE
        try:
            migrate_sqlite(conn)
        except SchemaError as exc:
            raise CopyError(str(exc)) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _plan(lite: sqlite3.Connection, pg: psycopg.Connection) -> list[_Table]:
    """What to copy: every SQLite table, in an order that puts a referenced table before
    the tables that reference it; each with the columns both engines have. The tables
    only PostgreSQL has are left alone: the schema's version (SQLite keeps it in PRAGMA
    user_version) and the rate limits' token buckets (SQLite keeps them in the process:
    a bucket not copied starts full)."""
    pg_columns: dict[str, dict[str, str]] = {}
    for table, column, data_type, _identity, generated, _default in pg.execute(_POSTGRES_COLUMNS):
        if generated == "ALWAYS":
            continue            # computed by PostgreSQL: not written
        pg_columns.setdefault(table, {})[column] = data_type
    tables = []
    for (name,) in lite.execute(_SQLITE_TABLES).fetchall():
        if name not in pg_columns:
            raise CopyError(f"table {name} is in the SQLite database but not in PostgreSQL's schema: "
                            "this modemgw cannot copy it; nothing was copied")
        source = [r[1] for r in lite.execute(f"PRAGMA table_info({_quote(name)})")]
        target = pg_columns[name]
        columns = [_Column(c, c, target[c]) for c in source if c in target]
        ordered = _has_rowid(lite, name)
        # A message's seqno is its rowid on SQLite, a column of its own on PostgreSQL.
        if ordered and "seqno" in target and "seqno" not in source:
            columns.insert(0, _Column("seqno", "rowid", target["seqno"]))
        tables.append(_Table(name, tuple(columns), ordered, tuple(c for c in source if c not in target)))
    return _dependency_order(tables, pg.execute(_POSTGRES_REFERENCES).fetchall())


def _has_rowid(lite: sqlite3.Connection, table: str) -> bool:
    try:
        lite.execute(f"SELECT rowid FROM {_quote(table)} LIMIT 0")
    except sqlite3.OperationalError:
        return False            # WITHOUT ROWID
    return True


def _dependency_order(tables: list[_Table], references: Sequence[tuple[str, str]]) -> list[_Table]:
    by_name = {t.name: t for t in tables}
    parents: dict[str, set[str]] = {t.name: set() for t in tables}
    for child, parent in references:
        if child in parents and parent in parents and child != parent:
            parents[child].add(parent)
    ordered: list[_Table] = []
    while parents:
        ready = sorted(n for n, p in parents.items() if not p)
        if not ready:
            raise CopyError(f"the tables {sorted(parents)} reference each other: no order to copy them in")
        for name in ready:
            ordered.append(by_name[name])
            del parents[name]
        for p in parents.values():
            p.difference_update(ready)
    return ordered


def _copy(lite: sqlite3.Connection, pg: psycopg.Connection, tables: list[_Table],
          on_table: Callable[[TableCopied], None] | None) -> tuple[TableCopied, ...]:
    names = [t.name for t in tables]
    # No node writes these tables while the copy runs, and none has written them before.
    pg.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    try:
        pg.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(
            sql.SQL(", ").join(map(sql.Identifier, names))))
    except psycopg.errors.LockNotAvailable:
        raise CopyError("the PostgreSQL database is being written (a node running on it?): "
                        "copy into a new, empty database; nothing was copied") from None
    pg.execute("SET LOCAL lock_timeout = 0")
    holding = [n for n in names if pg.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(
        sql.Identifier(n))).fetchone()[0]]
    if holding:
        raise CopyError(f"the PostgreSQL database is not empty ({', '.join(holding)} hold rows): "
                        "copy into a new, empty database (createdb); nothing was copied")
    in_flight = _in_flight_holder(lite)
    done = []
    for table in tables:
        t0 = time.perf_counter()
        rows = _copy_table(lite, pg, table)
        result = TableCopied(table.name, rows, time.perf_counter() - t0, table.not_copied)
        done.append(result)
        if on_table is not None:
            on_table(result)
    if in_flight is not None:
        _hand_over(pg, in_flight)
    _advance_sequences(lite, pg, names)
    for name in names:          # the planner's statistics: the store's claims need them (store.py)
        pg.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(name)))
    return tuple(done)


def _in_flight_holder(lite: sqlite3.Connection) -> str | None:
    """The node to hand the parts caught in `sending` without a holder to, or None when
    there are none.

    A part is `sending` between AT+CMGS and its answer; one the SQLite gateway left so
    (killed, power cut) may have gone out. The gateway marks such a part as held by its
    node, and the nodes table is copied with the rest: on PostgreSQL, that node started
    again under its name takes the part for `unknown` at once, and any other live node
    does at its first heartbeat after the node's lease (store/cluster.py), as after a
    crash. A part marked before the nodes existed (schema 10) has no holder, and no
    PostgreSQL node would ever reconcile it: it is handed to the node that ran last (or
    to `local`, a stopped node of no modems, when none is listed)."""
    if lite.execute("SELECT 1 FROM parts WHERE status = 'sending' AND claimed_by IS NULL LIMIT 1").fetchone() \
            is None:
        return None
    row = lite.execute("SELECT name FROM nodes ORDER BY heartbeat_at DESC LIMIT 1").fetchone()
    return DEFAULT_NODE if row is None else row[0]


def _hand_over(pg: psycopg.Connection, node: str) -> None:
    pg.execute("INSERT INTO nodes (name, started_at, heartbeat_at) VALUES (%s, 0, 0) ON CONFLICT (name) DO NOTHING",
               (node,))
    pg.execute("UPDATE parts SET claimed_by = %s WHERE status = 'sending' AND claimed_by IS NULL", (node,))


def _copy_table(lite: sqlite3.Connection, pg: psycopg.Connection, table: _Table) -> int:
    if not table.columns:
        return 0
    select = f"SELECT {', '.join(_quote(c.source) if c.source != 'rowid' else 'rowid' for c in table.columns)} " \
             f"FROM {_quote(table.name)}" + (" ORDER BY rowid" if table.ordered else "")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns))
    convert = _converter(lite, table)
    count = 0
    try:
        with pg.cursor() as cursor, cursor.copy(statement) as copy:
            for row in _batches(lite.execute(select)):
                if convert is not None:
                    row = convert(row)
                copy.write_row(row)
                count += 1
    except psycopg.Error as exc:
        context = exc.diag.context if exc.diag is not None and exc.diag.context else ""
        raise CopyError(f"table {table.name}: PostgreSQL refused a row ({str(exc).strip()}"
                        f"{'; ' + context.strip() if context else ''}); nothing was copied") from None
    return count


def _batches(cursor: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    while rows := cursor.fetchmany(BATCH):
        yield from rows


def _converter(lite: sqlite3.Connection, table: _Table) -> Callable[[tuple[Any, ...]], Sequence[Any]] | None:
    """What turns a SQLite row into one PostgreSQL's columns take, where the engines keep
    a value differently: SQLite's flags are integers (a boolean column takes True/False),
    a whole REAL in an INTEGER column is a float, a blob may sit in any column; a text
    with U+0000 is stored as the store stores it (postgres/connection.py: U+FFFD).

    SQLite tells first, in one pass over the table (typeof, in C), which columns hold
    such a value at all: usually none, and the rows go to COPY as they are read (a check
    of every value in Python took half of the copy's CPU time)."""
    checks = [(i, fix, test) for i, c in enumerate(table.columns) if c.source != "rowid"
              for fix, test in [_FIXES.get(_kind(c.pg_type), (None, ""))] if fix is not None]
    if not checks:
        return None
    tests = ", ".join(f"MAX({test.format(_quote(table.columns[i].source))})" for i, _, test in checks)
    found = lite.execute(f"SELECT {tests} FROM {_quote(table.name)}").fetchone()
    fixes = [(i, fix) for (i, fix, _), needed in zip(checks, found) if needed]
    if not fixes:
        return None

    def convert(row: tuple[Any, ...]) -> Sequence[Any]:
        values = list(row)
        for i, fix in fixes:
            if values[i] is not None:
                values[i] = fix(values[i])
        return values
    return convert


def _kind(pg_type: str) -> str:
    if pg_type in _INTEGERS:
        return "integer"
    if pg_type in _TEXTS:
        return "text"
    return pg_type


def _to_integer(value: Any) -> Any:
    # SQLite keeps 3.0 as a REAL when it came so; PostgreSQL's bigint would refuse "3.0".
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _to_boolean(value: Any) -> Any:
    return bool(value) if isinstance(value, int) else value


def _to_bytes(value: Any) -> Any:
    return value.encode() if isinstance(value, str) else value


def _to_text(value: Any) -> Any:
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return value.replace(NUL, REPLACEMENT) if isinstance(value, str) else value


# PostgreSQL's kind of column -> (the fix, SQLite's test of a value that needs it)
_FIXES: dict[str, tuple[Callable[[Any], Any], str]] = {
    "integer": (_to_integer, "typeof({0}) = 'real'"),
    "boolean": (_to_boolean, "typeof({0}) = 'integer'"),
    "bytea": (_to_bytes, "typeof({0}) = 'text'"),
    # instr() on the bytes: on a text, SQLite's functions stop at the first U+0000
    "text": (_to_text, "typeof({0}) = 'blob' OR instr(CAST({0} AS BLOB), x'00') > 0"),
}


def _advance_sequences(lite: sqlite3.Connection, pg: psycopg.Connection, names: Sequence[str]) -> None:
    """Every identity or serial column's sequence past the largest value copied, and past
    SQLite's own AUTOINCREMENT counter (an event's cursor is never given out twice, even
    one whose row is gone)."""
    counters: dict[str, int] = {}
    if lite.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        counters = {name: seq for name, seq in lite.execute("SELECT name, seq FROM sqlite_sequence")}
    for table, column, _type, identity, _generated, default in pg.execute(_POSTGRES_COLUMNS).fetchall():
        if table not in names or not (identity == "YES" or (default or "").startswith("nextval(")):
            continue
        largest = pg.execute(sql.SQL("SELECT MAX({}) FROM {}").format(
            sql.Identifier(column), sql.Identifier(table))).fetchone()[0]
        floor = max(largest or 0, counters.get(table, 0))
        if floor > 0:
            pg.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                       (sql.Identifier(table).as_string(pg), column, floor))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
