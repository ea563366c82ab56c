"""Per-modem sending limits (pure; the caller passes the time).

Operators block SIMs that send too fast, so each modem has a rate per
minute (spread evenly: one part every 60/rate seconds) and a daily cap.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..store.days import day_of


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

    def _roll(self, now: float) -> None:
        day = day_of(now)
        if self._day != day:
            self._day = day
            self.sent_today = 0

    def capped(self, now: float) -> bool:
        return self.remaining(now) == 0

    def remaining(self, now: float) -> int | None:
        """Parts this modem may still send today (None: no cap)."""
        self._roll(now)
        if self.limits.per_day is None:
            return None
        return max(0, self.limits.per_day - self.sent_today)

    def wait(self, now: float) -> float:
        """Seconds until the next part may go (0 when now)."""
        if self.limits.per_minute is None or self._last is None:
            return 0.0
        return max(0.0, self._last + 60.0 / self.limits.per_minute - now)

    def restore(self, sent_today: int, now: float) -> None:
        """What went out earlier today (from the store), at start-up."""
        self._roll(now)
        self.sent_today = max(self.sent_today, sent_today)

    def record(self, now: float, *, counted: bool = True) -> None:
        """A submission was made; `counted` unless the network refused it (nothing went out)."""
        self._roll(now)
        self._last = now
        if counted:
            self.sent_today += 1
