"""User data header and its information elements (TS 23.040 §9.2.3.24)."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import PduError

IEI_CONCAT_8 = 0x00
IEI_PORTS_8 = 0x04
IEI_PORTS_16 = 0x05
IEI_CONCAT_16 = 0x08
IEI_SINGLE_SHIFT = 0x24
IEI_LOCKING_SHIFT = 0x25


@dataclass(frozen=True, slots=True)
class InformationElement:
    iei: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Concat:
    reference: int
    total: int
    sequence: int
    bits: int = 8


@dataclass(frozen=True, slots=True)
class UserDataHeader:
    elements: tuple[InformationElement, ...]

    def _find(self, *ieis: int) -> InformationElement | None:
        # The last occurrence wins when an IE is repeated (§9.2.3.24).
        found = None
        for ie in self.elements:
            if ie.iei in ieis:
                found = ie
        return found

    @property
    def concat(self) -> Concat | None:
        ie = self._find(IEI_CONCAT_8, IEI_CONCAT_16)
        if ie is None:
            return None
        if ie.iei == IEI_CONCAT_8 and len(ie.data) == 3:
            c = Concat(ie.data[0], ie.data[1], ie.data[2], 8)
        elif ie.iei == IEI_CONCAT_16 and len(ie.data) == 4:
            c = Concat(int.from_bytes(ie.data[:2], "big"), ie.data[2], ie.data[3], 16)
        else:
            return None
        # A receiver ignores a concatenation IE with total or sequence 0, or
        # a sequence beyond the total (§9.2.3.24.1).
        if c.total == 0 or c.sequence == 0 or c.sequence > c.total:
            return None
        return c

    @property
    def ports(self) -> tuple[int, int] | None:
        """(destination, originator) application ports."""
        ie = self._find(IEI_PORTS_8, IEI_PORTS_16)
        if ie is None:
            return None
        if ie.iei == IEI_PORTS_8 and len(ie.data) == 2:
            return ie.data[0], ie.data[1]
        if ie.iei == IEI_PORTS_16 and len(ie.data) == 4:
            return int.from_bytes(ie.data[:2], "big"), int.from_bytes(ie.data[2:], "big")
        return None

    def _language(self, iei: int) -> int | None:
        ie = self._find(iei)
        return ie.data[0] if ie is not None and len(ie.data) == 1 else None

    @property
    def single_shift(self) -> int | None:
        return self._language(IEI_SINGLE_SHIFT)

    @property
    def locking_shift(self) -> int | None:
        return self._language(IEI_LOCKING_SHIFT)

    def to_bytes(self) -> bytes:
        """The header including its length octet (UDHL)."""
        body = b"".join(bytes([ie.iei, len(ie.data)]) + ie.data for ie in self.elements)
        return bytes([len(body)]) + body


def parse_udh(ud: bytes) -> UserDataHeader:
    """Parse the header at the start of `ud` (which begins with UDHL)."""
    if not ud:
        raise PduError("TP-UDHI is set but the user data is empty")
    udhl = ud[0]
    if udhl + 1 > len(ud):
        raise PduError(f"user data header length {udhl} exceeds the user data ({len(ud) - 1} octets)")
    body = ud[1:udhl + 1]
    elements: list[InformationElement] = []
    pos = 0
    while pos < len(body):
        if pos + 2 > len(body):
            raise PduError(f"user data header ends inside an element at offset {pos}")
        iei, length = body[pos], body[pos + 1]
        if pos + 2 + length > len(body):
            raise PduError(f"information element 0x{iei:02X} (length {length}) overruns the header")
        elements.append(InformationElement(iei, bytes(body[pos + 2:pos + 2 + length])))
        pos += 2 + length
    return UserDataHeader(tuple(elements))


def concat_element(reference: int, total: int, sequence: int) -> InformationElement:
    return InformationElement(IEI_CONCAT_8, bytes([reference, total, sequence]))
