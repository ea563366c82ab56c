"""Swapped-nibble BCD ("semi-octets") used by addresses and timestamps (TS 23.040 §9.1.2.3)."""

from __future__ import annotations

from .errors import PduError

# Address digits: 0-9, then * # a b c per TS 24.008 table 10.5.118; F is the filler.
_DIGITS = "0123456789*#abc"
_VALUES = {ch: i for i, ch in enumerate(_DIGITS)}


def decode_digits(data: bytes, count: int) -> str:
    out: list[str] = []
    for octet in data:
        for nibble in (octet & 0x0F, octet >> 4):
            if len(out) == count:
                return "".join(out)
            if nibble == 0x0F:
                # A filler before the announced length: the number is shorter.
                return "".join(out)
            out.append(_DIGITS[nibble])
    return "".join(out)


def encode_digits(digits: str) -> bytes:
    nibbles: list[int] = []
    for ch in digits:
        value = _VALUES.get(ch)
        if value is None:
            raise PduError(f"{ch!r} is not a digit of a phone number")
        nibbles.append(value)
    if len(nibbles) % 2:
        nibbles.append(0x0F)
    return bytes(nibbles[i] | (nibbles[i + 1] << 4) for i in range(0, len(nibbles), 2))


def swap(octet: int) -> tuple[int, int]:
    """The two decimal digits of a swapped-BCD octet (high, low)."""
    return octet & 0x0F, octet >> 4
