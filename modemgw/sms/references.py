"""Concatenation references that do not repeat soon for the same destination.

A handset joins parts by (originator, reference); a reused reference while
an earlier message to the same number is still incomplete mixes the two.
Each destination cycles through all 256 values; the start is derived from
the number so that restarts do not all begin at 0. The store may persist
`last` and pass it back in.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict


class ConcatReferences:
    def __init__(self, last: dict[str, int] | None = None, max_destinations: int = 100_000) -> None:
        self._last: OrderedDict[str, int] = OrderedDict(last or {})
        self._max = max_destinations

    def next(self, destination: str) -> int:
        prev = self._last.pop(destination, None)
        if prev is None:
            prev = zlib.crc32(destination.encode()) & 0xFF
        ref = (prev + 1) & 0xFF
        self._last[destination] = ref
        if len(self._last) > self._max:
            self._last.popitem(last=False)
        return ref

    @property
    def last(self) -> dict[str, int]:
        return dict(self._last)
