"""Waiting for the simulator's state to change, instead of sleeping."""

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ChangeNotifier:
    """Wakes waiters whenever anything observable changed (bytes, messages, state)."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Return predicate()'s first truthy value; TimeoutError after `timeout` s."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(timeout):
            while not (result := predicate()):
                waiter = loop.create_future()
                self._waiters.append(waiter)
                await waiter
        return result
