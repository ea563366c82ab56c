"""TP-SCTS / TP-DT: seven swapped-BCD octets with a quarter-hour time zone (TS 23.040 §9.2.3.11)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .reader import Reader


def _bcd(octet: int) -> int | None:
    low, high = octet & 0x0F, octet >> 4
    if low > 9 or high > 9:
        return None
    return low * 10 + high


def decode_timestamp(r: Reader, field: str) -> datetime | None:
    """A timezone-aware datetime, or None when the octets are not a valid date.

    Some modems and SCs fill the field with zeros or junk; the rest of the
    PDU (a status report's MR and status, say) is still worth having.
    """
    raw = r.take(7, field)
    values = [_bcd(o) for o in raw[:6]]
    tz = raw[6]
    tz_low, tz_high = tz & 0x07, tz >> 4
    if None in values or tz_high > 9:
        return None
    quarters = tz_low * 10 + tz_high
    if tz & 0x08:
        quarters = -quarters
    yy, month, day, hour, minute, second = values  # type: ignore[misc]
    try:
        return datetime(2000 + yy if yy < 90 else 1900 + yy, month, day, hour, minute, second,
                        tzinfo=timezone(timedelta(minutes=15 * quarters)))
    except ValueError:
        return None


def _swap(value: int) -> int:
    return (value % 10) << 4 | (value // 10)


def encode_timestamp(when: datetime) -> bytes:
    if when.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    offset = when.utcoffset() or timedelta(0)
    quarters = int(offset.total_seconds() // 900)
    tz = _swap(abs(quarters)) | (0x08 if quarters < 0 else 0)
    fields = (when.year % 100, when.month, when.day, when.hour, when.minute, when.second)
    return bytes(_swap(v) for v in fields) + bytes([tz])
