"""The SMPP v3.4 codec: captured and published PDUs decoded and encoded back byte for byte,
round trips of every PDU, chunking invariance, and fuzzing (only PduDecodeError comes out)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, strategies as st

from modemgw.smpp import (CommandStatus, DeliverSm, DistributionList, FrameBuffer, PduDecodeError,
                          RemoteProtocolError, SmeAddress, SubmitMulti, SubmitMultiResp, Tlv, Unsuccess,
                          decode, encode)
from modemgw.smpp import pdus
from modemgw.smpp.constants import CommandId, Tag
from modemgw.smpp.layouts import LAYOUTS, Kind

JASMIN = "Jasmin, jasmin/vendor/smpp/pdu/tests/test_pdu_encoding.py"
# (hex, what it is, source)
VECTORS = [
    ("0000002d00000002000000000000000274657374007365637265740"
     "04f5441003402063132372e302e302e2a00", "bind_transmitter system_id=test", JASMIN),
    ("0000002d00000009000000000000000274657374007365637265740"
     "04f5441003402063132372e302e302e2a00", "bind_transceiver", JASMIN),
    ("0000001d80000009000000000000000154534937353838000210000134",
     "bind_transceiver_resp with sc_interface_version", JASMIN),
    ("00000010800000090000000e00000d80", "bind_transceiver_resp ESME_RINVPASWD: no body", JASMIN),
    ("000000108000000400000014000004d2", "submit_sm_resp ESME_RMSGQFUL: no body", JASMIN),
    ("00000010000000060000000000000004", "unbind", JASMIN),
    ("00000010800000060000000000000005", "unbind_resp", JASMIN),
    ("00000010800000000000000800000000", "generic_nack ESME_RSYSERR", JASMIN),
    ("00000010000000150000000000000006", "enquire_link", JASMIN),
    ("00000010800000150000000000000007", "enquire_link_resp", JASMIN),
    ("0000004d00000005000000009f88f12441575342440001013136353035353531323334000101313737333535353430"
     "373000000000000000000300117468657265206973206e6f2073706f6f6e",
     "deliver_sm MO, Latin-1 (Syniverse capture)", JASMIN),
    ("000000b900000005000000000000000a434d5400010036353135353535363738000100313233000400000000000000"
     "007669643a31383931323733333231207375623a30303120646c7672643a303031207375626d697420646174653a31"
     "33303530353038323620646f6e6520646174653a3133303530353038323620737461743a44454c49565244206572723a"
     "30303020546578743a444c56524420544f204d4f42494c45000427000102001e0009373042413841363900",
     "deliver_sm receipt with message_state and receipted_message_id", JASMIN),
    ("0000003f000000050000000000000001434d540001003334313131343935303030303100010031323334353435350000"
     "000000000000f2000648454c4c4f00", "deliver_sm MO, data_coding 0xF2 (Sybase capture)", JASMIN),
    ("00000066000000050000000000000001424d38000101343631323334353637383900010131343034363635333431300000"
     "000000000000f2001b48656c6c6f2049276d206120626967672066616e206f6620796f7502020004a037343202030005"
     "a034313331", "deliver_sm with source_subaddress and dest_subaddress", JASMIN),
    ("0000008900000102000000000000000002015858585858585858585858585858585858585858585858585858585858585858"
     "585858585858585858585858585858585858585858580001065959595959595959595959595959595959595959595959595959595959595959595959595959595959595959595959595959595959595959000422000101",
     "alert_notification", JASMIN),
    ("0000001c800000030000000000000000536d73633230303300000700", "query_sm_resp state UNKNOWN", JASMIN),
    ("000000360000000400000000000024440005006d6f62696c65776179000101313230383233300000000000000100f20005"
     "48454c4c4f", "submit_sm HELLO to 1208230", JASMIN),
    ("000000a900000004000000000006f3910005006d6f62696c65776179000101333336393830393334320040000000000100"
     "f5007506050415811581024a3a5db5a5cdcda5bdb8040084d8c51381481381481381481381481381381481581681781881"
     "881061881061b81081181081881061881061681081781081881061881061b81081181081881061881061681081781081b8"
     "1881321081b81881221081b818811210824dc1446000", "submit_sm ringtone with UDHI, 8-bit", JASMIN),
    ("000000470000000400000000000000020001013338353931353232323635360001013338353935333932363939320000"
     "000000000100f1000e6a736d7465737432206463206631", "submit_sm data_coding 0xF1", JASMIN),
]


@pytest.mark.parametrize("hexpdu,what,source", VECTORS, ids=[v[1] for v in VECTORS])
def test_published_pdus_decode_and_encode_back(hexpdu, what, source):
    frame = bytes.fromhex(hexpdu)
    pdu = decode(frame)
    assert encode(pdu) == frame


def test_fields_of_a_receipt():
    # Jasmin's "handset ack" deliver_sm: a receipt with its TLVs.
    pdu = decode(bytes.fromhex(VECTORS[11][0]))
    assert isinstance(pdu, DeliverSm) and pdu.esm_class == 0x04 and pdu.sequence == 10
    assert pdu.short_message.startswith(b"id:1891273321 sub:001")
    assert pdu.tlv(Tag.MESSAGE_STATE) == b"\x02" and pdu.tlv(Tag.RECEIPTED_MESSAGE_ID) == b"70BA8A69\x00"


def test_error_response_without_body_keeps_defaults():
    pdu = decode(bytes.fromhex("000000108000000400000014000004d2"))
    assert pdu.status is CommandStatus.ESME_RMSGQFUL and pdu.message_id == "" and pdu.sequence == 1234


def test_submit_multi_round_trip_with_list_and_unsuccess():
    multi = SubmitMulti(sequence=7, source_addr="modemgw", dest_addresses=(
        SmeAddress("447700900123", ton=1, npi=1), DistributionList("friends")), short_message=b"hi")
    assert decode(encode(multi)) == multi
    resp = SubmitMultiResp(sequence=7, message_id="msg_1", unsuccess_smes=(
        Unsuccess("friends", CommandStatus.ESME_RINVDLNAME),))
    assert decode(encode(resp)) == resp


def frame(command_id: int, body: str, sequence: int = 1) -> bytes:
    raw = bytes.fromhex(body)
    return (16 + len(raw)).to_bytes(4, "big") + command_id.to_bytes(4, "big") + bytes(4) \
        + sequence.to_bytes(4, "big") + raw


# (command_id, body, status expected, what)
BAD = [
    (0x80000009, "54", CommandStatus.ESME_RINVCMDLEN, "a C-string with no NUL"),
    (0xF0000009, "", CommandStatus.ESME_RINVCMDID, "unknown command_id"),
    (0x80000009, "54534937353838000210", CommandStatus.ESME_RINVOPTPARSTREAM,
     "the PDU ends in the middle of a TLV (Jasmin's test)"),
    (0x80000009, "54534937353838000210000134ff", CommandStatus.ESME_RINVOPTPARSTREAM,
     "one octet after the last TLV"),
    (0x80000009, "545349373538380002100002ffff", CommandStatus.ESME_RINVPARLEN,
     "sc_interface_version with 2 octets"),
    (0x00000021, "00" "000000" "00" "0000000000000000000000", CommandStatus.ESME_RINVNUMDESTS,
     "submit_multi with no destination"),
    (0x00000021, "00" "000000" "01" "07" "0000000000000000000000", CommandStatus.ESME_RINVDESTFLAG,
     "submit_multi with dest_flag 7"),
    (0x00000004, "00" "0000" + "41" * 21 + "00", CommandStatus.ESME_RINVSRCADR,
     "submit_sm source_addr of 21 characters"),
    (0x00000002, "41" * 16 + "00", CommandStatus.ESME_RINVSYSID, "bind system_id of 16 characters"),
]


@pytest.mark.parametrize("command_id,body,status,what", BAD, ids=[b[3] for b in BAD])
def test_malformed_pdus_name_their_status(command_id, body, status, what):
    with pytest.raises(PduDecodeError) as err:
        decode(frame(command_id, body, sequence=77))
    assert err.value.status == status
    assert "offset" in str(err.value) or status == CommandStatus.ESME_RINVCMDID
    assert (err.value.sequence, err.value.command_id) == (77, command_id)


SMPPLIB_RECEIPT = (  # smpplib/tests/test_command.py: a receipt with two vendor TLVs (0x1403, 0x1402)
    b'\x00\x00\x00\xa8\x00\x00\x00\x05\x00\x00\x00\x00/p\xc6'
    b'\x9a\x00\x00\x0022549909028\x00\x01\x00\x00\x04\x00\x00'
    b'\x00\x00\x00\x00\x00\x00iid:795920026 sub:001 dlvrd:001 '
    b'submit date:200319131913 done date:200319131913 stat:DELIVRD err:000 text:'
    b'\x14\x03\x00\x07(null)\x00\x14\x02\x00\x04612\x00')


def test_unknown_tlvs_are_kept_in_order():
    pdu = decode(SMPPLIB_RECEIPT)
    assert [t.tag for t in pdu.tlvs] == [0x1403, 0x1402] and pdu.tlv(0x1402) == b"612\x00"
    assert encode(pdu) == SMPPLIB_RECEIPT


def test_short_message_longer_than_its_length():
    frame = bytearray(encode(DeliverSm(sequence=1, short_message=b"abc")))
    frame[-4] = 200                         # sm_length 200, 3 octets follow
    with pytest.raises(PduDecodeError) as err:
        decode(bytes(frame))
    assert err.value.status == CommandStatus.ESME_RINVMSGLEN


# -- round trips ----------------------------------------------------------------

def _value(kind: Kind, maximum: int):
    if kind is Kind.INT1:
        return st.integers(0, 255)
    if kind is Kind.INT2:
        return st.integers(0, 0xFFFF)
    if kind is Kind.INT4:
        return st.integers(0, 0xFFFFFFFF)
    if kind is Kind.CSTRING:
        return st.text(st.characters(min_codepoint=1, max_codepoint=255), max_size=maximum - 1)
    if kind is Kind.SHORT_MESSAGE:
        return st.binary(max_size=maximum)
    address = st.text(st.characters(min_codepoint=1, max_codepoint=255), max_size=20)
    if kind is Kind.DESTS:
        return st.lists(st.one_of(st.builds(SmeAddress, address, st.integers(0, 255), st.integers(0, 255)),
                                  st.builds(DistributionList, address)), min_size=1, max_size=5).map(tuple)
    return st.lists(st.builds(Unsuccess, address, st.integers(0, 0xFFFFFFFF), st.integers(0, 255),
                              st.integers(0, 255)), max_size=5).map(tuple)


TLVS = st.lists(st.builds(Tlv, st.sampled_from([0x1400, 0x1402, 0x2150, 0x0424]),
                          st.binary(max_size=40)), max_size=3).map(tuple)


@st.composite
def any_pdu(draw):
    command = draw(st.sampled_from(sorted(pdus.PDU_TYPES)))
    fields = {name: draw(_value(kind, maximum)) for name, kind, maximum, _ in LAYOUTS[command]}
    status = 0 if not command.is_response else draw(st.sampled_from([0, 0, 0x45]))
    tlvs = draw(TLVS)
    if status:
        fields, tlvs = {}, ()               # an error response has no body
    return pdus.PDU_TYPES[command](sequence=draw(st.integers(0, 0xFFFFFFFF)), status=status,
                                   tlvs=tlvs, **fields)


@given(any_pdu())
def test_every_pdu_round_trips(pdu):
    assert decode(encode(pdu)) == pdu


@given(st.lists(any_pdu(), min_size=1, max_size=5), st.data())
def test_framing_does_not_depend_on_how_the_stream_is_cut(items, data):
    stream = b"".join(encode(p) for p in items)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    frames, buffer, start = [], FrameBuffer(), 0
    for end in [*cuts, len(stream)]:
        buffer.feed(stream[start:end])
        start = end
        while (frame := buffer.next_frame()) is not None:
            frames.append(decode(frame))
    assert frames == items and len(buffer) == 0


def test_a_2gb_command_length_ends_the_stream_without_allocating_it():
    buffer = FrameBuffer()
    buffer.feed(bytes.fromhex("7fffffff00000004000000000000002a") + b"\x00" * 100)
    with pytest.raises(RemoteProtocolError) as err:
        buffer.next_frame()
    assert err.value.status == CommandStatus.ESME_RINVCMDLEN and len(buffer) == 0
    buffer.feed(b"\x00" * 1000)             # refused from then on, and not kept
    assert len(buffer) == 0
    with pytest.raises(RemoteProtocolError):
        buffer.next_frame()


@pytest.mark.parametrize("length", [0, 15])
def test_a_command_length_under_the_header_is_refused(length):
    buffer = FrameBuffer()
    buffer.feed(length.to_bytes(4, "big") + bytes(12))
    with pytest.raises(RemoteProtocolError):
        buffer.next_frame()


def test_an_error_response_with_a_body_is_read_without_it():
    # query_sm_resp of Jasmin's vector with ESME_RINVMSGID (0x0C): v3.4 returns no body with an
    # error, and what a peer sends anyway is not read (found by the fuzzing below).
    frame = bytes.fromhex("0000001c800000030000000c00000000536d73633230303300000700")
    pdu = decode(frame)
    assert (pdu.status, pdu.message_id, pdu.tlvs) == (CommandStatus.ESME_RINVMSGID, "", ())
    assert encode(pdu) == bytes.fromhex("00000010800000030000000c00000000") and decode(encode(pdu)) == pdu


# -- fuzzing --------------------------------------------------------------------

SEEDS = [bytes.fromhex(v[0]) for v in VECTORS] + [SMPPLIB_RECEIPT]


def _decode_or_refuse(frame: bytes) -> None:
    try:
        pdu = decode(frame)
    except PduDecodeError as exc:
        assert str(exc) and 0 <= exc.status <= 0xFF
        return
    assert decode(encode(pdu)) == pdu


@given(st.binary(max_size=300))
def test_random_frames_raise_only_the_codec_error(body):
    frame = (16 + len(body)).to_bytes(4, "big") + body[:12].ljust(12, b"\x00") + body[12:]
    _decode_or_refuse(frame[:16 + len(body)] if len(frame) >= 16 else frame)


@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=6),
       st.integers(0, 400))
def test_mutated_pdus_raise_only_the_codec_error(seed, flips, cut):
    frame = bytearray(seed)
    for position, value in flips:
        if 4 <= position < len(frame):      # the length stays the frame's own
            frame[position] = value
    frame = frame[:max(16, min(cut, len(frame)))]
    frame[0:4] = len(frame).to_bytes(4, "big")
    _decode_or_refuse(bytes(frame))


def test_every_command_has_a_layout_and_a_record():
    assert set(LAYOUTS) == set(CommandId) == set(pdus.PDU_TYPES)


@pytest.mark.parametrize("command", sorted(CommandId))
def test_every_record_has_exactly_its_layouts_fields(command):
    header = {"sequence", "status", "tlvs"}
    record = [f.name for f in dataclasses.fields(pdus.PDU_TYPES[command]) if f.name not in header]
    assert sorted(record) == sorted(name for name, *_ in LAYOUTS[command])
