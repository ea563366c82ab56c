"""Reassembly of concatenated inbound messages; the caller passes the time."""

from dataclasses import replace
from datetime import datetime, timezone

from hypothesis import given, strategies as st

from modemgw.sms import Duplicate, InboundMessage, Reassembler, decode_pdu, encode_deliver
from modemgw.sms.dcs import decode_dcs
from modemgw.sms.udh import UserDataHeader, concat_element

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)


def parts_of(text, originator="+4479000001", reference=9):
    return [decode_pdu(p.hex) for p in encode_deliver(originator, text, timestamp=NOW,
                                                      reference=reference)]


@given(st.permutations(range(4)), st.lists(st.integers(0, 3), max_size=4))
def test_any_order_with_duplicates(order, dups):
    text = "Ж" * 200 + "end"  # four UCS-2 parts
    parts = parts_of(text)
    assert len(parts) == 4
    feed = [parts[i] for i in order]
    for d in dups:  # repeats arrive after the original
        feed.insert(len(feed), parts[d])
    r = Reassembler()
    added = [r.add(p, now=1.0, tag=i) for i, p in enumerate(feed)]
    results = [m for m in added if isinstance(m, InboundMessage)]
    assert len(results) == 1  # duplicates, even after completion, are not delivered again
    assert r.expire(now=1e9) == []
    # Every copy comes back, tagged as it went in: each stored row is settled.
    duplicates = [m.tag for m in added if isinstance(m, Duplicate)]
    assert sorted(duplicates + list(results[0].tags)) == list(range(len(feed)))
    msg = results[0]
    assert msg.complete and msg.text == text and msg.total == 4
    assert [p.udh.concat.sequence for p in msg.parts] == [1, 2, 3, 4]


def test_same_reference_reused_later_is_a_new_message():
    r = Reassembler(duplicate_window=600)
    first, again = parts_of("a" * 200), parts_of("b" * 200)
    r.add(first[0], now=0)
    assert r.add(first[1], now=1).text == "a" * 200
    assert r.add(first[0], now=2, tag="again") == Duplicate(first[0], "again")
    r.expire(now=700)                               # window over
    assert r.add(again[0], now=701) is None
    assert r.add(again[1], now=702).text == "b" * 200


def test_single_part_passes_straight_through():
    r = Reassembler()
    [part] = parts_of("hello")
    msg = r.add(part, now=0)
    assert msg.complete and msg.text == "hello" and len(r) == 0


def test_keys_separate_senders_and_references():
    r = Reassembler()
    a = parts_of("a" * 200, originator="+111", reference=1)
    b = parts_of("b" * 200, originator="+222", reference=1)
    c = parts_of("c" * 200, originator="+111", reference=2)
    assert r.add(a[0], 0) is None and r.add(b[0], 0) is None and r.add(c[0], 0) is None
    assert len(r) == 3
    assert r.add(b[1], 0).text == "b" * 200
    assert r.add(a[1], 0).text == "a" * 200
    assert r.add(c[1], 0).text == "c" * 200


def test_incomplete_set_released_as_partial_after_timeout():
    r = Reassembler(timeout=60)
    parts = parts_of("x" * 153 + "y" * 153 + "z" * 10)
    assert r.add(parts[0], now=100) is None
    assert r.add(parts[2], now=120) is None
    assert r.expire(now=159) == []
    [msg] = r.expire(now=160)
    assert not msg.complete and msg.missing == (2,)
    assert msg.text == "x" * 153 + "z" * 10
    assert len(r) == 0


def test_surrogate_pair_split_by_sender_is_rejoined():
    # Some phones split a surrogate pair across parts; joined bytes decode to the emoji.
    data = "ab😀cd".encode("utf-16-be")
    halves = [data[:6], data[6:]]  # cut between the high and low surrogate
    [template] = parts_of("Ж")
    parts = []
    for seq, chunk in enumerate(halves, start=1):
        udh = UserDataHeader((concat_element(77, 2, seq),))
        parts.append(replace(template, udh=udh, user_data=chunk, dcs=decode_dcs(0x08),
                             text="(part)"))
    r = Reassembler()
    assert r.add(parts[1], 0) is None
    assert r.add(parts[0], 0).text == "ab😀cd"
