"""Decoder behaviour the spec and real modems call for (real captures are in test_known_vectors.py)."""

from datetime import datetime, timedelta, timezone

import pytest

from modemgw.sms import Outcome, decode_pdu, encode_deliver, encode_status_report, interpret_status
from modemgw.sms.dcs import decode_dcs
from modemgw.sms.reader import Reader
from modemgw.sms.timestamp import decode_timestamp

NOW = datetime(2026, 11, 22, 9, 15, 30, tzinfo=timezone(timedelta(hours=1)))
REPORT = encode_status_report(64, "+4479000001", timestamp=NOW, discharge_time=NOW, smsc="+4479")


def test_smsc_prefix_decided_by_length():
    octets = bytes.fromhex(REPORT.hex)
    tpdu_hex = octets[octets[0] + 1:].hex()
    with_smsc = decode_pdu(REPORT.hex, REPORT.tpdu_length)
    without = decode_pdu(tpdu_hex, REPORT.tpdu_length)
    assert with_smsc.smsc.number == "+4479" and without.smsc is None
    assert with_smsc.message_reference == without.message_reference == 64
    # Without a length both readings are tried.
    assert decode_pdu(tpdu_hex).message_reference == 64
    assert decode_pdu(REPORT.hex).message_reference == 64


def test_wrong_length_from_modem_is_advisory():
    # Modems print lengths that match neither reading (gammu tests/at-sms 01.dump, 08.dump).
    assert decode_pdu(REPORT.hex, REPORT.tpdu_length + 7).message_reference == 64


