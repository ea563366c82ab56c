"""How many alert SMS a number gets, and which notifications were already sent (pure: the
caller passes the time).

Each number has a window of `period` seconds, opened by its first SMS: up to `limit`
SMS go out in it, and what comes after is held back and counted by topic. When the
window ends with something held back, the number's next SMS is a summary of it, which
opens the next window. So a number gets at most `limit` + 1 SMS per `period` whatever
arrives, and every notification held back is named in a summary (or, if the gateway
stops first, in the log).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Window:
    start: float
    sent: int = 0
    held: Counter[str] = field(default_factory=Counter)
    owner: object = None                 # who the summary is sent for (the last held one's key)
    receiver: str = ""


@dataclass(frozen=True, slots=True)
class Held:
    """What a summary SMS to `number` says."""
    number: str
    topics: tuple[tuple[str, int], ...]   # (topic, notifications held back), most first
    owner: object
    receiver: str

    @property
    def count(self) -> int:
        return sum(n for _, n in self.topics)


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a number stands in its window, for the operator."""
    ends: float                           # the caller's clock
    sent: int
    held: tuple[tuple[str, int], ...]     # waiting for the summary, most first

    @property
    def pending(self) -> int:
        return sum(n for _, n in self.held)


class Ledger:
    def __init__(self, limit: int, period: float) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a limit of at least one SMS over a positive period")
        self.limit = limit
        self.period = period
        self._windows: dict[str, _Window] = {}

    def admit(self, number: str, now: float, *, topic: str, owner: object, receiver: str) -> bool:
        """May an SMS go to `number` now? If not, it is held back under `topic`."""
        w = self._windows.get(number)
        if w is None or (now >= w.start + self.period and not w.held):
            w = self._windows[number] = _Window(now)
        if w.sent < self.limit and not w.held:
            w.sent += 1
            return True
        w.held[topic] += 1
        w.owner, w.receiver = owner, receiver
        return False

    def refund(self, number: str) -> None:
        """An admitted SMS was not sent after all (the core refused it)."""
        w = self._windows.get(number)
        if w is not None and w.sent > 0:
            w.sent -= 1

    def due(self, now: float) -> list[Held]:
        """Summaries whose window has ended; each opens its number's next window, with the
        summary as its first SMS. Windows with nothing held are forgotten once over."""
        out = []
        for number, w in list(self._windows.items()):
            if now < w.start + self.period:
                continue
            if not w.held:
                del self._windows[number]
                continue
            out.append(Held(number, tuple(w.held.most_common()), w.owner, w.receiver))
            self._windows[number] = _Window(now, sent=1)
        return out

    def restore(self, held: Held, now: float) -> None:
        """A summary could not be sent: hold its count again, to be tried at the next due."""
        w = self._windows.setdefault(held.number, _Window(now))
        w.held.update(dict(held.topics))
        w.owner, w.receiver = held.owner, held.receiver
        w.sent = max(0, w.sent - 1)

    def next_due(self) -> float | None:
        ends = [w.start + self.period for w in self._windows.values() if w.held]
        return min(ends) if ends else None

    def standing(self, number: str) -> Standing | None:
        w = self._windows.get(number)
        return None if w is None else Standing(w.start + self.period, w.sent, tuple(w.held.most_common()))

    def pending(self) -> int:
        """Notifications held back and not yet summed up."""
        return sum(sum(w.held.values()) for w in self._windows.values())

    def all_held(self) -> list[Held]:
        return [Held(n, tuple(w.held.most_common()), w.owner, w.receiver)
                for n, w in self._windows.items() if w.held]


class Recent:
    """Notifications seen in the last `window` seconds, by identity."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._seen: OrderedDict[str, float] = OrderedDict()

    def claim(self, identity: str, now: float) -> bool:
        """True the first time within the window (and remembered from now); False for a repeat."""
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at < self.window:
                break
            del self._seen[oldest]
        if identity in self._seen:
            return False
        if self.window > 0:
            self._seen[identity] = now
        return True

    def release(self, identity: str) -> None:
        """The notification was not sent after all: a retry is not a repeat."""
        self._seen.pop(identity, None)
