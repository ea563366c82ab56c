"""When to try a part again after a temporary error (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    first: float = 10.0
    factor: float = 2.0
    maximum: float = 600.0
    attempts: int = 8            # then the part fails: "gave up after N attempts"

    def delay(self, attempts: int) -> float:
        return min(self.maximum, self.first * self.factor ** max(0, attempts - 1))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.attempts
