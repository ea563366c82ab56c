"""Text, times, receipts and segment reassembly for SMPP (the pure helpers)."""

from __future__ import annotations

import calendar

import pytest
from hypothesis import given, strategies as st

from modemgw.smpp import CommandStatus, MessageState, PduDecodeError
from modemgw.smpp import receipts, times
from modemgw.smpp.concat import Assembler, Full
from modemgw.smpp.text import decode_text, encode_text, split_udh

# (octets, data_coding, text, source)
TEXTS = [
    (b"HELLO", 0xF2, "HELLO", "Jasmin capture (Sybase MO, GSM class 2)"),
    (b"\x00\x1b\x14", 0, "@^", "smpplib/tests/test_gsm.py: '@' is 0x00, '^' is ESC 0x14"),
    (b"a@b_c", 1, "a@b_c", "IA5/ASCII (§5.2.19)"),
    (b"there is no spoon", 3, "there is no spoon", "Jasmin capture (Syniverse MO, Latin-1)"),
    (b"\xe9", 3, "é", "smpplib/tests/test_gsm.py (ISO-8859-1)"),
    (b"\x04\x10\x04O", 8, "Ая", "smpplib/tests/test_gsm.py (UCS-2)"),
    ("Grüße 😀".encode("utf-16-be"), 8, "Grüße 😀", "UTF-16 surrogate pair"),
    ("Grüße".encode(), 4, "Grüße", "8-bit data read as UTF-8"),
]


@pytest.mark.parametrize("octets,coding,text,source", TEXTS, ids=[t[3] for t in TEXTS])
def test_decode_text(octets, coding, text, source):
    assert decode_text(octets, coding) == text


@pytest.mark.parametrize("octets,coding", [(b"\x80", 0), (b"\xff", 1), (b"\xc3", 4), (b"abc", 8), (b"x", 0x05)])
def test_undecodable_text_is_a_submit_failure(octets, coding):
    with pytest.raises(PduDecodeError) as err:
        decode_text(octets, coding)
    assert err.value.status == CommandStatus.ESME_RSUBMITFAIL


@given(st.text(max_size=300))
def test_encode_text_round_trips(text):
    coding, octets = encode_text(text)
    decoded = decode_text(octets, coding)
    assert decoded == text or "\ufffd" in decoded   # a lone surrogate cannot be carried


def test_udh_is_split_off():
    udh, rest = split_udh(b"\x05\x00\x03\x42\x02\x01hello")
    assert (udh.concat.reference, udh.concat.total, udh.concat.sequence) == (0x42, 2, 1) and rest == b"hello"
    with pytest.raises(PduDecodeError) as err:
        split_udh(b"\x09\x00\x03")
    assert err.value.status == CommandStatus.ESME_RINVESMCLASS


NOW = calendar.timegm((2026, 3, 1, 12, 0, 0, 0, 0, 0))
# (value, epoch, source)
TIMES = [
    ("070927233429800+", calendar.timegm((2007, 9, 27, 23, 34, 29)) + 0.8, "Jasmin's TimeEncoder test (UTC)"),
    ("260301140000004+", NOW + 3600, "§7.1.1: 1 hour ahead of UTC (4 quarter-hours)"),
    ("260301100000008-", NOW, "2 hours behind UTC"),
    ("000001000000000R", NOW + 86400, "§7.1.1.2 relative: one day"),
    ("000000001000000R", NOW + 600, "relative: ten minutes"),
    ("000100000000000R", calendar.timegm((2026, 4, 1, 12, 0, 0)), "relative: one month"),
    ("", None, "empty: none"),
]


@pytest.mark.parametrize("value,at,source", TIMES, ids=[t[2] for t in TIMES])
def test_smpp_times(value, at, source):
    assert times.parse(value, NOW, "validity_period", CommandStatus.ESME_RINVEXPIRY) == at


@pytest.mark.parametrize("value", ["0709272334298", "070927233429800X", "071327233429800+", "07092723342980+-",
                                   "070927233429849+"])
def test_bad_times_carry_the_fields_status(value):
    with pytest.raises(PduDecodeError) as err:
        times.parse(value, NOW, "schedule_delivery_time", CommandStatus.ESME_RINVSCHED)
    assert err.value.status == CommandStatus.ESME_RINVSCHED


def test_absolute_time_round_trips():
    assert times.parse(times.absolute(NOW + 0.5), 0, "t", 0) == NOW + 0.5


def test_receipt_text_as_clients_parse_it():
    r = receipts.Receipt(id="msg_01abc", state=MessageState.DELIVERED, submitted_at=NOW, done_at=NOW + 65,
                         delivered=1, text="Your code is 4711, valid for ten minutes")
    text = r.render()
    assert text == ("id:msg_01abc sub:001 dlvrd:001 submit date:2603011200 done date:2603011201 "
                    "stat:DELIVRD err:000 text:Your code is 4711, v")
    back = receipts.parse(text)
    assert (back.id, back.state, back.done_at, back.text) == ("msg_01abc", MessageState.DELIVERED, NOW + 60,
                                                              "Your code is 4711, v")


@pytest.mark.parametrize("text", [
    "id:1891273321 sub:001 dlvrd:001 submit date:1305050826 done date:1305050826 stat:DELIVRD err:000 "
    "Text:DLVRD TO MOBILE",                                  # Jasmin's capture
    "id:0911897980 sub:001 dlvrd:000 submit date:1201121551 done date:1201121551 stat:UNDELIV err:075 "
    "text:-PROFILE",                                         # e-com-net.com article 2299106
])
def test_receipts_from_other_smscs_parse(text):
    assert receipts.parse(text).id.isdigit()


def test_assembler_joins_octets_in_order_and_expires():
    a: Assembler[str] = Assembler(timeout=60, limit=4)
    assert a.add("k", 3, 2, b"\xd8", "second", now=0) is None
    assert a.add("k", 3, 1, b"\x00A\x00", "first", now=1) is None
    assert a.add("k", 3, 1, b"\x00A\x00", "again", now=1) is None      # sent twice: both answered
    whole = a.add("k", 3, 3, b"\x3d\xde\x00", "third", now=2)
    assert whole.data == b"\x00A\x00\xd8\x3d\xde\x00" and whole.tags == ("second", "first", "again", "third")
    assert len(a) == 0
    a.add("x", 2, 1, b"1", "lonely", now=10)
    assert a.expire(now=69) == [] and a.expire(now=70) == [("lonely",)] and len(a) == 0


def test_assembler_limit():
    a: Assembler[int] = Assembler(timeout=60, limit=2)
    a.add("a", 5, 1, b"", 1, now=0)
    a.add("a", 5, 2, b"", 2, now=0)
    with pytest.raises(Full):
        a.add("b", 2, 1, b"", 3, now=0)


def test_the_first_tag_of_a_set_while_it_waits():
    a: Assembler[str] = Assembler(timeout=60, limit=4)
    assert a.first("k") is None
    a.add("k", 2, 2, b"b", "second", 0.0)
    a.add("k", 2, 2, b"b", "second again", 0.0)
    assert a.first("k") == "second" and a.first("other") is None
    assert a.add("k", 2, 1, b"a", "first", 0.0) is not None and a.first("k") is None
