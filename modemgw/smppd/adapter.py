"""SMPP requests to core `Submission`s, and core records and errors back to SMPP: the
translation, and nothing else (the core checks, segments, rate-limits and keeps state).

Addresses: a destination with TON 1 (international) is E.164 without its "+", which is
put back; any other TON is passed as written (a national number needs [api]
default_region, as for every edge). source_addr becomes the message's `from`, which
only picks a modem route. priority_flag 0-3 is the core's priority 0, 3, 6, 9.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import CoreError, Forbidden, Invalid, NoCapacity, NotFound, Problem, RateLimited, Submission
from ..smpp import CommandStatus as S, Esm, MessageState, Tag, Ton, times
from ..smpp.constants import INTERMEDIATE_MASK, MESSAGE_TYPE_MASK, RECEIPT_MASK
from ..smpp.errors import PduDecodeError
from ..smpp.fields import tlv_cstring, tlv_int
from ..smpp.pdus import Pdu, Tlv
from ..smpp.receipts import Receipt
from ..smpp.text import ascii_text, encode_text, split_udh

DIALECT = "smpp"
MAX_PRIORITY_FLAG = 3
NAMES = {"to": "destination_addr", "text": "short_message", "sender": "source_addr",
         "scheduled_at": "schedule_delivery_time", "validity": "validity_period",
         "priority": "priority_flag"}
MULTI_NAMES = {**NAMES, "to": "dest_address"}

STATES = {"queued": MessageState.ENROUTE, "sent": MessageState.ENROUTE,
          "delivered": MessageState.DELIVERED, "failed": MessageState.UNDELIVERABLE,
          "expired": MessageState.EXPIRED, "cancelled": MessageState.DELETED}
FINAL_EVENTS = {"message.delivered": "delivered", "message.failed": "failed",
                "message.expired": "expired", "message.cancelled": "cancelled"}
RECEIPT_EVENTS = (*FINAL_EVENTS, "message.sent")      # message.sent: intermediate notification


@dataclass(frozen=True, slots=True)
class Segment:
    """Where one submitted PDU sits in a long message: (reference, total, sequence)."""
    reference: int
    total: int
    sequence: int


@dataclass(frozen=True, slots=True)
class Content:
    """The octets a submit carries, its coding, and its place in a long message."""
    octets: bytes
    data_coding: int
    segment: Segment | None = None


def refuse(message: str, status: int) -> PduDecodeError:
    return PduDecodeError(message, status)


def content(pdu: Pdu) -> Content:
    """short_message or message_payload, without its UDH; the segment from the UDH or the
    sar_* TLVs. Refuses what the gateway cannot send (other message types, replace,
    canned messages)."""
    esm = getattr(pdu, "esm_class", 0)
    if esm & MESSAGE_TYPE_MASK:
        raise refuse(f"esm_class 0x{esm:02X}: only normal messages can be submitted", S.ESME_RINVESMCLASS)
    if getattr(pdu, "replace_if_present_flag", 0):
        raise refuse("replace_if_present_flag: the gateway cannot replace a message", S.ESME_RINVSUBREP)
    if getattr(pdu, "sm_default_msg_id", 0):
        raise refuse("sm_default_msg_id: the gateway has no canned messages", S.ESME_RINVDFTMSGID)
    octets = getattr(pdu, "short_message", b"")
    payload = pdu.tlv(Tag.MESSAGE_PAYLOAD)
    if payload is not None:
        if octets:
            raise refuse("both short_message and message_payload are set (sm_length must be 0)",
                         S.ESME_RSUBMITFAIL)
        octets = payload
    segment = None
    if esm & Esm.UDHI:
        udh, octets = split_udh(octets)
        concat = udh.concat
        if concat is not None and concat.total > 1:
            segment = Segment(concat.reference, concat.total, concat.sequence)
    sar = [pdu.tlv(t) for t in (Tag.SAR_MSG_REF_NUM, Tag.SAR_TOTAL_SEGMENTS, Tag.SAR_SEGMENT_SEQNUM)]
    if any(v is not None for v in sar) and segment is None:
        if any(v is None for v in sar):
            raise refuse("sar_msg_ref_num, sar_total_segments and sar_segment_seqnum go together",
                         S.ESME_RMISSINGOPTPARAM)
        reference, total, sequence = (int.from_bytes(v, "big") for v in sar)   # type: ignore[arg-type]
        if not 1 <= sequence <= total:
            raise refuse(f"sar_segment_seqnum {sequence} of {total}", S.ESME_RINVOPTPARAMVAL)
        if total > 1:
            segment = Segment(reference, total, sequence)
    return Content(octets, pdu.data_coding, segment)


def number(address: str, ton: int) -> str:
    if ton == Ton.INTERNATIONAL and address and not address.startswith("+"):
        return "+" + address
    return address


def receipt_request(pdu: Pdu) -> int:
    flag = getattr(pdu, "registered_delivery", 0)
    if flag & RECEIPT_MASK == RECEIPT_MASK:
        raise refuse(f"registered_delivery 0x{flag:02X}: receipt request 3 is reserved", S.ESME_RINVREGDLVFLG)
    return flag & (RECEIPT_MASK | INTERMEDIATE_MASK)


def submission(pdu: Pdu, body: str, to: tuple[str, ...], now: float, *, multi: bool = False,
               message_id: str | None = None) -> Submission:
    """One Submission for a submit_sm, data_sm or submit_multi (or a long message's segments,
    given the first one, the whole text and the id its segments were answered with)."""
    priority = getattr(pdu, "priority_flag", 0)
    if priority > MAX_PRIORITY_FLAG:
        raise refuse(f"priority_flag {priority}: 0 to 3", S.ESME_RINVPRTFLG)
    scheduled = times.parse(getattr(pdu, "schedule_delivery_time", ""), now, "schedule_delivery_time",
                            S.ESME_RINVSCHED)
    expires = times.parse(getattr(pdu, "validity_period", ""), now, "validity_period", S.ESME_RINVEXPIRY)
    # The core refuses a validity outside its range (one that ends before the message could
    # be sent included), as Invalid("validity_period"): ESME_RINVEXPIRY below.
    validity = None if expires is None else round(expires - max(now, scheduled or now))
    return Submission(to=to, text=body, sender=pdu.source_addr or None, scheduled_at=scheduled, epoch_times=True,
                      validity=validity, priority=priority * 3, dialect=DIALECT,
                      partial=multi, to_is_list=multi, names=MULTI_NAMES if multi else NAMES,
                      message_id=message_id)


# -- errors --------------------------------------------------------------------------

_FIELDS = {"validity_period": S.ESME_RINVEXPIRY, "schedule_delivery_time": S.ESME_RINVSCHED,
           "priority_flag": S.ESME_RINVPRTFLG, "dest_address": S.ESME_RINVNUMDESTS,
           "source_addr": S.ESME_RINVSRCADR}
_PROBLEMS = {Problem.NUMBER: S.ESME_RINVDSTADR, Problem.SENDER: S.ESME_RINVSRCADR,
             Problem.TOO_LONG: S.ESME_RINVMSGLEN}
ERRORS: dict[type[CoreError], int] = {RateLimited: S.ESME_RTHROTTLED, NoCapacity: S.ESME_RMSGQFUL,
                                      NotFound: S.ESME_RINVMSGID, Forbidden: S.ESME_RINVMSGID}


def status(err: CoreError, default: int = S.ESME_RSUBMITFAIL) -> int:
    """The command_status for a core refusal."""
    if isinstance(err, Invalid):
        return _PROBLEMS.get(err.problem) or _FIELDS.get(err.field or "", default)
    return ERRORS.get(type(err), default)


# -- what the gateway delivers -------------------------------------------------------

def address(value: str | None) -> tuple[str, int, int]:
    """(address, TON, NPI) of a number as the core keeps it."""
    if not value:
        return "", Ton.UNKNOWN, 0
    if value.startswith("+"):
        return value[1:21], Ton.INTERNATIONAL, 1
    if value.isdigit():
        return value[:20], Ton.UNKNOWN, 1
    return value[:20], Ton.ALPHANUMERIC, 0


def mobile_originated(event: dict) -> dict:
    """deliver_sm fields for a received message (the event's snapshot). Its destination
    is the modem's name (alphanumeric): the gateway does not know a SIM's own number."""
    coding, octets = encode_text(event.get("text") or "")
    src, src_ton, src_npi = address(event.get("from"))
    dst, dst_ton, dst_npi = address(event.get("modem"))
    fields = dict(source_addr=src, source_addr_ton=src_ton, source_addr_npi=src_npi,
                  destination_addr=dst, dest_addr_ton=Ton.ALPHANUMERIC if dst else dst_ton,
                  dest_addr_npi=dst_npi, data_coding=coding)
    return {**fields, **_body(octets)}


def _body(octets: bytes) -> dict:
    # Over 254 octets the text goes in message_payload (§5.3.2.32), in one PDU.
    if len(octets) <= 254:
        return {"short_message": octets}
    return {"short_message": b"", "tlvs": (Tlv(Tag.MESSAGE_PAYLOAD, octets),)}


def receipt(row: dict, receipt_id: str, state: MessageState, done_at: float, *,
            intermediate: bool = False) -> dict:
    """deliver_sm fields for a receipt (esm_class 0x04, or 0x20 for an intermediate
    notification): from the recipient to the sender, as the SMSC would route it back."""
    error = row.get("error_detail") or 0
    r = Receipt(id=receipt_id, state=state, submitted_at=row["created_at"], done_at=done_at,
                delivered=int(state is MessageState.DELIVERED), error=error if 0 <= error <= 999 else 0,
                text=row["text"] or "")
    src, src_ton, src_npi = address(row["to_number"])
    dst, dst_ton, dst_npi = address(row["sender"])
    return dict(source_addr=src, source_addr_ton=src_ton, source_addr_npi=src_npi,
                destination_addr=dst, dest_addr_ton=dst_ton, dest_addr_npi=dst_npi,
                esm_class=Esm.INTERMEDIATE_NOTIFICATION if intermediate else Esm.DELIVERY_RECEIPT,
                data_coding=1, short_message=ascii_text(r.render()),
                tlvs=(Tlv(Tag.RECEIPTED_MESSAGE_ID, tlv_cstring(receipt_id)),
                      Tlv(Tag.MESSAGE_STATE, tlv_int(state))))


def wants(flags: int, event: str) -> bool:
    """Whether registered_delivery asked for a receipt on this event."""
    status = FINAL_EVENTS.get(event)
    if status is None:
        return event == "message.sent" and bool(flags & INTERMEDIATE_MASK)
    receipts = flags & RECEIPT_MASK
    return receipts == 1 or (receipts == 2 and status != "delivered")


def query_fields(row: dict) -> dict:
    """query_sm_resp fields (§4.8.2): final_date only once the message is final."""
    state = STATES[row["status"]]
    done = row.get("delivered_at") or (row.get("updated_at") if state is not MessageState.ENROUTE else None)
    error = row.get("error_detail") or 0
    return {"final_date": times.absolute(done) if done else "", "message_state": state,
            "error_code": error if 0 <= error <= 255 else 0}


def split_id(message_id: str) -> tuple[str, int | None]:
    """"msg_x.2" (the second submitted segment of msg_x) -> ("msg_x", 2)."""
    base, dot, k = message_id.rpartition(".")
    if dot and k.isdigit() and base:
        return base, int(k)
    return message_id, None
