"""Decode published PDUs and compare with what their sources state (see known_vectors.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from modemgw.sms import Deliver, PduError, StatusReport, Submit, decode_pdu

from known_vectors import ALL

KINDS = {"deliver": Deliver, "status_report": StatusReport, "submit": Submit}
DECODABLE = [r for r in ALL if r["type"] != "error"]
GARBAGE = [r for r in ALL if r["type"] == "error"]


def _address(msg):
    if isinstance(msg, Deliver):
        return msg.originator
    if isinstance(msg, Submit):
        return msg.destination
    return msg.recipient


def _same_instant_and_offset(got: datetime | None, iso: str) -> None:
    want = datetime.fromisoformat(iso)
    assert got is not None
    assert got == want
    assert got.utcoffset() == want.utcoffset()


def _check(rec: dict, msg) -> None:
    assert isinstance(msg, KINDS[rec["type"]])
    addr = _address(msg)
    udh = getattr(msg, "udh", None)
    for key, want in rec.items():
        if key in ("id", "source", "pdu", "length", "note", "type"):
            continue
        if key == "smsc":
            assert (msg.smsc.number if msg.smsc is not None else None) == want
        elif key == "address":
            assert addr.number == want
        elif key == "address_suffix":
            assert addr.number.endswith(want)
        elif key == "ton":
            assert addr.ton == want
        elif key == "alphanumeric":
            assert addr.alphanumeric is want
        elif key == "dcs":
            assert msg.dcs.raw == want
        elif key == "alphabet":
            assert msg.dcs.alphabet == want
        elif key == "message_class":
            assert msg.dcs.message_class == want
        elif key in ("timestamp", "discharge_time"):
            _same_instant_and_offset(getattr(msg, key), want)
        elif key == "user_data":
            assert msg.user_data == bytes.fromhex(want)
        elif key == "udh":
            if want is None:
                assert udh is None
            else:
                assert udh is not None
                got = tuple((ie.iei, ie.data) for ie in udh.elements)
                assert got == tuple((iei, bytes.fromhex(data)) for iei, data in want)
        elif key == "udh_first":
            assert udh is not None
            first = udh.elements[0]
            assert (first.iei, len(first.data)) == want
        elif key == "concat":
            assert udh is not None and udh.concat is not None
            c = udh.concat
            assert (c.reference, c.total, c.sequence, c.bits) == want
        elif key == "ports":
            assert udh is not None
            assert udh.ports == want
        elif key in ("locking_shift", "single_shift"):
            assert udh is not None
            assert getattr(udh, key) == want
        elif key == "outcome":
            assert msg.outcome == want
        else:
            assert getattr(msg, key) == want, key


@pytest.mark.parametrize("rec", DECODABLE, ids=[r["id"] for r in DECODABLE])
def test_known_vector(rec):
    _check(rec, decode_pdu(rec["pdu"], rec["length"]))


@pytest.mark.parametrize("rec", DECODABLE, ids=[r["id"] for r in DECODABLE])
def test_known_vector_lowercase_hex(rec):
    # Some modems print lower-case hex.
    assert decode_pdu(rec["pdu"].lower(), rec["length"]) == decode_pdu(rec["pdu"], rec["length"])


@pytest.mark.parametrize("rec", GARBAGE, ids=[r["id"] for r in GARBAGE])
def test_garbage_raises_pdu_error(rec):
    with pytest.raises(PduError):
        decode_pdu(rec["pdu"], rec["length"])


def test_records_are_well_formed():
    ids = [r["id"] for r in ALL]
    assert len(ids) == len(set(ids))
    for r in ALL:
        assert r["source"].startswith("https://"), r["id"]
        assert r["note"], r["id"]
        assert r["type"] in (*KINDS, "error"), r["id"]
        assert r["length"] is None or r["length"] > 0, r["id"]
