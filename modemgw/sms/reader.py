"""Bounds-checked reading of octets, so a short PDU is a PduError with a field name."""

from __future__ import annotations

from .errors import PduError


class Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def octet(self, field: str) -> int:
        if self.pos >= len(self.data):
            raise PduError(f"PDU ends before {field} (offset {self.pos})")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def take(self, n: int, field: str) -> bytes:
        if n > self.remaining:
            raise PduError(
                f"PDU ends inside {field}: needs {n} octet(s) at offset {self.pos}, "
                f"{self.remaining} left")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def rest(self) -> bytes:
        chunk = self.data[self.pos:]
        self.pos = len(self.data)
        return chunk
