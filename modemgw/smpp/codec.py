"""PDUs to bytes and back (§3.2: a 16-octet header, the mandatory fields, then TLVs).

`decode(frame)` takes one whole frame (as `framing.FrameBuffer` hands them out) and
returns its `Pdu`, or raises only `PduDecodeError`, whose `status` is what to answer:
ESME_RINVCMDID for an unknown command, the layout's own status for a bad field, and
ESME_RINVCMDLEN when the body does not fit its command_length. A response whose status
is not ESME_ROK has no body (§4: "the body is not returned"); one that comes with a body
anyway (some SMSCs send an empty message_id) has it ignored: its fields keep their
defaults, as `encode` would write it, so that decoding what was encoded gives it back.

`encode(pdu)` is the inverse, and writes no body (nor TLVs) for a response with an error
status, as v3.4 says (Jasmin's codec does the same). A value too long for its field raises
`LocalProtocolError`: the caller built a PDU the protocol cannot carry.
"""

from __future__ import annotations

from .constants import HEADER_LENGTH, CommandId, CommandStatus, DestFlag, status_of
from .errors import LocalProtocolError, PduDecodeError
from .fields import Reader, Writer
from .layouts import LAYOUTS, TLV_LENGTHS, Kind
from .pdus import PDU_TYPES, DistributionList, Pdu, SmeAddress, Unsuccess

MAX_DESTS = 255


def header(frame: bytes) -> tuple[int, int, int, int]:
    """(command_length, command_id, command_status, sequence) of a frame of at least 16 octets."""
    return (int.from_bytes(frame[0:4], "big"), int.from_bytes(frame[4:8], "big"),
            int.from_bytes(frame[8:12], "big"), int.from_bytes(frame[12:16], "big"))


def decode(frame: bytes) -> Pdu:
    if len(frame) < HEADER_LENGTH:
        raise PduDecodeError(f"a PDU has a 16-octet header; got {len(frame)} octets",
                             CommandStatus.ESME_RINVCMDLEN)
    length, raw_id, raw_status, sequence = header(frame)
    if length != len(frame):
        raise PduDecodeError(f"command_length {length} but the frame has {len(frame)} octets",
                             CommandStatus.ESME_RINVCMDLEN, sequence=sequence, command_id=raw_id)
    try:
        command_id = CommandId(raw_id)
    except ValueError:
        raise PduDecodeError(f"unknown command_id 0x{raw_id:08X}", CommandStatus.ESME_RINVCMDID,
                             sequence=sequence, command_id=raw_id) from None
    if command_id.is_response and raw_status != 0:
        return PDU_TYPES[command_id](sequence=sequence, status=status_of(raw_status))
    reader = Reader(frame, HEADER_LENGTH, sequence=sequence, command_id=raw_id)
    values: dict[str, object] = {}
    for name, kind, maximum, status in LAYOUTS[command_id]:
        values[name] = _read(reader, name, kind, maximum, status)
    tlvs = []
    while reader.remaining:
        tlvs.append(reader.tlv(TLV_LENGTHS))
    return PDU_TYPES[command_id](sequence=sequence, status=status_of(raw_status), tlvs=tuple(tlvs),
                                 **values)


def _read(reader: Reader, name: str, kind: Kind, maximum: int, status: int) -> object:
    if kind is Kind.INT1:
        return reader.integer(1, name)
    if kind is Kind.INT2:
        return reader.integer(2, name)
    if kind is Kind.INT4:
        return reader.integer(4, name)
    if kind is Kind.CSTRING:
        return reader.cstring(maximum, name, status)
    if kind is Kind.SHORT_MESSAGE:
        size = reader.integer(1, "sm_length")
        if size > maximum:
            raise reader.fail(f"sm_length {size} is over {maximum}", status)
        return reader.octets(size, name)
    if kind is Kind.DESTS:
        count = reader.integer(1, "number_of_dests")
        if count == 0:
            raise reader.fail("number_of_dests is 0", status)
        return tuple(_dest(reader) for _ in range(count))
    count = reader.integer(1, "no_unsuccess")
    return tuple(Unsuccess(ton=reader.integer(1, "dest_addr_ton"), npi=reader.integer(1, "dest_addr_npi"),
                           address=reader.cstring(21, "destination_addr", CommandStatus.ESME_RINVDSTADR),
                           error=reader.integer(4, "error_status_code"))
                 for _ in range(count))


