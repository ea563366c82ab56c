"""The text of a short message: data_coding (§5.2.19) and the user data header.

What an ESME submits is read into one `str`, which the message core then segments and
encodes for the modems as it does for every edge (GSM-7, or UCS-2 when it must); what
the gateway delivers (received messages, receipts) is written in the smallest coding
that carries it. Conversions are `modemgw.sms`'s (TS 23.038 tables, UTF-16 for emoji).

data_coding read:
    0 (SMSC default alphabet)  GSM 03.38, one septet per octet, the extension table by
                               its escape (the usual SMPP convention, and smpplib's)
    1 IA5 / ASCII, 3 Latin-1, 6 ISO-8859-5, 7 ISO-8859-8   as their names say
    2, 4 (8-bit data)          UTF-8 text: the gateway sends text only, and UTF-8 is what
                               ESMEs that put text in 8-bit data mean
    8 (UCS-2)                  UTF-16 big endian, surrogate pairs included
    0xF0-0xFF (GSM DCS)        bit 2 set: 8-bit as above; clear: GSM 03.38
Anything else, or octets the coding does not allow, is refused with ESME_RSUBMITFAIL.
"""

from __future__ import annotations

from ..sms import PduError
from ..sms.gsm7 import DEFAULT as GSM7, is_gsm7
from ..sms.ucs2 import decode_ucs2, encode_ucs2
from ..sms.udh import UserDataHeader, parse_udh
from .constants import Coding, CommandStatus
from .errors import PduDecodeError

_CODECS = {Coding.IA5: "ascii", Coding.LATIN_1: "latin-1", Coding.CYRILLIC: "iso8859_5",
           Coding.HEBREW: "iso8859_8", Coding.BINARY: "utf-8", Coding.BINARY_A: "utf-8"}


def _refuse(message: str, status: int = CommandStatus.ESME_RSUBMITFAIL) -> PduDecodeError:
    return PduDecodeError(message, status)


def split_udh(data: bytes) -> tuple[UserDataHeader, bytes]:
    """The header at the start of a short message whose esm_class has UDHI (0x40), and
    the octets after it."""
    try:
        udh = parse_udh(data)
    except PduError as exc:
        raise _refuse(f"esm_class has UDHI but the short message has no valid header: {exc}",
                      CommandStatus.ESME_RINVESMCLASS) from None
    return udh, data[data[0] + 1:]


def decode_text(data: bytes, data_coding: int) -> str:
    if data_coding == Coding.UCS2:
        if len(data) % 2:
            raise _refuse(f"UCS-2 text of {len(data)} octets (an odd number)")
        return decode_ucs2(data)
    if data_coding == Coding.DEFAULT or (data_coding >= 0xF0 and not data_coding & 0x04):
        if any(octet > 0x7F for octet in data):
            raise _refuse("data_coding 0 is GSM 03.38, one septet (0 to 127) per octet; an octet "
                          "is above 127 (use data_coding 8 for UCS-2, or 3 for Latin-1)")
        return GSM7.decode(data)
    codec = _CODECS.get(data_coding) if data_coding < 0xF0 else "utf-8"
    if codec is None:
        raise _refuse(f"data_coding 0x{data_coding:02X} is not supported (0, 1, 3, 4, 6, 7, 8 are)")
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _refuse(f"the short message is not valid {codec} text for data_coding "
                      f"0x{data_coding:02X}: {exc.reason} at octet {exc.start}") from None


def encode_text(text: str) -> tuple[Coding, bytes]:
    """GSM 03.38 (one septet per octet) when every character has one, else UCS-2."""
    if is_gsm7(text):
        return Coding.DEFAULT, bytes(GSM7.encode(text))
    return Coding.UCS2, encode_ucs2(text)


def ascii_text(text: str) -> bytes:
    """IA5 (data_coding 1) for receipts: their ids hold "_", which GSM 03.38 would turn
    into another octet; a character outside ASCII becomes "?"."""
    return text.encode("ascii", "replace")
