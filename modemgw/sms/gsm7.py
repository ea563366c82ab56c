"""The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1).

Text is handled here as septet values (ints 0..127); packing them into octets
is `packing.py`'s job. National language tables live in `national.py`.
"""

from __future__ import annotations

from .errors import PduError

ESC = 0x1B

# Index = septet value. 0x09 is capital Ç as in the standard (the Unicode
# mapping file's small ç is a known deviation); 0x1B is the escape, never text.
DEFAULT_ALPHABET = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
assert len(DEFAULT_ALPHABET) == 128

# Septet after ESC -> character (§6.2.1.1). Each costs two septets.
DEFAULT_EXTENSION = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}


class Charset:
    """A locking-shift table plus a single-shift (extension) table."""

    __slots__ = ("locking", "single", "_encode", "_costs", "_septets", "locking_id", "single_id")

    def __init__(self, locking: str, single: dict[int, str],
                 locking_id: int = 0, single_id: int = 0) -> None:
        self.locking = locking
        self.single = single
        self.locking_id = locking_id
        self.single_id = single_id
        enc: dict[str, tuple[int, ...]] = {}
        # Single-shift first so that a character present in both tables
        # takes the one-septet form from the locking table.
        for code, ch in single.items():
            enc[ch] = (ESC, code)
        for code, ch in enumerate(locking):
            if code != ESC:
                enc[ch] = (code,)
        self._encode = enc
        self._costs = {ch: len(septets) for ch, septets in enc.items()}
        # str.translate's table: each character to its septets as characters; an ASCII
        # character not in the charset to U+0080, so that text of known characters alone
        # translates to ASCII (a character above U+007F is left as it is).
        septets_of = {code: "\x80" for code in range(128)}
        septets_of.update({ord(ch): "".join(map(chr, septets)) for ch, septets in enc.items()})
        self._septets = septets_of

    def septets_for(self, ch: str) -> tuple[int, ...] | None:
        """The septets for one character, or None if it is not in this charset."""
        return self._encode.get(ch)

    def cost(self, ch: str) -> int | None:
        return self._costs.get(ch)

    def costs(self, text: str) -> list[int | None]:
        """`cost` of each character of `text`."""
        return list(map(self._costs.get, text))

    def can_encode(self, text: str) -> bool:
        enc = self._encode
        return all(ch in enc for ch in text)

    def encode(self, text: str) -> list[int]:
        septets = text.translate(self._septets)
        if not septets.isascii():
            unknown = next(ch for ch in text if ch not in self._encode)
            raise PduError(f"character {unknown!r} is not in the GSM 7-bit alphabet")
        return list(septets.encode("ascii"))

    def decode(self, septets: list[int] | bytes) -> str:
        out: list[str] = []
        locking, single = self.locking, self.single
        it = iter(septets)
        for s in it:
            if s != ESC:
                out.append(locking[s & 0x7F])
                continue
            nxt = next(it, None)
            if nxt is None or nxt == ESC:
                # ESC ESC is reserved; a trailing ESC has nothing to extend.
                # TS 23.038 says to display a space.
                out.append(" ")
            elif nxt in single:
                out.append(single[nxt])
            else:
                # Undefined extension: show the main-table character (§6.2.1.1).
                out.append(locking[nxt & 0x7F] if nxt != ESC else " ")
        return "".join(out)


DEFAULT = Charset(DEFAULT_ALPHABET, DEFAULT_EXTENSION)


def is_gsm7(text: str) -> bool:
    """True if every character of `text` is in the default alphabet or its extension."""
    return DEFAULT.can_encode(text)
