"""The one writer: every write goes through here and commits in groups.

A dedicated thread owns the only write connection. Callers hand it a
function; whatever functions are waiting when the thread becomes free run
in one transaction (each inside a savepoint, so one failing does not undo
the others) and share one COMMIT, i.e. one fsync. A caller's future
resolves only after that COMMIT: an API answers 2xx on durable data.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_STOP = object()
MAX_BATCH = 1000


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit survives power loss, not only a crash of the process.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


class Writer:
    def __init__(self, path: str, on_commit: Callable[[], None] | None = None) -> None:
        self.path = path
        self.on_commit = on_commit      # called in the writer thread after each COMMIT
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._done: threading.Event = threading.Event()
        self.batches = 0
        self.jobs = 0

    def start(self, setup: Callable[[sqlite3.Connection], Any] | None = None) -> None:
        conn = connect(self.path)
        if setup is not None:
            setup(conn)
        self._thread = threading.Thread(target=self._run, args=(conn,), name="modemgw-writer",
                                        daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        if self._thread is not None:
            # Wait on the thread's own signal rather than joining it in the
            # default executor, which other libraries' blocking calls may fill.
            loop = asyncio.get_running_loop()
            finished: asyncio.Future[None] = loop.create_future()
            self._on_exit = lambda: loop.call_soon_threadsafe(_resolve, finished, True, None)
            self._jobs.put(_STOP)
            if self._done.is_set():
                _resolve(finished, True, None)
            await finished
            self._thread = None

    async def write(self, fn: Callable[[sqlite3.Connection], T], *, linger: float = 0.0) -> T:
        """Run `fn(conn)` inside a transaction; return its result once committed.

        `linger` (seconds): a write nobody is waiting on urgently may wait that
        long for another write to share its commit, rather than take a commit
        (an fsync) of its own that the next urgent write would queue behind.
        """
        if self._thread is None:
            raise RuntimeError("the writer is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((fn, loop, future, linger))
        return await future

    def _run(self, conn: sqlite3.Connection) -> None:
        try:
            while True:
                first = self._jobs.get()
                if first is _STOP:
                    return
                batch, stop = self._gather(first)
                self._commit(conn, batch)
                if stop:
                    return
        finally:
            conn.close()
            self._done.set()
            on_exit = getattr(self, "_on_exit", None)
            if on_exit is not None:
                on_exit()

    def _gather(self, first: Any) -> tuple[list[Any], bool]:
        """Every job waiting now, plus those arriving while only lingering jobs are in
        hand (until the earliest of their deadlines); True when asked to stop."""
        batch = [first]
        deadline = time.monotonic() + first[3] if first[3] > 0 else None
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
            if job[3] > 0 and deadline is not None:
                deadline = min(deadline, time.monotonic() + job[3])
            else:
                deadline = None      # an urgent job: commit now
        return batch, False

    def _commit(self, conn: sqlite3.Connection, batch: list[Any]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for fn, _, _, _ in batch:
                conn.execute("SAVEPOINT job")
                try:
                    outcomes.append((True, fn(conn)))
                    conn.execute("RELEASE job")
                except Exception as exc:  # one bad job must not undo the others
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((False, exc))
            conn.execute("COMMIT")
            if self.on_commit is not None:
                self.on_commit()
        except Exception as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes = [(False, exc)] * len(batch)
        self.batches += 1
        self.jobs += len(batch)
        # One wake-up of each event loop per batch, not one per job.
        # Urgent writers are woken first: a part's commit before a lingering received
        # PDU's, so the modem's next AT+CMGS goes before that PDU's AT+CNMA.
        by_loop: dict[Any, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
        for (_, loop, future, _), (ok, value) in sorted(zip(batch, outcomes), key=lambda j: j[0][3] > 0):
            by_loop.setdefault(loop, []).append((future, ok, value))
        for loop, results in by_loop.items():
            loop.call_soon_threadsafe(_resolve_all, results)


def _resolve_all(results: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    for future, ok, value in results:
        _resolve(future, ok, value)


def _resolve(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
