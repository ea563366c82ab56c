"""The store when something fails: a job in a group commit, the COMMIT itself, a
migration, a database newer than the code (on SQLite and on PostgreSQL), a caller whose
event loop is gone."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import peek
import pgserver
from modemgw.store import Store, Writer
from modemgw.store.coalesce import Coalesced
from modemgw.store import schema
from modemgw.store.postgres import schema as postgres_schema
from modemgw.store.schema import MIGRATIONS, SchemaError
from modemgw.store.store import is_url
from reliability.process import store_section

MODEMGW = str(Path(sys.executable).with_name("modemgw"))

# Test tables of our own. `child` checks its foreign key only at COMMIT
# (DEFERRABLE INITIALLY DEFERRED), so a job can make the COMMIT itself fail;
# `guarded` ends the whole transaction on an insert of 0, as SQLite does on
# SQLITE_FULL or an I/O error (https://sqlite.org/lang_transaction.html,
# "Response To Errors Within A Transaction").
TABLES = """
CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE parent (id INTEGER PRIMARY KEY);
CREATE TABLE child (parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE guarded (x INTEGER);
CREATE TRIGGER guarded_zero BEFORE INSERT ON guarded WHEN NEW.x = 0
BEGIN SELECT RAISE(ROLLBACK, 'zero ends the transaction'); END;
"""


@pytest.fixture
async def writer(tmp_path):
    w = Writer(str(tmp_path / "w.db"))
    w.start(lambda conn: conn.executescript(TABLES))
    try:
        yield w
    finally:
        await w.stop()


def rows(writer: Writer, sql: str) -> list[tuple]:
    """What another connection sees: only committed data."""
    conn = sqlite3.connect(writer.path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def put(key: str):
    def fn(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO kv VALUES (?, 'x')", (key,))
        return key
    return fn


def put_then_fail(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO kv VALUES ('bad', 'x')")
    raise ValueError("this job fails after writing")


def orphan(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO child VALUES (42)")      # no parent 42: refused at COMMIT


def ends_transaction(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO guarded VALUES (0)")


async def one_batch(writer: Writer, *jobs) -> list:
    """Run `jobs` in one group commit (all but the last linger, so they wait for it);
    the outcome of each, a value or an exception."""
    batches = writer.batches
    futures = [asyncio.ensure_future(writer.write(fn, linger=10.0)) for fn in jobs[:-1]]
    await asyncio.sleep(0)                             # queued, and waiting for company
    futures.append(asyncio.ensure_future(writer.write(jobs[-1])))
    async with asyncio.timeout(10):
        outcomes = await asyncio.gather(*futures, return_exceptions=True)
    assert writer.batches == batches + 1, "the jobs did not share one commit"
    return outcomes


async def test_a_failing_job_undoes_only_itself(writer):
    first, failed, last = await one_batch(writer, put("a"), put_then_fail, put("b"))
    assert (first, last) == ("a", "b")
    assert isinstance(failed, ValueError)
    assert rows(writer, "SELECT k FROM kv ORDER BY k") == [("a",), ("b",)]


async def test_a_failed_commit_fails_every_job_of_the_batch_and_the_writer_goes_on(writer):
    outcomes = await one_batch(writer, put("a"), orphan, put("b"))
    assert all(isinstance(o, sqlite3.IntegrityError) for o in outcomes), outcomes
    assert rows(writer, "SELECT k FROM kv") == [] and rows(writer, "SELECT * FROM child") == []
    assert await writer.write(put("c")) == "c"
    assert rows(writer, "SELECT k FROM kv") == [("c",)]


async def test_a_job_that_ends_the_transaction_fails_the_batch_with_its_own_error(writer):
    outcomes = await one_batch(writer, put("a"), ends_transaction, put("b"))
    assert [str(o) for o in outcomes] == ["zero ends the transaction"] * 3
    assert rows(writer, "SELECT k FROM kv") == []
    assert await writer.write(put("c")) == "c"


def put_all(conn: sqlite3.Connection, keys: list[str]) -> list[str]:
    conn.executemany("INSERT INTO kv VALUES (?, 'x')", [(k,) for k in keys])
    return [k.upper() for k in keys]


async def held(writer: Writer):
    """A job that keeps the writer busy until the returned event is set; returns once it runs."""
    started, gate = threading.Event(), threading.Event()

    def hold(conn: sqlite3.Connection) -> None:
        started.set()
        gate.wait(10)
    done = writer.submit(hold)
    await asyncio.to_thread(started.wait, 10)
    return gate, done


async def test_writes_that_wait_together_share_one_job_and_each_gets_its_own_result(writer):
    shared = Coalesced(writer, put_all)
    gate, blocker = await held(writer)
    jobs = writer.jobs
    writes = [asyncio.ensure_future(shared.write(k)) for k in ("a", "b", "c")]
    await asyncio.sleep(0)                             # each is on the list, the writer still busy
    gate.set()
    async with asyncio.timeout(10):
        assert await asyncio.gather(*writes) == ["A", "B", "C"]
        await blocker
    assert writer.jobs == jobs + 2, "the three writes did not share one job"
    assert rows(writer, "SELECT k FROM kv ORDER BY k") == [("a",), ("b",), ("c",)]


async def test_an_item_that_fails_a_shared_job_fails_alone(writer):
    await writer.write(put("taken"))
    shared = Coalesced(writer, put_all)
    gate, _ = await held(writer)
    writes = [asyncio.ensure_future(shared.write(k)) for k in ("a", "taken", "b")]
    await asyncio.sleep(0)
    gate.set()
    async with asyncio.timeout(10):
        a, taken, b = await asyncio.gather(*writes, return_exceptions=True)
    assert (a, b) == ("A", "B")
    assert isinstance(taken, sqlite3.IntegrityError)
    assert rows(writer, "SELECT k FROM kv ORDER BY k") == [("a",), ("b",), ("taken",)]


class Busy(Exception):
    """A retryable error, as a deadlock between PostgreSQL nodes' transactions is."""


async def test_a_shared_job_run_again_after_a_retryable_failure_writes_its_items_once(tmp_path):
    failures = [Busy("the first run fails")]

    def flaky(conn: sqlite3.Connection, keys: list[str]) -> list[str]:
        out = put_all(conn, keys)
        if failures:
            raise failures.pop()
        return out
    writer = Writer(str(tmp_path / "w.db"), retryable=(Busy,))
    writer.start(lambda conn: conn.executescript(TABLES))
    try:
        shared = Coalesced(writer, flaky)
        gate, _ = await held(writer)
        writes = [asyncio.ensure_future(shared.write(k)) for k in ("a", "b")]
        await asyncio.sleep(0)
        gate.set()
        async with asyncio.timeout(10):
            assert await asyncio.gather(*writes) == ["A", "B"]
    finally:
        await writer.stop()
    assert rows(writer, "SELECT k FROM kv ORDER BY k") == [("a",), ("b",)]


async def shared_after(writer: Writer, fn, keys: tuple[str, ...]) -> list:
    """`fn` and a shared write of `keys` in one batch, `fn` first; the writes' outcomes."""
    shared = Coalesced(writer, put_all)
    gate, _ = await held(writer)
    first = writer.submit(fn)
    writes = [asyncio.ensure_future(shared.write(k)) for k in keys]
    await asyncio.sleep(0)
    gate.set()
    async with asyncio.timeout(10):
        await asyncio.gather(first, return_exceptions=True)
        outcomes = await asyncio.gather(*writes, return_exceptions=True)
    # Nothing is left waiting: the next shared write gets a job of its own.
    async with asyncio.timeout(10):
        assert await shared.write("next") == "NEXT"
    return outcomes


async def test_a_shared_job_whose_transaction_ended_before_it_ran_fails_its_callers(writer):
    outcomes = await shared_after(writer, ends_transaction, ("a", "b"))
    assert [str(o) for o in outcomes] == ["zero ends the transaction"] * 2
    assert rows(writer, "SELECT k FROM kv") == [("next",)]


async def test_a_shared_job_in_a_batch_whose_commit_failed_is_not_written_again(writer):
    # The COMMIT failed, for all of the batch: each caller hears so, and nothing is written
    # behind its back (on PostgreSQL a COMMIT cut off may have been kept).
    outcomes = await shared_after(writer, orphan, ("a", "b"))
    assert all(isinstance(o, sqlite3.IntegrityError) for o in outcomes), outcomes
    assert rows(writer, "SELECT k FROM kv") == [("next",)]


async def test_a_batch_that_committed_is_not_committed_again_for_a_job_that_failed_retryably(tmp_path):
    def always_busy(conn: sqlite3.Connection) -> None:
        raise Busy("every time")

    def count(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO guarded VALUES (1)")
    writer = Writer(str(tmp_path / "w.db"), retryable=(Busy,))
    writer.start(lambda conn: conn.executescript(TABLES))
    try:
        busy, counted = await one_batch(writer, always_busy, count)
    finally:
        await writer.stop()
    assert isinstance(busy, Busy) and counted is None
    assert rows(writer, "SELECT COUNT(*) FROM guarded") == [(1,)]


async def test_a_failing_commit_hook_does_not_fail_committed_writes(tmp_path):
    def hook() -> None:
        raise RuntimeError("hook")
    writer = Writer(str(tmp_path / "w.db"), on_commit=hook)
    writer.start(lambda conn: conn.executescript(TABLES))
    try:
        async with asyncio.timeout(10):
            assert await writer.write(put("a")) == "a"
            assert await writer.write(put("b")) == "b"
    finally:
        await writer.stop()
    assert rows(writer, "SELECT k FROM kv ORDER BY k") == [("a",), ("b",)]


def test_a_caller_whose_event_loop_closed_does_not_stop_the_writer(tmp_path):
    writer = Writer(str(tmp_path / "w.db"))
    writer.start(lambda conn: conn.executescript(TABLES))
    entered, gate = threading.Event(), threading.Event()

    def hold(conn: sqlite3.Connection) -> None:
        entered.set()
        gate.wait(10)
        put("early")(conn)

    gone = asyncio.new_event_loop()
    abandoned = gone.create_task(writer.write(hold))
    gone.call_soon(gone.stop)
    gone.run_forever()                   # one turn: the job is queued
    assert entered.wait(10)
    abandoned.cancel()
    gone.run_until_complete(asyncio.gather(abandoned, return_exceptions=True))
    gone.close()
    gate.set()                           # its commit ends with a closed loop to tell

    async def later() -> str:
        try:
            async with asyncio.timeout(10):
                return await writer.write(put("later"))
        finally:
            await writer.stop()
    assert asyncio.run(later()) == "later"
    assert rows(writer, "SELECT k FROM kv ORDER BY k") == [("early",), ("later",)]


# -- opening: migrations and versions -------------------------------------------------

def version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


async def open_and_write(path: Path) -> None:
    store = Store(str(path))
    await store.open()
    try:
        key_id, _ = await store.create_key("after")
        assert key_id in [k["id"] for k in await store.list_keys()]
    finally:
        await store.close()


@pytest.mark.parametrize("broken", [
    # The first statement works, the second fails on the data already there.
    "CREATE TABLE extra (x);\nCREATE UNIQUE INDEX one_key_per_name ON api_keys(name);",
    # The failure ends the transaction itself (as SQLITE_FULL or an I/O error does).
    "CREATE TABLE extra (x);\n"
    "CREATE TRIGGER stop BEFORE INSERT ON extra BEGIN SELECT RAISE(ROLLBACK, 'full'); END;\n"
    "INSERT INTO extra VALUES (1);",
], ids=["statement fails", "transaction ends"])
async def test_a_failed_migration_leaves_the_database_at_the_previous_version(tmp_path, monkeypatch,
                                                                             broken):
    path = tmp_path / "gw.db"
    store = Store(str(path))
    await store.open()
    for _ in range(2):
        await store.create_key("same name")
    await store.close()

    monkeypatch.setattr(schema, "MIGRATIONS", (*MIGRATIONS, broken))
    with pytest.raises(SchemaError, match=f"migration {len(MIGRATIONS) + 1} failed"):
        await Store(str(path)).open()
    assert version(path) == len(MIGRATIONS)
    assert "extra" not in tables(path)

    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS)
    await open_and_write(path)


async def test_a_failed_migration_on_postgresql_leaves_the_database_at_the_previous_version(monkeypatch):
    # PostgreSQL's own schema (postgres/schema.py): each migration is one transaction too.
    database = pgserver.server().database()
    store = Store(database)
    await store.open()
    for _ in range(2):
        await store.create_key("same name")
    await store.close()

    current = postgres_schema.MIGRATIONS
    monkeypatch.setattr(postgres_schema, "MIGRATIONS", (
        *current, "CREATE TABLE extra (x INTEGER);\nCREATE UNIQUE INDEX one_key_per_name ON api_keys(name);"))
    with pytest.raises(SchemaError, match=f"migration {len(current) + 1} failed"):
        await Store(database).open()
    assert schema_version(database) == len(current)
    assert peek.query(database, "SELECT to_regclass('extra')")[0][0] is None

    monkeypatch.setattr(postgres_schema, "MIGRATIONS", current)
    await open_and_write(database)


def newer(database: str) -> int:
    """The schema version one past this code's, given to `database` (on PostgreSQL, a
    database the fixture migrated; on SQLite, a new file with no tables)."""
    if is_url(database):
        newer = len(postgres_schema.MIGRATIONS) + 1
        with peek.connect(database) as conn:
            conn.execute("UPDATE schema_version SET version = ?", (newer,))
    else:
        newer = len(MIGRATIONS) + 1
        conn = sqlite3.connect(database)
        conn.execute(f"PRAGMA user_version = {newer}")
        conn.close()
    return newer


def schema_version(database: str) -> int:
    if is_url(database):
        return peek.query(database, "SELECT version FROM schema_version")[0][0]
    return version(Path(database))


async def test_a_database_newer_than_the_code_is_refused_and_left_as_it_is(database):
    number = newer(database)
    with pytest.raises(SchemaError, match=f"schema {number} is newer than this modemgw"):
        await Store(database).open()
    assert schema_version(database) == number
    if not is_url(database):
        assert tables(Path(database)) == set()


@pytest.mark.parametrize("command", ["serve", "keys"])
def test_the_command_line_refuses_a_newer_database_without_a_traceback(tmp_path, database, command):
    number = newer(database)
    config = tmp_path / "gw.toml"
    config.write_text(f'[api]\nlisten = "127.0.0.1:0"\n{store_section(database)}')
    args = (["serve", "--config", str(config)] if command == "serve"
            else ["keys", "list", "--db", database])
    result = subprocess.run([MODEMGW, *args], capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 1, result.stderr
    assert f"database schema {number} is newer than this modemgw" in result.stderr
    if not is_url(database):
        assert f"{database}: database schema" in result.stderr      # which file
    assert "Traceback" not in result.stderr


async def test_messages_accepted_without_a_key_while_postgresql_is_away_fail_as_unavailable():
    # Their shared writer job never runs (the transaction cannot begin): each caller gets
    # StoreUnavailable, the API's 503, and the next request is taken once the server is back.
    from modemgw.store.errors import StoreUnavailable
    from modemgw.dispatch.compose import compose
    from modemgw.sms import ConcatReferences
    server = pgserver.PostgresServer()           # its own: this test stops it
    try:
        store = Store(server.database())
        await store.open()
        try:
            def message(i: int):
                return [compose(f"+4477009001{i:02d}", "away", sender=None, references=ConcatReferences(),
                                now=0.0)]
            assert (await store.create_messages(message(0), api_key_id=None)).messages
            await asyncio.to_thread(server.stop_server)
            async with asyncio.timeout(30):
                outcomes = await asyncio.gather(*(store.create_messages(message(i), api_key_id=None)
                                                  for i in (1, 2)), return_exceptions=True)
            assert all(isinstance(o, StoreUnavailable) for o in outcomes), outcomes
            await asyncio.to_thread(server.start_server)
            async with asyncio.timeout(30):
                created = await store.create_messages(message(3), api_key_id=None)
            assert [m["to_number"] for m in created.messages] == ["+447700900103"]
        finally:
            await store.close()
    finally:
        server.stop()