def _dest(reader: Reader) -> SmeAddress | DistributionList:
    flag = reader.integer(1, "dest_flag")
    if flag == DestFlag.SME_ADDRESS:
        return SmeAddress(ton=reader.integer(1, "dest_addr_ton"), npi=reader.integer(1, "dest_addr_npi"),
                          address=reader.cstring(21, "destination_addr", CommandStatus.ESME_RINVDSTADR))
    if flag == DestFlag.DISTRIBUTION_LIST:
        return DistributionList(reader.cstring(21, "dl_name", CommandStatus.ESME_RINVDLNAME))
    raise reader.fail(f"dest_flag {flag} is neither 1 (SME address) nor 2 (distribution list)",
                      CommandStatus.ESME_RINVDESTFLAG)


def encode(pdu: Pdu) -> bytes:
    command_id = type(pdu).command_id
    w = Writer()
    if not (command_id.is_response and pdu.status != 0 and command_id is not CommandId.GENERIC_NACK):
        for name, kind, maximum, _ in LAYOUTS[command_id]:
            _write(w, name, kind, maximum, getattr(pdu, name))
        for tlv in pdu.tlvs:
            w.tlv(tlv)
    body = bytes(w.out)
    if not 0 <= pdu.sequence <= 0xFFFFFFFF or not 0 <= int(pdu.status) <= 0xFFFFFFFF:
        raise LocalProtocolError(f"sequence {pdu.sequence} or status {pdu.status} does not fit in 4 octets")
    return ((HEADER_LENGTH + len(body)).to_bytes(4, "big") + int(command_id).to_bytes(4, "big")
            + int(pdu.status).to_bytes(4, "big") + pdu.sequence.to_bytes(4, "big") + body)


def _write(w: Writer, name: str, kind: Kind, maximum: int, value) -> None:
    if kind is Kind.INT1:
        w.integer(value, 1, name)
    elif kind is Kind.INT2:
        w.integer(value, 2, name)
    elif kind is Kind.INT4:
        w.integer(value, 4, name)
    elif kind is Kind.CSTRING:
        w.cstring(value, maximum, name)
    elif kind is Kind.SHORT_MESSAGE:
        if len(value) > maximum:
            raise LocalProtocolError(f"{name}: {len(value)} octets, at most {maximum} (use message_payload)")
        w.integer(len(value), 1, "sm_length")
        w.octets(value)
    elif kind is Kind.DESTS:
        if not 1 <= len(value) <= MAX_DESTS:
            raise LocalProtocolError(f"{name}: 1 to {MAX_DESTS} destinations, got {len(value)}")
        w.integer(len(value), 1, "number_of_dests")
        for dest in value:
            if isinstance(dest, DistributionList):
                w.integer(DestFlag.DISTRIBUTION_LIST, 1, "dest_flag")
                w.cstring(dest.name, 21, "dl_name")
            else:
                w.integer(DestFlag.SME_ADDRESS, 1, "dest_flag")
                w.integer(dest.ton, 1, "dest_addr_ton")
                w.integer(dest.npi, 1, "dest_addr_npi")
                w.cstring(dest.address, 21, "destination_addr")
    else:
        if len(value) > MAX_DESTS:
            raise LocalProtocolError(f"{name}: at most {MAX_DESTS} entries")
        w.integer(len(value), 1, "no_unsuccess")
        for u in value:
            w.integer(u.ton, 1, "dest_addr_ton")
            w.integer(u.npi, 1, "dest_addr_npi")
            w.cstring(u.address, 21, "destination_addr")
            w.integer(int(u.error), 4, "error_status_code")
