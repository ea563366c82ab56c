"""SMS-STATUS-REPORT and the meaning of TP-ST (TS 23.040 §9.2.2.3, §9.2.3.15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .address import Address, decode_address, encode_phone_number, encode_smsc
from .dcs import DataCoding, decode_dcs
from .encoded import EncodedPdu
from .errors import PduError
from .reader import Reader
from .timestamp import decode_timestamp, encode_timestamp
from .udh import UserDataHeader
from .user_data import decode_user_data

MTI_STATUS_REPORT = 0x02
_MMS = 0x04
_SRQ = 0x20
_UDHI = 0x40


class Outcome(StrEnum):
    DELIVERED = "delivered"
    PENDING = "pending"                    # temporary error, the SC is still trying
    FAILED_PERMANENT = "failed_permanent"
    FAILED_TEMPORARY = "failed_temporary"  # temporary error, the SC has given up


_REASONS = {
    0x00: "short message received by the SME",
    0x01: "forwarded by the SC to the SME but the SC is unable to confirm delivery",
    0x02: "short message replaced by the SC",
    0x20: "congestion",
    0x21: "SME busy",
    0x22: "no response from SME",
    0x23: "service rejected",
    0x24: "quality of service not available",
    0x25: "error in SME",
    0x40: "remote procedure error",
    0x41: "incompatible destination",
    0x42: "connection rejected by SME",
    0x43: "not obtainable",
    0x44: "quality of service not available",
    0x45: "no interworking available",
    0x46: "SM validity period expired",
    0x47: "SM deleted by originating SME",
    0x48: "SM deleted by SC administration",
    0x49: "SM does not exist",
    0x60: "congestion",
    0x61: "SME busy",
    0x62: "no response from SME",
    0x63: "service rejected",
    0x64: "quality of service not available",
    0x65: "error in SME",
}

_SERVICE_REJECTED = 0x63


def _is_sc_specific(st: int) -> bool:
    return 0x10 <= st <= 0x1F or 0x30 <= st <= 0x3F or 0x50 <= st <= 0x5F or 0x6A <= st <= 0x7F


def interpret_status(st: int) -> tuple[Outcome, str]:
    """TP-ST -> (outcome, reason). Reserved values count as 'service rejected' (0x63), as §9.2.3.15 says."""
    if st in _REASONS:
        reason = _REASONS[st]
    elif _is_sc_specific(st):
        reason = f"SC-specific status 0x{st:02X}"
    else:
        return Outcome.FAILED_TEMPORARY, f"reserved status 0x{st:02X}, treated as service rejected"
    group = st >> 5
    outcome = (Outcome.DELIVERED, Outcome.PENDING, Outcome.FAILED_PERMANENT,
               Outcome.FAILED_TEMPORARY)[group]
    return outcome, reason


@dataclass(frozen=True, slots=True)
class StatusReport:
    smsc: Address | None
    message_reference: int
    recipient: Address
    timestamp: datetime | None         # TP-SCTS: when the SC received the submitted message
    discharge_time: datetime | None    # TP-DT: when the status below was reached
    status: int
    outcome: Outcome
    reason: str
    more_messages: bool
    qualifier_command: bool            # TP-SRQ: a report of an SMS-COMMAND
    pid: int | None = None
    dcs: DataCoding | None = None
    udh: UserDataHeader | None = None
    text: str = ""

    @property
    def final(self) -> bool:
        return self.outcome != Outcome.PENDING


def decode_status_report(tpdu: bytes, smsc: Address | None = None) -> StatusReport:
    r = Reader(tpdu)
    first = r.octet("first octet")
    if first & 0x03 != MTI_STATUS_REPORT:
        raise PduError(f"not an SMS-STATUS-REPORT (TP-MTI {first & 0x03})")
    mr = r.octet("TP-MR")
    recipient = decode_address(r, "TP-RA")
    scts = decode_timestamp(r, "TP-SCTS")
    dt = decode_timestamp(r, "TP-DT")
    st = r.octet("TP-ST")
    outcome, reason = interpret_status(st)
    pid = dcs = udh = None
    text = ""
    tail = r.rest()
    # Optional parameters. Reports read from a SIM record come padded with FF,
    # which would read as a parameter indicator: the mandatory part is what
    # matters, so an unreadable tail is dropped rather than the report.
    if tail and any(b != 0xFF for b in tail):
        try:
            pid, dcs, udh, text = _optional(tail, first)
        except PduError:
            pid = dcs = udh = None
            text = ""
    return StatusReport(smsc, mr, recipient, scts, dt, st, outcome, reason,
                        more_messages=not first & _MMS, qualifier_command=bool(first & _SRQ),
                        pid=pid, dcs=dcs, udh=udh, text=text)


def _optional(tail: bytes, first: int
              ) -> tuple[int | None, DataCoding | None, UserDataHeader | None, str]:
    r = Reader(tail)
    pi = r.octet("TP-PI")
    while r.data[r.pos - 1] & 0x80:  # extension octets: nothing defined in them yet
        r.octet("TP-PI extension")
    pid = r.octet("TP-PID") if pi & 0x01 else None
    dcs = decode_dcs(r.octet("TP-DCS")) if pi & 0x02 else None
    if pi & 0x04:
        udh, text, _ = decode_user_data(r, dcs or decode_dcs(0), bool(first & _UDHI))
        return pid, dcs, udh, text
    return pid, dcs, None, ""


def encode_status_report(message_reference: int, recipient: str, *, status: int = 0,
                         timestamp: datetime, discharge_time: datetime,
                         smsc: str | None = None) -> EncodedPdu:
    """A report as an SC sends it (used by the simulated modem)."""
    if not 0 <= message_reference <= 255 or not 0 <= status <= 255:
        raise PduError("message reference and status must be 0..255")
    tpdu = (bytes([MTI_STATUS_REPORT | _MMS, message_reference])
            + encode_phone_number(recipient, "recipient")
            + encode_timestamp(timestamp) + encode_timestamp(discharge_time) + bytes([status]))
    return EncodedPdu((encode_smsc(smsc) + tpdu).hex().upper(), len(tpdu))
