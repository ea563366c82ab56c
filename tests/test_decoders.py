"""Decoder behaviour the spec and real modems call for (real captures are in test_known_vectors.py)."""

from datetime import datetime, timedelta, timezone

import pytest

from modemgw.sms import Outcome, decode_pdu, encode_deliver, encode_status_report, interpret_status
from modemgw.sms.dcs import decode_dcs

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
