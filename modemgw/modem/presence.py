"""Whether a modem's device node is there, and waiting for it to come back.

Guarantee: `NodeWatch.until_present()` returns within one `interval` (0.25 s) of the
node existing again, however long it was gone. A stick replugged after a minute is
opened at once, not after an open backoff that grew while it was away. Per interval
only a stat() runs, plus the path lookup when that is a plain function (a fixed path,
or the /dev/serial/by-id glob). A lookup that is a coroutine (finding a modem by IMEI
opens every candidate port and asks AT+CGSN) is not run four times a second: it runs
when the directory it last found the modem in has changed (a node came or went), and
at least every `slow_lookup` seconds.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Awaitable, Callable

Source = str | Callable[[], str | None | Awaitable[str | None]]


def present(path: str | None) -> bool:
    """The node exists (a by-id link whose target is gone does not)."""
    return path is not None and os.path.exists(path)


def _stamp(directory: str) -> int | None:
    try:
        return os.stat(directory).st_mtime_ns
    except OSError:
        return None


class NodeWatch:
    def __init__(self, source: Source, interval: float = 0.25, slow_lookup: float = 30.0) -> None:
        self.source = source
        self.interval = interval
        self.slow_lookup = slow_lookup
        self._slow = False                  # the lookup turned out to be a coroutine
        self._directory = "/dev"            # where the lookup last found the node

    async def resolve(self) -> str | None:
        """The path the modem is at now (None when a lookup finds no such modem)."""
        if not callable(self.source):
            path: str | None = self.source
        else:
            found = self.source()
            self._slow = inspect.isawaitable(found)
            path = await found if inspect.isawaitable(found) else found
        if path is not None:
            self._directory = os.path.dirname(path) or "."
        return path

    async def until_present(self) -> str:
        """Wait for the node to exist; returns its path."""
        loop = asyncio.get_running_loop()
        stamp, looked_up = _stamp(self._directory), loop.time()
        while True:
            await asyncio.sleep(self.interval)
            if self._slow:
                now = _stamp(self._directory)
                if now == stamp and loop.time() - looked_up < self.slow_lookup:
                    continue
                stamp, looked_up = now, loop.time()
            path = await self.resolve()
            if present(path):
                return path  # type: ignore[return-value]

    async def pause(self, path: str | None, delay: float) -> None:
        """Sleep `delay` seconds, but not longer than `path` exists: once the node is
        gone, waiting for its return (`until_present`) replaces the backoff."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        while (left := deadline - loop.time()) > 0 and present(path):
            await asyncio.sleep(min(self.interval, left))
