"""TP-VP in relative format (TS 23.040 §9.2.3.12.1)."""

from __future__ import annotations

from .errors import PduError

MINUTE = 60
DAY = 86400
WEEK = 7 * DAY


def relative_seconds(code: int) -> int:
    if code <= 143:
        return (code + 1) * 5 * MINUTE
    if code <= 167:
        return 12 * 3600 + (code - 143) * 30 * MINUTE
    if code <= 196:
        return (code - 166) * DAY
    return (code - 192) * WEEK


def relative_code(seconds: int) -> int:
    """The shortest relative validity that lasts at least `seconds` (5 min .. 63 weeks)."""
    if seconds <= 0:
        raise PduError(f"validity period must be positive, got {seconds} s")
    if seconds > relative_seconds(255):
        raise PduError(f"validity period {seconds} s exceeds the maximum of 63 weeks")
    lo, hi = 0, 255
    while lo < hi:
        mid = (lo + hi) // 2
        if relative_seconds(mid) >= seconds:
            hi = mid
        else:
            lo = mid + 1
    return lo
