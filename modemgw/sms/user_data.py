"""TP-UD: user data with an optional header, in GSM-7, 8-bit or UCS-2 (TS 23.040 §9.2.3.24)."""

from __future__ import annotations

from .dcs import EIGHT_BIT, GSM7, UCS2, DataCoding
from .errors import PduError
from .gsm7 import DEFAULT, Charset
from .packing import pack_septets, unpack_septets
from .reader import Reader
from .ucs2 import decode_ucs2, encode_ucs2
from .udh import UserDataHeader, parse_udh

MAX_OCTETS = 140


def header_septets(header_octets: int) -> int:
    """Septets a header occupies, fill bits included: text starts on a septet boundary."""
    return (header_octets * 8 + 6) // 7


def decode_user_data(r: Reader, dcs: DataCoding, has_udh: bool
                     ) -> tuple[UserDataHeader | None, str, bytes]:
    """(header, text, user data after the header). Octets after TP-UDL are ignored."""
    udl = r.octet("TP-UDL")
    rest = r.rest()
    if dcs.alphabet == GSM7 and not dcs.compressed:
        needed = (udl * 7 + 7) // 8
    else:
        needed = udl
    if needed > MAX_OCTETS:
        raise PduError(f"TP-UDL {udl} exceeds 140 octets of user data")
    if needed > len(rest):
        raise PduError(f"TP-UDL {udl} needs {needed} octet(s) of user data, {len(rest)} present")
    ud = rest[:needed]
    udh = None
    header_len = 0
    if has_udh:
        udh = parse_udh(ud)
        header_len = ud[0] + 1
    if dcs.compressed:
        return udh, "", bytes(ud[header_len:])
    if dcs.alphabet == GSM7:
        skip = header_septets(header_len) if has_udh else 0
        count = udl - skip
        if count < 0:
            raise PduError(f"TP-UDL {udl} septets is shorter than the {header_len}-octet header")
        fill = skip * 7 - header_len * 8
        body = ud[header_len:]
        septets = unpack_septets(body, count, fill)
        return udh, _charset_for(udh).decode(septets), bytes(body)
    body = bytes(ud[header_len:])
    if dcs.alphabet == UCS2:
        return udh, decode_ucs2(body), body
    return udh, "", body  # 8-bit data is not text: see `user_data`.


def _charset_for(udh: UserDataHeader | None) -> Charset:
    if udh is None or (udh.locking_shift is None and udh.single_shift is None):
        return DEFAULT
    from .national import charset  # national tables are only loaded when used
    return charset(udh.locking_shift or 0, udh.single_shift or 0)


def encode_user_data(alphabet: str, payload: str | list[int] | bytes,
                     udh: UserDataHeader | None) -> tuple[int, bytes]:
    """(TP-UDL, TP-UD). `payload` is septets for GSM-7, text for UCS-2, bytes for 8-bit."""
    header = udh.to_bytes() if udh is not None and udh.elements else b""
    if alphabet == GSM7:
        septets = list(payload)  # type: ignore[arg-type]
        skip = header_septets(len(header)) if header else 0
        fill = skip * 7 - len(header) * 8
        ud = header + pack_septets(septets, fill)
        udl = skip + len(septets)
    elif alphabet == UCS2:
        ud = header + encode_ucs2(payload)  # type: ignore[arg-type]
        udl = len(ud)
    elif alphabet == EIGHT_BIT:
        ud = header + bytes(payload)  # type: ignore[arg-type]
        udl = len(ud)
    else:
        raise PduError(f"unknown alphabet {alphabet!r}")
    if len(ud) > MAX_OCTETS:
        raise PduError(f"user data of {len(ud)} octets exceeds 140")
    return udl, ud
