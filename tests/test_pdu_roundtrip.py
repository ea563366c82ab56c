"""Encoding then decoding returns the text exactly; the PDUs obey TS 23.040's limits."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from modemgw.sms import (PduError, Reassembler, decode_pdu, encode_deliver,
                         encode_status_report, encode_submit)
from modemgw.sms.pdu import parse_hex

ALPHABET = st.sampled_from(list("abc XYZ09@§\n\r") + list("€[]{}^~\\|") + ["é", "ç", "Ж", "😀", "👍🏽", "\x00"])
texts = st.one_of(st.lists(ALPHABET, max_size=700).map("".join),
                  st.text(st.characters(exclude_categories=("Cs",)), max_size=400))
DEST = "+14155550123"
UDL_OFFSET = 12  # first octet, MR, DA (2 + 6 octets), PID, DCS; no TP-VP


def tpdu_of(part):
    octets = parse_hex(part.hex)
    assert octets[0] == 0x00, "the SIM's SMSC is used: prefix 00"
    assert len(octets) - 1 == part.tpdu_length
    return octets[1:]


@given(texts, st.integers(0, 255))
def test_submit_round_trip(text, reference):
    parts = encode_submit(DEST, text, reference=reference)
    decoded = [decode_pdu(p.hex, p.tpdu_length) for p in parts]
    # Each part decodes on its own to its slice of the text: nothing split.
    assert "".join(d.text for d in decoded) == text
    for seq, d in enumerate(decoded, start=1):
        assert d.destination.number == DEST
        assert d.status_report_request and d.message_reference == 0
        if len(parts) == 1:
            assert d.udh is None
        else:
            c = d.udh.concat
            assert (c.reference, c.total, c.sequence, c.bits) == (reference, len(parts), seq, 8)


@given(texts)
def test_user_data_fits_140_octets(text):
    for part in encode_submit(DEST, text, reference=1):
        tpdu = tpdu_of(part)
        udl, ud = tpdu[UDL_OFFSET], tpdu[UDL_OFFSET + 1:]
        assert len(ud) <= 140
        gsm7 = tpdu[UDL_OFFSET - 1] == 0x00
        assert len(ud) == ((udl * 7 + 7) // 8 if gsm7 else udl)


@given(texts, st.integers(0, 255))
def test_deliver_round_trip_through_reassembly(text, reference):
    when = datetime(2026, 11, 22, 12, 30, 5, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    parts = encode_deliver("+4479000001", text, timestamp=when, smsc="+447785016005",
                           reference=reference)
    r = Reassembler()
    done = [m for m in (r.add(decode_pdu(p.hex), now=0.0) for p in reversed(parts)) if m]
    assert len(done) == 1
    msg = done[0]
    assert msg.complete and msg.text == text and msg.originator == "+4479000001"
    assert msg.timestamp == when
    assert msg.parts[0].smsc.number == "+447785016005"


def test_alphanumeric_originator_round_trip():
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    for name in ["A", "Beeline", "sipgate", "infoSMS", "ABCDEFGHIJK", "Shop@Home"]:
        [p] = encode_deliver(name, "hi", timestamp=when)
        d = decode_pdu(p.hex)
        assert d.originator.alphanumeric and d.originator.number == name


@pytest.mark.parametrize("number,toa", [("+14155550123", 0x91), ("0612345678", 0x81), ("123", 0x81)])
def test_destination_types(number, toa):
    [part] = encode_submit(number, "x")
    assert tpdu_of(part)[3] == toa
    assert decode_pdu(part.hex).destination.number == number


@pytest.mark.parametrize("bad", ["", "+", "MyShop", "+1 415", "12345678901234567890123", "١٢٣"])
def test_destination_must_be_a_number(bad):
    with pytest.raises(PduError, match="destination"):
        encode_submit(bad, "x")


@pytest.mark.parametrize("seconds,code,back", [
    (1, 0, 300), (300, 0, 300), (301, 1, 600), (12 * 3600, 143, 12 * 3600),
    (24 * 3600, 167, 24 * 3600), (2 * 86400, 168, 2 * 86400), (30 * 86400, 196, 30 * 86400),
    (5 * 7 * 86400, 197, 5 * 7 * 86400), (63 * 7 * 86400, 255, 63 * 7 * 86400)])
def test_validity_relative(seconds, code, back):
    [part] = encode_submit(DEST, "x", validity=seconds)
    tpdu = tpdu_of(part)
    assert tpdu[0] & 0x18 == 0x10  # TP-VPF relative
    assert tpdu[12] == code
    assert decode_pdu(part.hex).validity == back


def test_validity_out_of_range():
    with pytest.raises(PduError):
        encode_submit(DEST, "x", validity=0)
    with pytest.raises(PduError):
        encode_submit(DEST, "x", validity=64 * 7 * 86400)


def test_flags_and_dcs():
    [plain] = encode_submit(DEST, "hi", status_report=False)
    assert tpdu_of(plain)[0] == 0x01 and tpdu_of(plain)[11] == 0x00
    [flash] = encode_submit(DEST, "hi", flash=True)
    assert tpdu_of(flash)[11] == 0x10
    assert decode_pdu(flash.hex).dcs.message_class == 0
    [flash_ucs2] = encode_submit(DEST, "привет", flash=True)
    assert tpdu_of(flash_ucs2)[11] == 0x18


def test_known_submit_vector():
    # TPDU length excludes the SMSC octet: '00' + 18 octets -> AT+CMGS=18
    # (cf. the AT+CMGS=<length> examples in the quirks reference, Neoway N11 manual).
    [part] = encode_submit("+14155550123", "hello", status_report=False)
    assert part.hex == "0001000B914151550521F3000005E8329BFD06"
    assert part.tpdu_length == 18


def test_status_report_round_trip():
    when = datetime(2026, 11, 22, 10, 0, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))
    p = encode_status_report(255, "+14155550123", status=0x46, timestamp=when,
                             discharge_time=when + timedelta(hours=1))
    r = decode_pdu(p.hex, p.tpdu_length)
    assert (r.message_reference, r.recipient.number, r.status) == (255, "+14155550123", 0x46)
    assert r.outcome == "failed_permanent" and "validity period expired" in r.reason
    assert r.timestamp == when and r.discharge_time == when + timedelta(hours=1)
