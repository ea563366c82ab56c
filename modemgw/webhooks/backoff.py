"""When to try a failed webhook delivery again (pure).

Exponential with "equal jitter": the n-th retry waits a random time between
half and all of `first * factor**(n-1)`, capped at `maximum`. Jitter spreads
the retries of many deliveries that failed together (a receiver that was
down), and with factor >= 2 each wait is at least the previous one.
Deliveries are retried until `retry_for` seconds after they were created;
the last attempt is made at that deadline, and if it fails the delivery is
dead-lettered.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    first: float = 30.0
    factor: float = 2.0
    maximum: float = 3600.0
    retry_for: float = 48 * 3600.0

    def delay(self, failures: int, random: Callable[[], float] = _random.random) -> float:
        """The wait after the `failures`-th failed attempt (1 for the first)."""
        # The exponent is bounded so that a long retry period cannot overflow a float.
        base = min(self.maximum, self.first * self.factor ** min(max(0, failures - 1), 64))
        return base / 2 + base / 2 * random()

    def retry_at(self, *, created_at: float, failures: int, now: float,
                 random: Callable[[], float] = _random.random) -> float | None:
        """When to try again after a failure at `now`; None once the retry period is over."""
        deadline = created_at + self.retry_for
        if now >= deadline:
            return None
        return min(now + self.delay(failures, random), deadline)
