"""The one writer: every write goes through here and commits in groups.

A dedicated thread owns the only write connection. Callers hand it a
function; whatever functions are waiting when the thread becomes free run
in one transaction (each inside a savepoint, so one failing does not undo
the others) and share one COMMIT, i.e. one fsync. A caller's future
resolves only after that COMMIT: an API answers 2xx on durable data. When
the COMMIT itself fails (a deferred constraint, an I/O error), or a job's
error ends the whole transaction, every job of the batch fails and none of
it is kept; the next batch starts afresh.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from . import private

T = TypeVar("T")
_STOP = object()
MAX_BATCH = 1000

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Job:
    fn: Callable[[sqlite3.Connection], Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    linger: float              # seconds it may wait for company (0: commit at once)


@dataclass(frozen=True, slots=True)
class _Outcome:
    ok: bool
    value: Any                 # the job's result, or its exception


def connect(path: str) -> sqlite3.Connection:
    private.create(path)      # 0600 before SQLite would create it with the umask's mode
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit survives power loss, not only a crash of the process.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    # A job's savepoint keeps the pages it changes in a sub-journal, so that its failure
    # can undo only itself. SQLite moves that sub-journal to a new temporary file once it
    # holds more than 64 KiB (a part's outcome with the next part's mark touches about as
    # many pages), a file opened, unlinked and written for nothing but a rollback within
    # the transaction. In memory it stays in memory; nothing durable is kept there.
    conn.execute("PRAGMA temp_store=MEMORY")
    return conn


class Writer:
    def __init__(self, path: str, on_commit: Callable[[], None] | None = None, *,
                 connect: Callable[[str], Any] = connect,
                 retryable: tuple[type[BaseException], ...] = ()) -> None:
        self.path = path
        self.on_commit = on_commit      # called in the writer thread after each COMMIT
        # The engine's: a connection as sqlite3's (PostgreSQL's comes from store/postgres),
        # and the errors after which a job or a batch is run again (a deadlock between
        # nodes' transactions, which the database resolves by failing one of them).
        self._connect = connect
        self._retryable = retryable
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._stopped: asyncio.Future[None] | None = None   # resolved as the thread ends
        self.batches = 0
        self.jobs = 0

    def start(self, setup: Callable[[Any], Any] | None = None) -> None:
        conn = self._connect(self.path)
        try:
            if setup is not None:
                setup(conn)
        except BaseException:
            conn.close()
            raise
        self._done.clear()
        self._thread = threading.Thread(target=self._run, args=(conn,), name="modemgw-writer",
                                        daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        if self._thread is not None:
            # Wait on the thread's own signal rather than joining it in the
            # default executor, which other libraries' blocking calls may fill.
            self._stopped = asyncio.get_running_loop().create_future()
            self._jobs.put(_STOP)
            if self._done.is_set():
                _resolve(self._stopped, _Outcome(True, None))
            await self._stopped
            self._thread = None

    async def write(self, fn: Callable[[sqlite3.Connection], T], *, linger: float = 0.0) -> T:
        """Run `fn(conn)` inside a transaction; return its result once committed.

        `linger` (seconds): a write nobody is waiting on urgently may wait that
        long for another write to share its commit, rather than take a commit
        (an fsync) of its own that the next urgent write would queue behind.
        """
        return await self.submit(fn, linger=linger)

    def submit(self, fn: Callable[[sqlite3.Connection], T], *, linger: float = 0.0) -> asyncio.Future[T]:
        """`write` without waiting: the future resolves once `fn`'s writes are committed."""
        if self._thread is None or self._done.is_set():
            raise RuntimeError("the writer is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put(_Job(fn, loop, future, linger))
        return future

    def _run(self, conn: sqlite3.Connection) -> None:
        try:
            while True:
                first = self._jobs.get()
                if first is _STOP:
                    return
                batch, stop = self._gather(first)
                outcomes, committed = self._commit(conn, batch)
                for _ in range(3):
                    # Again only what was not committed: a batch that failed as a whole.
                    if committed or not isinstance(outcomes[0].value, self._retryable):
                        break
                    outcomes, committed = self._commit(conn, batch)
                self._tell(batch, [o if o.ok else _Outcome(False, self.shown(o.value)) for o in outcomes])
                if stop:
                    return
        finally:
            conn.close()
            self._done.set()
            if self._stopped is not None:
                _call_in(self._stopped.get_loop(), _resolve, self._stopped, _Outcome(True, None))

    def _gather(self, first: _Job) -> tuple[list[_Job], bool]:
        """Every job waiting now, plus those arriving while only lingering jobs are in
        hand (until the earliest of their deadlines); True when asked to stop."""
        batch = [first]
        deadline = time.monotonic() + first.linger if first.linger > 0 else None
        while len(batch) < MAX_BATCH:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                if deadline is None:
                    break
                try:
                    job = self._jobs.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
            if job is _STOP:
                return batch, True
            batch.append(job)
            if job.linger > 0 and deadline is not None:
                deadline = min(deadline, time.monotonic() + job.linger)
            else:
                deadline = None      # an urgent job: commit now
        return batch, False

    @property
    def retryable(self) -> tuple[type[BaseException], ...]:
        """The errors after which a job or a batch is run again."""
        return self._retryable

    def shown(self, error: BaseException) -> BaseException:
        """The error a failed write's caller gets (the engine's own, here)."""
        return error

    def _commit(self, conn: sqlite3.Connection, batch: list[_Job]) -> tuple[list[_Outcome], bool]:
        """The outcome of each job, and whether the batch was committed."""
        try:
            conn.execute("BEGIN IMMEDIATE")
            if len(batch) == 1:
                # Alone in its transaction, a job needs no savepoint: its failure undoes
                # the transaction (below), which holds nothing else. Two statements fewer,
                # two round trips on PostgreSQL.
                outcomes = [_Outcome(True, batch[0].fn(conn))]
            else:
                outcomes = [_attempt(conn, job, self._retryable) for job in batch]
            conn.execute("COMMIT")
        except Exception as exc:
            # Nothing of the batch is kept: it all fails, with the error that undid it
            # (a job alone: its own error; _run runs it again if that is retryable).
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except Exception:  # the next BEGIN will say what is wrong
                    log.exception("writer rollback failed")
            return [_Outcome(False, exc)] * len(batch), False
        finally:
            self.batches += 1
            self.jobs += len(batch)
        if self.on_commit is not None:
            try:
                self.on_commit()
            except Exception:  # the batch is committed whatever the hook does
                log.exception("writer on_commit hook failed")
        return outcomes, True

    def _tell(self, batch: list[_Job], outcomes: list[_Outcome]) -> None:
        # One wake-up of each event loop per batch, not one per job.
        # Urgent writers are woken first: a part's commit before a lingering received
        # PDU's, so the modem's next AT+CMGS goes before that PDU's AT+CNMA.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], _Outcome]]] = {}
        for job, outcome in sorted(zip(batch, outcomes), key=lambda pair: pair[0].linger > 0):
            by_loop.setdefault(job.loop, []).append((job.future, outcome))
        for loop, results in by_loop.items():
            _call_in(loop, _resolve_all, results)


def _attempt(conn: Any, job: _Job, retryable: tuple[type[BaseException], ...] = ()) -> _Outcome:
    """Run one job in a savepoint, so that its failure undoes only its own writes (a
    `retryable` failure: run again, twice at most)."""
    for tries_left in (2, 1, 0):
        try:
            return _Outcome(True, in_savepoint(conn, lambda: job.fn(conn)))
        except Exception as exc:
            if not conn.in_transaction:
                raise            # its error ended the transaction (SQLITE_FULL, RAISE(ROLLBACK))
            if tries_left and isinstance(exc, retryable):
                continue
            return _Outcome(False, exc)
    raise AssertionError("unreachable")


def in_savepoint(conn: Any, write: Callable[[], T]) -> T:
    """`write()`, undone alone if it fails; an error that ended the whole transaction
    (SQLITE_FULL, RAISE(ROLLBACK)) leaves nothing to undo. Savepoints nest."""
    conn.execute("SAVEPOINT job")
    try:
        result = write()
    except Exception:
        if conn.in_transaction:
            conn.execute("ROLLBACK TO job")
            conn.execute("RELEASE job")
        raise
    conn.execute("RELEASE job")
    return result


def _call_in(loop: asyncio.AbstractEventLoop, fn: Callable[..., None], *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(fn, *args)
    except RuntimeError:
        pass    # that loop is closed: nobody is left waiting on it


def _resolve_all(results: list[tuple[asyncio.Future[Any], _Outcome]]) -> None:
    for future, outcome in results:
        _resolve(future, outcome)


def _resolve(future: asyncio.Future[Any], outcome: _Outcome) -> None:
    if future.done():
        return
    if outcome.ok:
        future.set_result(outcome.value)
    else:
        future.set_exception(outcome.value)
