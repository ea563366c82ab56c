"""Packing septets into octets, LSB first (TS 23.038 §6.1.2.1.1).

`fill_bits` is the number of zero bits before the first septet: text that
follows a user data header starts on a septet boundary (TS 23.040 §9.2.3.24).
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import PduError


def pack_septets(septets: Iterable[int], fill_bits: int = 0) -> bytes:
    acc = 0
    nbits = fill_bits
    out = bytearray()
    for s in septets:
        acc |= (s & 0x7F) << nbits
        nbits += 7
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        out.append(acc & 0xFF)
    return bytes(out)


def packed_length(count: int, fill_bits: int = 0) -> int:
    """Octets needed for `count` septets after `fill_bits` fill bits."""
    return (fill_bits + 7 * count + 7) // 8


def unpack_septets(data: bytes, count: int, fill_bits: int = 0) -> list[int]:
    if count < 0:
        raise PduError("negative septet count")
    need = packed_length(count, fill_bits)
    if need > len(data):
        raise PduError(
            f"user data holds {len(data)} octet(s), {count} septet(s) need {need}")
    big = int.from_bytes(data[:need], "little") >> fill_bits
    return [(big >> (7 * i)) & 0x7F for i in range(count)]
