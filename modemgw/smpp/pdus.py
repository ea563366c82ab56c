"""One frozen record per SMPP v3.4 PDU (§4): the header's sequence and status, the body's
mandatory fields, and the optional parameters (TLVs) in the order they came.

Values are as on the wire: C-octet strings as `str` (read as Latin-1, so that any octet
survives a round trip), octet strings as `bytes`, integers as `int`. A PDU never knows a
socket or a session; `codec.encode`/`codec.decode` turn it into bytes and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from .constants import CommandId, CommandStatus


@dataclass(frozen=True, slots=True)
class Tlv:
    """An optional parameter (§3.2.4.1): tag, and the value's octets."""
    tag: int
    value: bytes


@dataclass(frozen=True, slots=True)
class SmeAddress:
    """A submit_multi destination (§4.5.1.1, dest_flag 1)."""
    address: str
    ton: int = 0
    npi: int = 0


@dataclass(frozen=True, slots=True)
class DistributionList:
    """A submit_multi destination (§4.5.1.2, dest_flag 2): a list the SMSC keeps."""
    name: str


@dataclass(frozen=True, slots=True)
class Unsuccess:
    """A submit_multi_resp entry (§4.5.2.1): a destination the SMSC refused, and why."""
    address: str
    error: int
    ton: int = 0
    npi: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Pdu:
    command_id: ClassVar[CommandId]
    sequence: int = 0
    status: int = CommandStatus.ESME_ROK
    tlvs: tuple[Tlv, ...] = ()

    def tlv(self, tag: int) -> bytes | None:
        """The value of the first TLV with this tag, or None."""
        for t in self.tlvs:
            if t.tag == tag:
                return t.value
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class GenericNack(Pdu):
    command_id = CommandId.GENERIC_NACK


@dataclass(frozen=True, slots=True, kw_only=True)
class _Bind(Pdu):
    system_id: str = ""
    password: str = field(default="", repr=False)       # never in a log line or a traceback
    system_type: str = ""
    interface_version: int = 0x34
    addr_ton: int = 0
    addr_npi: int = 0
    address_range: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BindTransmitter(_Bind):
    command_id = CommandId.BIND_TRANSMITTER


@dataclass(frozen=True, slots=True, kw_only=True)
class BindReceiver(_Bind):
    command_id = CommandId.BIND_RECEIVER


@dataclass(frozen=True, slots=True, kw_only=True)
class BindTransceiver(_Bind):
    command_id = CommandId.BIND_TRANSCEIVER


@dataclass(frozen=True, slots=True, kw_only=True)
class _BindResp(Pdu):
    system_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BindTransmitterResp(_BindResp):
    command_id = CommandId.BIND_TRANSMITTER_RESP


@dataclass(frozen=True, slots=True, kw_only=True)
class BindReceiverResp(_BindResp):
    command_id = CommandId.BIND_RECEIVER_RESP


@dataclass(frozen=True, slots=True, kw_only=True)
class BindTransceiverResp(_BindResp):
    command_id = CommandId.BIND_TRANSCEIVER_RESP


@dataclass(frozen=True, slots=True, kw_only=True)
class Outbind(Pdu):
    command_id = CommandId.OUTBIND
    system_id: str = ""
    password: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Unbind(Pdu):
    command_id = CommandId.UNBIND


@dataclass(frozen=True, slots=True, kw_only=True)
class UnbindResp(Pdu):
    command_id = CommandId.UNBIND_RESP


@dataclass(frozen=True, slots=True, kw_only=True)
class EnquireLink(Pdu):
    command_id = CommandId.ENQUIRE_LINK


@dataclass(frozen=True, slots=True, kw_only=True)
class EnquireLinkResp(Pdu):
    command_id = CommandId.ENQUIRE_LINK_RESP


@dataclass(frozen=True, slots=True, kw_only=True)
class _Source(Pdu):
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Content(_Source):
    """What submit_sm, deliver_sm and submit_multi share besides their destinations."""
    service_type: str = ""
    esm_class: int = 0
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    replace_if_present_flag: int = 0
    data_coding: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class _ShortMessage(_Content):
    """submit_sm (§4.4.1) and deliver_sm (§4.6.1) share their body."""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitSm(_ShortMessage):
    command_id = CommandId.SUBMIT_SM


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliverSm(_ShortMessage):
    command_id = CommandId.DELIVER_SM


@dataclass(frozen=True, slots=True, kw_only=True)
class _MessageIdResp(Pdu):
    message_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitSmResp(_MessageIdResp):
    command_id = CommandId.SUBMIT_SM_RESP


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliverSmResp(_MessageIdResp):
    command_id = CommandId.DELIVER_SM_RESP


@dataclass(frozen=True, slots=True, kw_only=True)
class DataSmResp(_MessageIdResp):
    command_id = CommandId.DATA_SM_RESP


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitMulti(_Content):
    """§4.5.1: one message to up to 255 destinations."""
    command_id = CommandId.SUBMIT_MULTI
    dest_addresses: tuple[SmeAddress | DistributionList, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitMultiResp(Pdu):
    command_id = CommandId.SUBMIT_MULTI_RESP
    message_id: str = ""
    unsuccess_smes: tuple[Unsuccess, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DataSm(_Source):
    """§4.7.1: the text travels in the message_payload TLV."""
    command_id = CommandId.DATA_SM
    service_type: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    esm_class: int = 0
    registered_delivery: int = 0
    data_coding: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class QuerySm(_Source):
    command_id = CommandId.QUERY_SM
    message_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class QuerySmResp(Pdu):
    command_id = CommandId.QUERY_SM_RESP
    message_id: str = ""
    final_date: str = ""
    message_state: int = 0
    error_code: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelSm(_Source):
    command_id = CommandId.CANCEL_SM
    service_type: str = ""
    message_id: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelSmResp(Pdu):
    command_id = CommandId.CANCEL_SM_RESP


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceSm(_Source):
    command_id = CommandId.REPLACE_SM
    message_id: str = ""
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceSmResp(Pdu):
    command_id = CommandId.REPLACE_SM_RESP


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertNotification(_Source):
    command_id = CommandId.ALERT_NOTIFICATION
    esme_addr_ton: int = 0
    esme_addr_npi: int = 0
    esme_addr: str = ""


PDU_TYPES: dict[CommandId, type[Pdu]] = {cls.command_id: cls for cls in (
    GenericNack, BindTransmitter, BindReceiver, BindTransceiver, BindTransmitterResp,
    BindReceiverResp, BindTransceiverResp, Outbind, Unbind, UnbindResp, EnquireLink,
    EnquireLinkResp, SubmitSm, SubmitSmResp, DeliverSm, DeliverSmResp, SubmitMulti,
    SubmitMultiResp, DataSm, DataSmResp, QuerySm, QuerySmResp, CancelSm, CancelSmResp,
    ReplaceSm, ReplaceSmResp, AlertNotification)}
