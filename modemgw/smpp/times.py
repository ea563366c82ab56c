"""SMPP time values (§7.1.1): "YYMMDDhhmmsstnnp", 16 characters and a NUL.

    absolute   p is "+" or "-": local time, nn quarter-hours ahead of (+) or behind (-)
               UTC; t is tenths of a second
    relative   p is "R": YY years, MM months, DD days, hh:mm:ss from now (t and nn 0)

An empty value means "none" (immediate delivery, the SMSC's default validity). Years
are 2000 + YY. Times are epoch seconds; `now` is passed in.
"""

from __future__ import annotations

import calendar
import time
from datetime import datetime, timedelta, timezone

from .errors import PduDecodeError


def parse(value: str, now: float, field: str, status: int) -> float | None:
    """Epoch seconds of an absolute or relative time; None for an empty one."""
    if value == "":
        return None
    if len(value) != 16 or not value[:15].isdigit() or not value[:15].isascii() \
            or value[15] not in "+-R":
        raise PduDecodeError(f"{field}: {value!r} is not YYMMDDhhmmsstnnp (16 characters)", status)
    yy, mo, dd, hh, mi, ss = (int(value[i:i + 2]) for i in range(0, 12, 2))
    tenths, nn = int(value[12]), int(value[13:15])
    if value[15] == "R":
        return _relative(now, yy, mo, dd, hh * 3600 + mi * 60 + ss)
    if not (1 <= mo <= 12 and 1 <= dd <= calendar.monthrange(2000 + yy, mo)[1] and hh < 24
            and mi < 60 and ss < 60 and nn <= 48):
        raise PduDecodeError(f"{field}: {value!r} is not a date and time", status)
    offset = nn * 900 * (1 if value[15] == "+" else -1)
    local = calendar.timegm((2000 + yy, mo, dd, hh, mi, ss, 0, 0, 0))
    return local - offset + tenths / 10


def _relative(now: float, years: int, months: int, days: int, seconds: int) -> float:
    start = datetime.fromtimestamp(now, timezone.utc)
    month = start.month - 1 + months + 12 * years
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    moved = start.replace(year=year, month=month, day=day)
    return (moved + timedelta(days=days, seconds=seconds)).timestamp()


def absolute(at: float) -> str:
    """An absolute time in UTC ("...000+"), as in query_sm_resp's final_date."""
    t = time.gmtime(at)
    return time.strftime("%y%m%d%H%M%S", t) + f"{int(at * 10) % 10}00+"
