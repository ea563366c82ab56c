"""SMS-SUBMIT: encoding what the gateway sends, decoding what a modem stored (TS 23.040 §9.2.2.2)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .address import Address, decode_address, encode_phone_number, encode_smsc
from .dcs import GSM7, DataCoding, decode_dcs, encode_dcs
from .encoded import EncodedPdu
from .errors import PduError
from .reader import Reader
from .segmentation import Segmentation, segment
from .timestamp import decode_timestamp
from .udh import IEI_LOCKING_SHIFT, IEI_SINGLE_SHIFT, InformationElement, UserDataHeader, concat_element
from .user_data import decode_user_data, encode_user_data
from .validity import relative_code, relative_seconds

MTI_SUBMIT = 0x01
_RD = 0x04
_VPF_RELATIVE = 0x10
_SRR = 0x20
_UDHI = 0x40


@dataclass(frozen=True, slots=True)
class Submit:
    smsc: Address | None
    message_reference: int
    destination: Address
    pid: int
    dcs: DataCoding
    validity: int | None            # seconds, relative format only
    status_report_request: bool
    reject_duplicates: bool
    udh: UserDataHeader | None
    text: str
    user_data: bytes


def build_header(concat: InformationElement | None, locking_id: int, single_id: int
                 ) -> UserDataHeader | None:
    elements = [concat] if concat is not None else []
    if locking_id:
        elements.append(InformationElement(IEI_LOCKING_SHIFT, bytes([locking_id])))
    if single_id:
        elements.append(InformationElement(IEI_SINGLE_SHIFT, bytes([single_id])))
    return UserDataHeader(tuple(elements)) if elements else None


def parts_user_data(seg: Segmentation, reference: int) -> Iterator[tuple[bool, int, bytes]]:
    """(has a header, TP-UDL, TP-UD) for each part: what SUBMIT and DELIVER share."""
    cs = seg.charset
    for seq, part in enumerate(seg.parts, start=1):
        concat = concat_element(reference, seg.segments, seq) if seg.segments > 1 else None
        udh = build_header(concat, cs.locking_id if cs else 0, cs.single_id if cs else 0)
        payload = cs.encode(part) if seg.encoding == GSM7 and cs else part
        udl, ud = encode_user_data(seg.encoding, payload, udh)
        yield udh is not None, udl, ud


def encode_submit(to: str, text: str, *, reference: int = 0, status_report: bool = True,
                  validity: int | None = None, flash: bool = False,
                  national_languages: tuple[str, ...] = (),
                  segmentation: Segmentation | None = None) -> tuple[EncodedPdu, ...]:
    """One PDU per part, each with a `00` SMSC prefix (the SIM's SMSC is used).

    `reference` is the 8-bit concatenation reference (see `ConcatReferences`);
    `validity` is in seconds (relative format, rounded up). TP-MR is 0: the
    modem assigns it and reports it in `+CMGS: <mr>`. `segmentation` is
    `segment(text, national_languages)` when the caller has it already (it is
    not computed again); a segmentation of another text raises PduError.
    """
    if not 0 <= reference <= 255:
        raise PduError(f"concatenation reference {reference} is not 0..255")
    destination = encode_phone_number(to)
    if segmentation is None:
        seg = segment(text, national_languages)
    elif "".join(segmentation.parts) != text:
        raise PduError("the segmentation given is not of this text")
    else:
        seg = segmentation
    first = MTI_SUBMIT | (_SRR if status_report else 0)
    vp = b""
    if validity is not None:
        first |= _VPF_RELATIVE
        vp = bytes([relative_code(validity)])
    dcs = encode_dcs(seg.encoding, flash)
    out = []
    for has_udh, udl, ud in parts_user_data(seg, reference):
        tpdu = (bytes([first | (_UDHI if has_udh else 0), 0x00]) + destination
                + bytes([0x00, dcs]) + vp + bytes([udl]) + ud)
        out.append(EncodedPdu((encode_smsc(None) + tpdu).hex().upper(), len(tpdu)))
    return tuple(out)


def decode_submit(tpdu: bytes, smsc: Address | None = None) -> Submit:
    r = Reader(tpdu)
    first = r.octet("first octet")
    if first & 0x03 != MTI_SUBMIT:
        raise PduError(f"not an SMS-SUBMIT (TP-MTI {first & 0x03})")
    mr = r.octet("TP-MR")
    destination = decode_address(r, "TP-DA")
    pid = r.octet("TP-PID")
    dcs = decode_dcs(r.octet("TP-DCS"))
    vpf = (first >> 3) & 0x03
    validity = None
    if vpf == 2:
        validity = relative_seconds(r.octet("TP-VP"))
    elif vpf in (1, 3):
        # Enhanced or absolute format: seven octets, not a duration we keep.
        if vpf == 3:
            decode_timestamp(r, "TP-VP")
        else:
            r.take(7, "TP-VP")
    udh, text, ud = decode_user_data(r, dcs, bool(first & _UDHI))
    return Submit(smsc, mr, destination, pid, dcs, validity, bool(first & _SRR),
                  bool(first & _RD), udh, text, ud)
