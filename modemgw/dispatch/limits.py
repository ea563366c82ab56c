"""Per-modem sending limits (pure; the caller passes the time).

Operators block SIMs that send too fast, so each modem has a rate per
minute (spread evenly: one part every 60/rate seconds) and a daily cap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class ModemLimits:
    per_minute: float | None = None
    per_day: int | None = None


class Throttle:
    def __init__(self, limits: ModemLimits, sent_today: int = 0, day: int | None = None) -> None:
        self.limits = limits
        self._last: float | None = None
        self._day = day
        self.sent_today = sent_today

    @staticmethod
    def day_of(now: float) -> int:
        t = time.localtime(now)
        return t.tm_yday + 1000 * t.tm_year

    def _roll(self, now: float) -> None:
        day = self.day_of(now)
        if self._day != day:
            self._day = day
            self.sent_today = 0

    def capped(self, now: float) -> bool:
        self._roll(now)
        return self.limits.per_day is not None and self.sent_today >= self.limits.per_day

    def wait(self, now: float) -> float:
        """Seconds until the next part may go (0 when now)."""
        if self.limits.per_minute is None or self._last is None:
            return 0.0
        return max(0.0, self._last + 60.0 / self.limits.per_minute - now)

    def record(self, now: float) -> None:
        self._roll(now)
        self._last = now
        self.sent_today += 1
