"""Putting a long message's submitted segments back together (pure; `now` passed in).

An ESME sends a long text as several submit_sm, tied by a UDH concatenation element
(esm_class 0x40) or by the sar_* TLVs. The gateway takes the whole text as one message
(the core segments it again for the modems, so the parts need not match), which means
holding the segments until the last one is in. Segments are joined as octets and only
then decoded: clients cut at octet boundaries (smpplib splits UCS-2 between the halves
of a surrogate pair, GSM-7 between an escape and its character).

A set is identified by `key` (the caller's: source, destination, reference, total,
data_coding) and complete when every sequence number from 1 to total is in. A segment
sent again replaces the octets and joins its tag to the others. Sets older than
`timeout` are handed back by `expire`; `limit` caps the segments held in all.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class _Set(Generic[T]):
    total: int
    started: float
    octets: dict[int, bytes] = field(default_factory=dict)
    tags: list[T] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Whole(Generic[T]):
    data: bytes                 # the segments' octets, in order
    tags: tuple[T, ...]         # every segment's tag (repeats included), in arrival order


class Full(Exception):
    """More segments than `limit` would be held."""


class Assembler(Generic[T]):
    def __init__(self, *, timeout: float, limit: int) -> None:
        self.timeout = timeout
        self.limit = limit
        self._sets: dict[Hashable, _Set[T]] = {}
        self._held = 0

    def __len__(self) -> int:
        return self._held

    def add(self, key: Hashable, total: int, sequence: int, data: bytes, tag: T, now: float) -> Whole[T] | None:
        """None while segments are missing; the whole message when this one completes it."""
        entry = self._sets.get(key)
        if entry is None:
            if self._held >= self.limit:
                raise Full(f"{self._held} segments are already held")
            entry = self._sets[key] = _Set(total, now)
        elif self._held >= self.limit and sequence not in entry.octets:
            raise Full(f"{self._held} segments are already held")
        if sequence not in entry.octets:
            self._held += 1
        entry.octets[sequence] = data
        entry.tags.append(tag)
        if len(entry.octets) < total:
            return None
        del self._sets[key]
        self._held -= len(entry.octets)
        return Whole(b"".join(entry.octets[i] for i in range(1, total + 1)), tuple(entry.tags))

    def first(self, key: Hashable) -> T | None:
        """The first tag of the set `key` while it waits for the rest (None: no such set)."""
        entry = self._sets.get(key)
        return entry.tags[0] if entry is not None else None

    def expire(self, now: float) -> list[tuple[T, ...]]:
        """The tags of every set older than `timeout`, which are dropped."""
        out = []
        for key, entry in list(self._sets.items()):
            if now - entry.started >= self.timeout:
                del self._sets[key]
                self._held -= len(entry.octets)
                out.append(tuple(entry.tags))
        return out

    def drop(self) -> list[tuple[T, ...]]:
        """Everything held (the session is closing)."""
        out = [tuple(e.tags) for e in self._sets.values()]
        self._sets.clear()
        self._held = 0
        return out
