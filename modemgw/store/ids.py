"""Identifiers: time-ordered, so listings sort by creation without a second key."""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _b32(value: int, length: int) -> str:
    out = []
    for _ in range(length):
        out.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


_last = (0, 0)
_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """`prefix_` + 10 characters of milliseconds + 16 random: sortable, unguessable.

    Within one millisecond (or if the clock steps back) the random part of the
    previous id is incremented, so ids made by this process are strictly increasing.
    """
    global _last
    with _lock:
        millis = int(time.time() * 1000)
        if millis <= _last[0]:
            millis, rand = _last[0], _last[1] + 1
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 1  # room to increment
        _last = (millis, rand)
    return f"{prefix}_{_b32(millis, 10)}{_b32(rand, 16)}"


_VALUES = {c: i for i, c in enumerate(_ALPHABET)}
_DIGITS = 26
_BITS = 128     # 48 of milliseconds (enough until the year 10889) and 80 random


def number(value: str, prefix: str) -> int | None:
    """The id's bits as one integer (milliseconds << 80 | random), or None when `value`
    is not a `prefix` id. `from_number` is its inverse, so an edge whose contract has a
    fixed-format id (a UUID, 32 hex digits) can show one without keeping a second id."""
    head, sep, digits = value.partition("_")
    if head != prefix or not sep or len(digits) != _DIGITS:
        return None
    out = 0
    for c in digits:
        digit = _VALUES.get(c)
        if digit is None:
            return None
        out = out << 5 | digit
    return out if out < 1 << _BITS else None


def from_number(prefix: str, value: int) -> str | None:
    """The id whose `number` is `value`; None if no id has that number."""
    if not 0 <= value < 1 << _BITS:
        return None
    return f"{prefix}_{_b32(value, _DIGITS)}"
