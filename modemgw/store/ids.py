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
