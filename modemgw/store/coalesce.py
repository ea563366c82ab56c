"""Writes of one kind that wait together share one writer job.

The writer runs every job in a savepoint of its own and resolves a future for it
(writer.py). For small writes made many times a second, one accepted message a request,
that work per job costs about as much as the inserts themselves. `Coalesced.write(item)`
puts the item on a list; the first item since the list was last taken queues one job,
which takes every item put there until the writer runs it and writes them in that one
savepoint, with as few statements as it can. Once they are committed, each caller gets its own item's result: as before,
nobody hears of a write before its COMMIT.

If the shared job fails, each of its items is written again in a job of its own, so that
one bad item fails alone, as it would have without sharing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .writer import Writer

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
            return self._write_all(conn, [item for item, _ in taken])

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

    def _settle(self, taken: _Waiting, outcome: asyncio.Future[list[Any]]) -> None:
        if outcome.exception() is None:
            for (_, future), result in zip(taken, outcome.result()):
                if not future.done():      # its caller may have stopped waiting
                    future.set_result(result)
            return
        if len(taken) == 1:
            _, future = taken[0]
            if not future.done():
                future.set_exception(outcome.exception())  # type: ignore[arg-type]
            return
        for item, future in taken:
            self._alone(item, future)

    def _alone(self, item: Any, future: asyncio.Future[Any]) -> None:
        try:
            done = self._writer.submit(lambda conn: self._write_all(conn, [item])[0])
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
            return
        done.add_done_callback(lambda outcome: _copy(outcome, future))


def _copy(outcome: asyncio.Future[Any], future: asyncio.Future[Any]) -> None:
    if future.done():
        return
    if outcome.exception() is not None:
        future.set_exception(outcome.exception())  # type: ignore[arg-type]
    else:
        future.set_result(outcome.result())
