"""Garbage into every decoder: only PduError comes out, and decoded text is always valid."""

import pytest
from hypothesis import assume, given, strategies as st

from modemgw.sms import (PduError, decode_deliver, decode_pdu, decode_status_report,
                         decode_submit, encode_deliver, encode_status_report, encode_submit)
from datetime import datetime, timezone

DECODERS = [decode_deliver, decode_submit, decode_status_report]
NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)
SEEDS = [p.hex for p in encode_submit("+14155550123", "Grüße € " * 30, reference=5)] + \
        [p.hex for p in encode_deliver("+4479", "Привет 😀 " * 20, timestamp=NOW, smsc="+4479")] + \
        [encode_status_report(7, "+4479", timestamp=NOW, discharge_time=NOW).hex]


def check_valid(result) -> None:
    text = getattr(result, "text", "")
    text.encode("utf-8")  # raises on a lone surrogate
    for name in ("originator", "destination", "recipient", "smsc"):
        addr = getattr(result, name, None)
        if addr is not None:
            addr.number.encode("utf-8")


@given(st.binary(max_size=200), st.one_of(st.none(), st.integers(-5, 300)))
def test_decode_pdu_random_bytes(data, length):
    try:
        check_valid(decode_pdu(data.hex(), length))
    except PduError as exc:
        assert str(exc)


@given(st.binary(max_size=200))
def test_tpdu_decoders_random_bytes(data):
    for decoder in DECODERS:
        try:
            check_valid(decoder(data))
        except PduError as exc:
            assert str(exc)


@given(st.sampled_from(SEEDS), st.data())
def test_mutated_valid_pdus(seed, data):
    octets = bytearray(bytes.fromhex(seed))
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip" and octets:
            i = data.draw(st.integers(0, len(octets) - 1))
            octets[i] = data.draw(st.integers(0, 255))
        elif op == "cut" and octets:
            del octets[data.draw(st.integers(0, len(octets) - 1)):]
        else:
            octets.insert(data.draw(st.integers(0, len(octets))), data.draw(st.integers(0, 255)))
    try:
        check_valid(decode_pdu(octets.hex(), data.draw(st.one_of(st.none(), st.integers(0, 200)))))
    except PduError as exc:
        assert str(exc)


@given(st.text(max_size=50))
def test_non_hex_text(text):
    assume(text.strip())
    try:
        decode_pdu(text)
    except PduError:
        pass


@pytest.mark.parametrize("bad,message", [
    ("", "empty"),
    ("0", "odd number"),
    ("zz", "not a hex digit"),
    ("0791", "ends inside SMSC address"),
    (encode_deliver("+4479", "hello world", timestamp=NOW)[0].hex[:-4], "TP-UDL 11 needs 10 octet"),
    ("0003", "reserved"),
])
def test_error_messages_say_what_is_wrong(bad, message):
    with pytest.raises(PduError, match=message):
        decode_pdu(bad)
