"""Joining the parts of concatenated inbound messages.

Pure: the caller passes the current time (any monotonic float, seconds).
Parts are keyed by originator + reference + total, may arrive in any order,
and an incomplete set is released as partial after `timeout` seconds so that
nothing received is held back forever. Each part may carry the caller's tag
(a row id, say): a whole message carries the tags of its parts, and a
duplicate part comes back as a `Duplicate` with its tag, so that the caller
can settle every part it stored, copies included.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from .dcs import UCS2
from .deliver import Deliver
from .ucs2 import decode_ucs2


@dataclass(frozen=True, slots=True)
class InboundMessage:
    originator: str
    text: str
    parts: tuple[Deliver, ...]          # in sequence order; only those received
    total: int
    complete: bool
    missing: tuple[int, ...] = ()       # sequence numbers never received
    tags: tuple[Hashable, ...] = ()     # the callers' tags of `parts`, in the same order

    @property
    def timestamp(self):
        return self.parts[0].timestamp


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A part already received (the SC delivers again when its acknowledgement was lost)."""
    part: Deliver
    tag: Hashable


@dataclass
class _Pending:
    first_seen: float
    total: int
    parts: dict[int, tuple[Deliver, Hashable]] = field(default_factory=dict)


def _join(parts: list[Deliver]) -> str:
    # UCS-2 parts are joined as bytes first: some senders split a surrogate
    # pair across parts, and only the joined data decodes to the character.
    out: list[str] = []
    ucs2_run = b""
    for p in parts:
        if p.dcs.alphabet == UCS2 and not p.dcs.compressed:
            ucs2_run += p.user_data
            continue
        if ucs2_run:
            out.append(decode_ucs2(ucs2_run))
            ucs2_run = b""
        out.append(p.text)
    if ucs2_run:
        out.append(decode_ucs2(ucs2_run))
    return "".join(out)


class Reassembler:
    """`duplicate_window`: how long parts of a completed message are still
    recognised as duplicates (an SC re-delivers when its ack was lost), rather
    than starting a new set that could only ever end as a bogus partial."""

    def __init__(self, timeout: float = 24 * 3600, duplicate_window: float = 600) -> None:
        self.timeout = timeout
        self.duplicate_window = duplicate_window
        self._pending: dict[tuple[str, int, int, int], _Pending] = {}
        self._done: dict[tuple[str, int, int, int], tuple[float, frozenset[int]]] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, part: Deliver, now: float, tag: Hashable = None) -> InboundMessage | Duplicate | None:
        """The whole message when `part` completes it (or is not a part at all); a
        `Duplicate` when this part was already received; else None (more to come)."""
        concat = part.udh.concat if part.udh else None
        if concat is None or concat.total == 1:
            return InboundMessage(part.originator.number, _join([part]), (part,), 1, True, tags=(tag,))
        key = (part.originator.number, concat.bits, concat.reference, concat.total)
        done = self._done.get(key)
        if done is not None:
            if now - done[0] < self.duplicate_window and concat.sequence in done[1]:
                return Duplicate(part, tag)
            del self._done[key]
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(now, concat.total)
        if concat.sequence in pending.parts:
            return Duplicate(part, tag)
        pending.parts[concat.sequence] = (part, tag)
        if len(pending.parts) < concat.total:
            return None
        del self._pending[key]
        self._done[key] = (now, frozenset(pending.parts))
        return self._release(key[0], pending)

    def expire(self, now: float) -> list[InboundMessage]:
        """Incomplete sets older than the timeout, released as partial messages."""
        out = []
        for key, (when, _) in list(self._done.items()):
            if now - when >= self.duplicate_window:
                del self._done[key]
        for key, pending in list(self._pending.items()):
            if now - pending.first_seen >= self.timeout:
                del self._pending[key]
                out.append(self._release(key[0], pending))
        return out

    @staticmethod
    def _release(originator: str, pending: _Pending) -> InboundMessage:
        seqs = sorted(pending.parts)
        parts = [pending.parts[s][0] for s in seqs]
        missing = tuple(s for s in range(1, pending.total + 1) if s not in pending.parts)
        return InboundMessage(originator, _join(parts), tuple(parts), pending.total,
                              not missing, missing, tuple(pending.parts[s][1] for s in seqs))
