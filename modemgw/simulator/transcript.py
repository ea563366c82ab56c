"""Everything the modem received and sent, with timestamps."""

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    at: float  # time.monotonic()
    direction: str  # "in" (from the host) or "out" (to the host)
    kind: str  # "line" (command line), "pdu" (SMS editor input), "bytes" (output)
    data: str | bytes


class Transcript:
    def __init__(self, on_change: Callable[[], None] = lambda: None) -> None:
        self.entries: list[Entry] = []
        self.listeners: list[Callable[[Entry], None]] = []
        self._on_change = on_change

    def _add(self, direction: str, kind: str, data: str | bytes) -> None:
        entry = Entry(time.monotonic(), direction, kind, data)
        self.entries.append(entry)
        for listener in self.listeners:
            listener(entry)
        self._on_change()

    def line_received(self, line: str) -> None:
        self._add("in", "line", line)

    def pdu_received(self, text: str) -> None:
        self._add("in", "pdu", text)

    def bytes_sent(self, data: bytes) -> None:
        self._add("out", "bytes", data)

    def commands(self) -> list[str]:
        """Command lines received, as typed."""
        return [e.data for e in self.entries if e.kind == "line"]

    def output(self) -> bytes:
        """All bytes sent to the host so far."""
        return b"".join(e.data for e in self.entries if e.kind == "bytes")

    def format(self) -> str:
        start = self.entries[0].at if self.entries else 0.0
        return "\n".join(
            f"{e.at - start:9.3f} {'>>' if e.direction == 'in' else '<<'} {e.data!r}"
            for e in self.entries
        )
