"""SMS-DELIVER: what a modem receives (TS 23.040 §9.2.2.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .address import Address, decode_address, encode_originator, encode_smsc
from .dcs import DataCoding, decode_dcs, encode_dcs
from .encoded import EncodedPdu
from .errors import PduError
from .reader import Reader
from .segmentation import segment
from .submit import parts_user_data
from .timestamp import decode_timestamp, encode_timestamp
from .udh import UserDataHeader
from .user_data import decode_user_data

MTI_DELIVER = 0x00
_MMS = 0x04          # set: no more messages waiting in the SC
_SRI = 0x20
_UDHI = 0x40
_RP = 0x80


@dataclass(frozen=True, slots=True)
class Deliver:
    smsc: Address | None
    originator: Address
    pid: int
    dcs: DataCoding
    timestamp: datetime | None
    udh: UserDataHeader | None
    text: str
    user_data: bytes        # after the header: the raw data of 8-bit messages
    more_messages: bool
    reply_path: bool
    status_report_indication: bool


def decode_deliver(tpdu: bytes, smsc: Address | None = None) -> Deliver:
    r = Reader(tpdu)
    first = r.octet("first octet")
    if first & 0x03 != MTI_DELIVER:
        raise PduError(f"not an SMS-DELIVER (TP-MTI {first & 0x03})")
    originator = decode_address(r, "TP-OA")
    pid = r.octet("TP-PID")
    dcs = decode_dcs(r.octet("TP-DCS"))
    scts = decode_timestamp(r, "TP-SCTS")
    udh, text, ud = decode_user_data(r, dcs, bool(first & _UDHI))
    return Deliver(smsc, originator, pid, dcs, scts, udh, text, ud,
                   more_messages=not first & _MMS, reply_path=bool(first & _RP),
                   status_report_indication=bool(first & _SRI))


def encode_deliver(originator: str, text: str, *, timestamp: datetime, smsc: str | None = None,
                   reference: int = 0, national_languages: tuple[str, ...] = ()
                   ) -> tuple[EncodedPdu, ...]:
    """What an SC would deliver for `text`: one PDU per part (used by the simulated modem)."""
    oa = encode_originator(originator)
    seg = segment(text, national_languages)
    dcs = encode_dcs(seg.encoding)
    scts = encode_timestamp(timestamp)
    out = []
    for has_udh, udl, ud in parts_user_data(seg, reference & 0xFF):
        tpdu = (bytes([MTI_DELIVER | _MMS | (_UDHI if has_udh else 0)]) + oa
                + bytes([0x00, dcs]) + scts + bytes([udl]) + ud)
        out.append(EncodedPdu((encode_smsc(smsc) + tpdu).hex().upper(), len(tpdu)))
    return tuple(out)
