"""TP-SCTS / TP-DT: seven swapped-BCD octets with a quarter-hour time zone (TS 23.040 §9.2.3.11)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .reader import Reader

_MAX_WEST, _MAX_EAST = 12 * 4, 14 * 4     # quarter hours: UTC−12:00 (Baker Island), UTC+14:00 (Kiribati)


def _bcd(octet: int) -> int | None:
    low, high = octet & 0x0F, octet >> 4
    if low > 9 or high > 9:
        return None
    return low * 10 + high


def _zone(octet: int) -> timezone:
    """The seventh octet: quarter hours from UTC, the sign in bit 3.

    Networks send zones with a digit above 9 (0xA0 in oFono's unit/test-sms.c
    sr_pdu3). TS 23.040 §9.2.3.11 tells the receiver to "assume the digit is
    set to 0", as Android's SmsMessage.PduParser.getSCTimestampMillis does
    (IccUtils.gsmBcdByteToInt); gammu (GSM_DecodeSMSDateTime) and oFono
    (sms_decode_scts) add the nibble as it is, reading 0xA0 as +02:30.
    The tens digit has three bits, so a zone may read up to ±19:45; no place on
    Earth is beyond −12:00 … +14:00, so a zone outside that (0xFF, which oFono
    writes for "no zone", would read −17:30) is taken as UTC rather than believed.
    """
    tens, units = octet & 0x07, octet >> 4
    quarters = tens * 10 + (units if units <= 9 else 0)
    if octet & 0x08:
        quarters = -quarters
    if not -_MAX_WEST <= quarters <= _MAX_EAST:
        return timezone.utc
    return timezone(timedelta(minutes=15 * quarters))


def decode_timestamp(r: Reader, field: str) -> datetime | None:
    """A timezone-aware datetime, or None when the octets are not a valid date.

    Some modems and SCs fill the field with zeros or junk; the rest of the
    PDU (a status report's MR and status, say) is still worth having. Only
    the date and time decide: a bad zone digit reads as 0 (see `_zone`), and
    the SMSC-less reading of `decode_pdu` still needs a real date.
    """
    raw = r.take(7, field)
    values = [_bcd(o) for o in raw[:6]]
    if None in values:
        return None
    yy, month, day, hour, minute, second = values  # type: ignore[misc]
    try:
        return datetime(2000 + yy if yy < 90 else 1900 + yy, month, day, hour, minute, second,
                        tzinfo=_zone(raw[6]))
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
