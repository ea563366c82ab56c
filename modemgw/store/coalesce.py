"""Writes of one kind that wait together share one writer job.

The writer runs every job in a savepoint of its own and resolves a future for it
(writer.py). For small writes made many times a second, one accepted message a request,
that work per job costs about as much as the inserts themselves. `Coalesced.write(item)`
puts the item on a list; the first item since the list was last taken queues one job,
which takes every item put there until the writer runs it and writes them together, with
as few statements as it can. Once they are committed, each caller gets its own item's
result: as before, nobody hears of a write before its COMMIT.

If writing them together fails, the job undoes that and writes each item in a savepoint
of its own, in the same transaction, so that one bad item fails alone, as it would have
without sharing. A failure of the whole transaction (the database away, a COMMIT that
failed) is every caller's, as it was: nothing is written again behind their backs, since
a COMMIT that failed on a lost connection may have been kept.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .writer import Writer, in_savepoint

I = TypeVar("I")
R = TypeVar("R")

_Waiting = list[tuple[Any, asyncio.Future[Any]]]


class Coalesced(Generic[I, R]):
    def __init__(self, writer: Writer, write_all: Callable[[Any, list[I]], list[R]]) -> None:
        self._writer = writer
        # (connection, items) -> their results in that order, in the writer thread
        self._write_all = write_all
        # Put on in the event loop's thread, taken in the writer's.
        self._lock = threading.Lock()
        self._waiting: _Waiting = []

    async def write(self, item: I) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._waiting.append((item, future))
            first = len(self._waiting) == 1
        if first:
            self._queue_job(future)
        return await future

    def _queue_job(self, mine: asyncio.Future[Any]) -> None:
        taken: _Waiting = []

        def job(conn: Any) -> list[Any]:
            if not taken:          # run again after a retryable failure: the same items
                with self._lock:
                    taken.extend(self._waiting)
                    self._waiting = []
            return self._write_together(conn, [item for item, _ in taken])

        try:
            done = self._writer.submit(job)
        except Exception as exc:   # the writer is not running: nothing waiting will be written
            with self._lock:
                stuck, self._waiting = self._waiting, []
            for _, future in stuck:
                if future is not mine and not future.done():
                    future.set_exception(exc)
            raise
        done.add_done_callback(lambda outcome: self._settle(taken, outcome))

    def _write_together(self, conn: Any, items: list[Any]) -> list[Any]:
        """Each item's result, or its error as `_Failed` (then nothing of it is written)."""
        try:
            return in_savepoint(conn, lambda: self._write_all(conn, items))
        except Exception as exc:
            if not conn.in_transaction or isinstance(exc, self._writer.retryable) or len(items) == 1:
                raise
        out: list[Any] = []
        for item in items:
            try:
                out.append(in_savepoint(conn, lambda item=item: self._write_all(conn, [item])[0]))
            except Exception as exc:
                if not conn.in_transaction or isinstance(exc, self._writer.retryable):
                    raise
                out.append(_Failed(exc))
        return out

    def _settle(self, taken: _Waiting, outcome: asyncio.Future[list[Any]]) -> None:
        error = outcome.exception()
        if error is not None:
            if not taken:
                # The job never ran (its transaction failed before it): what it was to
                # take is still on the list, and no other job will take it.
                with self._lock:
                    taken.extend(self._waiting)
                    self._waiting = []
            for _, future in taken:
                if not future.done():
                    future.set_exception(error)
            return
        for (_, future), result in zip(taken, outcome.result()):
            if future.done():              # its caller stopped waiting
                continue
            if isinstance(result, _Failed):
                future.set_exception(result.error)
            else:
                future.set_result(result)


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error