def test_ff_padding_of_sim_record_is_ignored():
    # A report read from the SIM comes as the whole 176-octet record, FF-padded
    # (gammu tests/at-sms/32.dump).
    padded = REPORT.hex + "FF" * (176 - len(REPORT.hex) // 2)
    r = decode_pdu(padded)
    assert (r.message_reference, r.outcome, r.recipient.number) == (64, Outcome.DELIVERED, "+4479000001")


# The +CDS of python-gsmmodem #44 (SMSC +919840000232, TP-MR 64, <length> 25), both
# time zones 0x22 (+05:30) replaced; its SCTS is 2015-01-09 17:38:48, its DT 17:38:52.
CDS_44 = "079119890400202306400C91197909913764511090718384{tz}511090718325{tz}00"
CDS_44_TPDU = CDS_44[16:]
# A digit above 9 reads as 0 (TS 23.040 §9.2.3.11); bit 3 is the sign, in any case.
BAD_ZONES = [
    ("A0", timedelta(0)),                   # seen in ofono's unit/test-sms.c sr_pdu3
    ("A8", timedelta(0)),                   # minus zero
    ("B4", timedelta(hours=10)),            # tens 4, units B -> 0: +40 quarters
    ("FA", timedelta(hours=-5)),            # tens 2 and the sign, units F -> 0: -20 quarters
    ("C2", timedelta(hours=5)),             # tens 2, units C -> 0
]


@pytest.mark.parametrize("tz,offset", BAD_ZONES)
@pytest.mark.parametrize("smsc,length", [(True, 25), (True, None), (False, 25), (False, None)])
def test_status_report_with_a_bad_zone_digit_keeps_both_times(tz, offset, smsc, length):
    pdu = (CDS_44 if smsc else CDS_44_TPDU).format(tz=tz)
    r = decode_pdu(pdu, length)
    # The SMSC prefix is read as it is there or not: a bad zone does not flip the reading.
    assert (r.smsc.number if r.smsc else None) == ("+919840000232" if smsc else None)
    assert (r.message_reference, r.recipient.number, r.outcome) == (64, "+919790197346", Outcome.DELIVERED)
    zone = timezone(offset)
    assert r.timestamp == datetime(2015, 1, 9, 17, 38, 48, tzinfo=zone)
    assert r.discharge_time == datetime(2015, 1, 9, 17, 38, 52, tzinfo=zone)
    assert r.timestamp.utcoffset() == r.discharge_time.utcoffset() == offset


def test_ofono_report_with_zone_a0_decodes_without_a_length():
    # ofono unit/test-sms.c sr_pdu3 (no SMSC prefix): without the +CDS <length> the
    # bare reading is the only one, and it must not be refused for its zone octet.
    r = decode_pdu("0606098121436587F9019012413064A0019012413045A000")
    assert (r.smsc, r.message_reference, r.recipient.number) == (None, 6, "123456789")
    assert r.timestamp == datetime(2010, 9, 21, 14, 3, 46, tzinfo=timezone.utc)


@pytest.mark.parametrize("tz,offset", BAD_ZONES)
def test_deliver_with_a_bad_zone_digit_keeps_its_time(tz, offset):
    # ofono unit/test-sms.c simple_deliver, zone 0x48 (-01:00) replaced.
    pdu = f"07911326040000F0040B911346610089F60000208062917314{tz}0CC8F71D14969741F977FD07"
    for length in (30, None):
        d = decode_pdu(pdu, length)
        assert d.text == "How are you?" and d.smsc.number == "+31624000000"
        assert d.timestamp == datetime(2002, 8, 26, 19, 37, 41, tzinfo=timezone(offset))


def test_a_bad_date_digit_still_leaves_the_time_unknown():
    # Only the zone is read leniently: a month 0x1A is no date, and the SMSC-less
    # guess still needs a real one.
    pdu = CDS_44.format(tz="22").replace("5110907183", "51A0907183")
    assert decode_pdu(pdu, 25).timestamp is None


def test_junk_after_user_data_is_ignored():
    [p] = encode_deliver("+4479", "hello", timestamp=NOW)
    assert decode_pdu(p.hex + "0123456789ABCDEF" * 4).text == "hello"


def test_lone_surrogate_in_received_ucs2_becomes_replacement():
    [p] = encode_deliver("+4479", "Ж😀", timestamp=NOW)
    # Cut the low surrogate out: UDL 4, data = 0416 D83D.
    octets = bytearray(bytes.fromhex(p.hex))
    udl_at = len(octets) - 7
    octets[udl_at] = 4
    d = decode_pdu(bytes(octets[:udl_at + 5]).hex())
    assert d.text == "Ж\ufffd"
    d.text.encode("utf-8")


@pytest.mark.parametrize("raw,alphabet,cls,extra", [
    (0x00, "gsm7", None, {}),
    (0x08, "ucs2", None, {}),
    (0x04, "8bit", None, {}),
    (0x10, "gsm7", 0, {}),                        # class 0 via the general group (gammu #598)
    (0x11, "gsm7", 1, {}),
    (0x19, "ucs2", 1, {}),                        # chan_dongle #41 called it "reserved"; it is not
    (0xF0, "gsm7", 0, {}),                        # flash, group F
    (0xF5, "8bit", 1, {}),
    (0x0C, "gsm7", None, {"reserved": True}),     # reserved alphabet -> default
    (0x20, "gsm7", None, {"compressed": True}),
    (0x24, "8bit", None, {"compressed": True}),
    (0x40, "gsm7", None, {"auto_delete": True}),
    (0xF9, "gsm7", 1, {"reserved": True}),        # group F with reserved bit 3
])
def test_dcs(raw, alphabet, cls, extra):
    d = decode_dcs(raw)
    assert (d.alphabet, d.message_class) == (alphabet, cls)
    for k, v in extra.items():
        assert getattr(d, k) == v


def test_dcs_message_waiting():
    d = decode_dcs(0xC8)  # discard group, indication active, voicemail
    assert d.waiting.active and d.waiting.kind == "voicemail" and not d.waiting.store
    d = decode_dcs(0xE9)
    assert d.alphabet == "ucs2" and d.waiting.store and d.waiting.kind == "fax"


@pytest.mark.parametrize("st,outcome,reason", [
    (0x00, Outcome.DELIVERED, "received by the SME"),
    (0x01, Outcome.DELIVERED, "unable to confirm"),
    (0x02, Outcome.DELIVERED, "replaced"),
    (0x20, Outcome.PENDING, "congestion"),
    (0x25, Outcome.PENDING, "error in SME"),
    (0x30, Outcome.PENDING, "SC-specific"),       # phone off: "25,48" then "25,0"
    (0x40, Outcome.FAILED_PERMANENT, "remote procedure error"),
    (0x43, Outcome.FAILED_PERMANENT, "not obtainable"),
    (0x46, Outcome.FAILED_PERMANENT, "validity period expired"),
    (0x49, Outcome.FAILED_PERMANENT, "does not exist"),
    (0x60, Outcome.FAILED_TEMPORARY, "congestion"),
    (0x65, Outcome.FAILED_TEMPORARY, "error in SME"),
    (0x7F, Outcome.FAILED_TEMPORARY, "SC-specific"),
    (0x03, Outcome.FAILED_TEMPORARY, "reserved"),  # TS 23.040 §9.2.3.15: as 'service rejected'
    (0x80, Outcome.FAILED_TEMPORARY, "reserved"),
])
def test_tp_st(st, outcome, reason):
    got, why = interpret_status(st)
    assert got == outcome and reason in why


@pytest.mark.parametrize("zone_octet, minutes", [(0xFF, 0), (0x0F, 0), (0x75, 0), (0x65, 14 * 60),
                                                 (0x8C, -12 * 60)])
def test_a_zone_no_place_on_earth_has_reads_as_utc(zone_octet, minutes):
    # 0xFF: what oFono writes for "no zone"; 0x65 and 0x8C: the farthest real zones.
    stamp = decode_timestamp(Reader(bytes([0x62, 0x11, 0x22, 0x90, 0x15, 0x30, zone_octet])), "scts")
    assert stamp is not None and stamp.utcoffset().total_seconds() == minutes * 60
