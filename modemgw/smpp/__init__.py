"""SMPP v3.4 (SMSC side), sans-IO: bytes in, PDU records out, and back; no socket, no
asyncio, no clock (times are passed in). `modemgw.smppd` runs it over TCP.

    session = SmppSession(window=10)
    for event in session.receive_data(sock.recv(65536)):
        match event:
            case Refused(reply=reply, close=close):    # answered already (generic_nack, or
                sock.send(reply)                       # the request's response with an error)
            case BindTransceiver(system_id=sid, password=pw):
                sock.send(session.send(BindTransceiverResp(sequence=event.sequence, system_id="modemgw")))
            case SubmitSm():
                text = decode_text(event.short_message, event.data_coding)
                ...
    pdu, data = session.request(DeliverSm, source_addr="447700900123", short_message=b"hi")

`codec`      `encode(pdu) -> bytes`, `decode(frame) -> Pdu` for every v3.4 PDU (`pdus`), the
             bodies laid out as data (`layouts`), TLVs kept in order (`Pdu.tlv(tag)`)
`framing`    `FrameBuffer`: cuts the stream by command_length; a length that cannot be
             right (a 2 GB one included) ends the stream without allocating it
`session`    `SmppSession`: bind states, windows, refusals; `Bind`, `Refused`
`text`       data_coding and UDH <-> str, through `modemgw.sms`
`times`      SMPP absolute and relative times <-> epoch seconds
`receipts`   the delivery receipt text (`Receipt.render`, `parse`)
`concat`     `Assembler`: a long message's submitted segments back into one text

Bad input from the peer raises only `PduDecodeError` (its `status` is the answer's
command_status); `RemoteProtocolError` is the kind that ends the session; misuse by
the caller raises `LocalProtocolError`.
"""

from .codec import decode, encode
from .constants import (INTERFACE_VERSION, Coding, CommandId, CommandStatus, Esm, MessageState, Npi,
                        RegisteredDelivery, Tag, Ton)
from .errors import LocalProtocolError, PduDecodeError, RemoteProtocolError
from .framing import MAX_PDU, FrameBuffer
from .pdus import (AlertNotification, BindReceiver, BindReceiverResp, BindTransceiver,
                   BindTransceiverResp, BindTransmitter, BindTransmitterResp, CancelSm, CancelSmResp,
                   DataSm, DataSmResp, DeliverSm, DeliverSmResp, DistributionList, EnquireLink,
                   EnquireLinkResp, GenericNack, Outbind, Pdu, QuerySm, QuerySmResp, ReplaceSm,
                   ReplaceSmResp, SmeAddress, SubmitMulti, SubmitMultiResp, SubmitSm, SubmitSmResp, Tlv,
                   Unbind, UnbindResp, Unsuccess)
from .session import Bind, Refused, SmppSession

__all__ = [
    "INTERFACE_VERSION", "MAX_PDU", "AlertNotification", "Bind", "BindReceiver", "BindReceiverResp",
    "BindTransceiver", "BindTransceiverResp", "BindTransmitter", "BindTransmitterResp", "CancelSm",
    "CancelSmResp", "Coding", "CommandId", "CommandStatus", "DataSm", "DataSmResp", "DeliverSm",
    "DeliverSmResp", "DistributionList", "EnquireLink", "EnquireLinkResp", "Esm", "FrameBuffer",
    "GenericNack", "LocalProtocolError", "MessageState", "Npi", "Outbind", "Pdu", "PduDecodeError",
    "QuerySm", "QuerySmResp", "Refused", "RegisteredDelivery", "RemoteProtocolError", "ReplaceSm",
    "ReplaceSmResp", "SmeAddress", "SmppSession", "SubmitMulti", "SubmitMultiResp", "SubmitSm",
    "SubmitSmResp", "Tag", "Tlv", "Ton", "Unbind", "UnbindResp", "Unsuccess", "decode", "encode",
]
