"""Per-key token buckets (pure: the caller passes the time).

A bucket holds `limit` tokens and refills at `limit` per `period` seconds,
so a key may burst up to its whole minute and then continues at the
average rate, without the double burst a fixed window allows at its edge.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int        # whole tokens left after this request
    reset: int            # seconds until the bucket is full again
    retry_after: int      # seconds until a refused request would be allowed (0 if allowed)

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": str(self.reset)}


class RateLimiter:
    def __init__(self, limit: int, period: float = 60.0) -> None:
        if limit < 1:
            raise ValueError("a rate limit allows at least one request")
        self.limit = limit
        self.rate = limit / period                      # tokens per second
        self._buckets: dict[object, tuple[float, float]] = {}   # key -> (tokens, at)

    def take(self, key: object, now: float) -> Decision:
        tokens, at = self._buckets.get(key, (float(self.limit), now))
        # A clock that steps back refills nothing, and the refill resumes from the latest time seen.
        tokens = min(float(self.limit), tokens + max(0.0, now - at) * self.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, max(at, now))
        return self.decision(allowed, tokens)

    async def admit(self, key: object, now: float) -> Decision:
        return self.take(key, now)

    def decision(self, allowed: bool, tokens: float) -> Decision:
        """What a bucket left with `tokens` after this request tells its client."""
        missing = self.limit - tokens
        return Decision(
            allowed=allowed, limit=self.limit, remaining=int(tokens),
            reset=math.ceil(missing / self.rate - 1e-9),
            retry_after=0 if allowed else max(1, math.ceil((1.0 - tokens) / self.rate - 1e-9)))


class TokenStore(Protocol):
    async def take_token(self, key: object, limit: int, rate: float, now: float) -> tuple[bool, float]: ...


class SharedRateLimiter(RateLimiter):
    """The same buckets, kept in the database that several nodes share (docs/scale-out.md),
    so that a key's limit holds across the nodes its requests reach; the arithmetic is
    the database's, in one statement (store: `take_token`)."""

    def __init__(self, store: TokenStore, limit: int, period: float = 60.0,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(limit, period)
        self.store = store
        self.clock = clock          # the wall clock: the nodes share it, not their monotonic ones

    async def admit(self, key: object, now: float) -> Decision:
        allowed, tokens = await self.store.take_token(key, self.limit, self.rate, self.clock())
        return self.decision(allowed, tokens)
