"""What the modems page shows over time: each modem's recent signal readings and state
changes, sampled from `Core.modems()` and kept in small rings in memory.

Bounded by construction (`READINGS` readings and `CHANGES` changes per modem), lost on
restart, and read from the dispatcher's in-memory view only: sampling sends no AT command
and touches neither the database nor the send path.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

READINGS = 60               # one an hour's worth at READING_EVERY
READING_EVERY = 60.0        # s between two kept signal readings
CHANGES = 10
# What makes the modems page worth refreshing at once (counters change with every
# message, whose own events refresh it).
WATCHED = ("state", "error", "operator", "registration", "signal_dbm")
# dBm range of AT+CSQ (27.007 section 8.5: 0 is -113 dBm or less, 31 is -51 dBm or more).
DBM_LOW, DBM_HIGH = -113, -51


@dataclass(frozen=True, slots=True)
class Reading:
    at: float
    dbm: int | None


@dataclass(frozen=True, slots=True)
class Change:
    at: float
    state: str
    error: str | None


class Pulse:
    """Wakes every waiter at once; a waiter that arrives later waits for the next one."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.count = 0                  # fires so far: a waiter compares it to see one it slept through

    def fire(self) -> None:
        self.count += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await event.wait()


class History:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.readings: dict[str, deque[Reading]] = {}
        self.changes: dict[str, deque[Change]] = {}
        self._seen: dict[str, tuple] = {}

    def sample(self, modems: list[dict]) -> bool:
        """Take in one view of the modems; whether anything on the page changed."""
        now = self.clock()
        changed = False
        for m in modems:
            name = m["name"]
            readings = self.readings.setdefault(name, deque(maxlen=READINGS))
            if not readings or now - readings[-1].at >= READING_EVERY:
                readings.append(Reading(now, m.get("signal_dbm")))
            seen = tuple(m.get(k) for k in WATCHED)
            before = self._seen.get(name)
            if before is None or before[0] != seen[0]:
                self.changes.setdefault(name, deque(maxlen=CHANGES)).append(
                    Change(now, m.get("state") or "unknown", m.get("error")))
            changed = changed or seen != before
            self._seen[name] = seen
        return changed

    async def run(self, modems: Callable[[], list[dict]], every: float, pulse: Pulse) -> None:
        while True:
            if self.sample(modems()):
                pulse.fire()
            await asyncio.sleep(every)


def sparkline(readings: deque[Reading] | tuple[Reading, ...], width: int = 120, height: int = 24) -> str:
    """The `points` of an SVG polyline over the readings (oldest left), y up for a stronger
    signal; empty with fewer than two readings that have a value."""
    values = [(i, r.dbm) for i, r in enumerate(readings) if r.dbm is not None]
    if len(values) < 2:
        return ""
    step = width / max(len(readings) - 1, 1)
    span = DBM_HIGH - DBM_LOW

    def y(dbm: int) -> float:
        clamped = min(max(dbm, DBM_LOW), DBM_HIGH)
        return round(height - (clamped - DBM_LOW) / span * height, 1)
    return " ".join(f"{round(i * step, 1)},{y(dbm)}" for i, dbm in values)
