"""UCS-2 as carried in SMS: really UTF-16BE, since phones send emoji as surrogate pairs."""

from __future__ import annotations

REPLACEMENT = "\ufffd"


def decode_ucs2(data: bytes) -> str:
    """Always a valid str: a lone surrogate or an odd trailing octet becomes U+FFFD.

    SQLite and JSON reject lone surrogates, and a sender may split a pair
    across the parts of a concatenated message.
    """
    units = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
    out: list[str] = []
    i = 0
    while i < len(units):
        u = units[i]
        if 0xD800 <= u <= 0xDBFF and i + 1 < len(units) and 0xDC00 <= units[i + 1] <= 0xDFFF:
            out.append(chr(0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00)))
            i += 2
            continue
        out.append(REPLACEMENT if 0xD800 <= u <= 0xDFFF else chr(u))
        i += 1
    if len(data) % 2:
        out.append(REPLACEMENT)
    return "".join(out)


def encode_ucs2(text: str) -> bytes:
    return text.encode("utf-16-be")


def utf16_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1
