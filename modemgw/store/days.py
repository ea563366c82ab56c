"""The local calendar day a per-day cap counts in (pure)."""

from __future__ import annotations

import time


def day_of(ts: float) -> int:
    """1000 * year + day of the year, in local time: operators' plans reset at local midnight."""
    t = time.localtime(ts)
    return t.tm_yday + 1000 * t.tm_year
