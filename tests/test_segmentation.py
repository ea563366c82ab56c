"""Segmentation as carriers bill it, and the preview built on it."""

import pytest
from hypothesis import given, strategies as st

from modemgw.sms import PduError, preview, segment
from modemgw.sms.gsm7 import DEFAULT
from modemgw.sms.ucs2 import utf16_units

# Text drawn to hit the boundaries: GSM-7 letters, extension characters,
# characters that force UCS-2, and emoji (surrogate pairs).
ALPHABET = st.sampled_from(list("abc XYZ09@§\n") + list("€[]{}^~\\|") + ["é", "ç", "Ж", "😀", "👍🏽"])
texts = st.lists(ALPHABET, max_size=700).map("".join)
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=500)


def unit_costs(text, encoding):
    if encoding == "gsm7":
        return [DEFAULT.cost(ch) for ch in text]
    return [utf16_units(ch) for ch in text]


def fewest_parts(costs, capacity):
    """Independent check by dynamic programming over split points."""
    n = len(costs)
    best = [0] + [None] * n
    for i in range(1, n + 1):
        used = 0
        for j in range(i - 1, -1, -1):
            used += costs[j]
            if used > capacity:
                break
            if best[j] is not None and (best[i] is None or best[j] + 1 < best[i]):
                best[i] = best[j] + 1
    return max(best[n], 1)


@pytest.mark.parametrize("text,encoding,segments", [
    ("", "gsm7", 1),
    ("a" * 160, "gsm7", 1),
    ("a" * 161, "gsm7", 2),
    ("a" * 306, "gsm7", 2),
    ("a" * 307, "gsm7", 3),
    ("€" * 80, "gsm7", 1),            # 160 septets
    ("€" * 81, "gsm7", 2),
    ("a" * 159 + "€", "gsm7", 2),     # 161 septets
    ("ж" * 70, "ucs2", 1),
    ("ж" * 71, "ucs2", 2),
    ("ж" * 134, "ucs2", 2),
    ("ж" * 135, "ucs2", 3),
    ("😀" * 35, "ucs2", 1),           # 70 UTF-16 units
    ("😀" * 36, "ucs2", 2),
])
def test_carrier_limits(text, encoding, segments):
    s = segment(text)
    assert (s.encoding, s.segments) == (encoding, segments)


def test_escape_pair_not_split_at_boundary():
    # 152 plain septets then '€' (2 septets): 154 > 153, so '€' opens part two.
    s = segment("a" * 152 + "€" + "b" * 10)
    assert s.parts[0] == "a" * 152
    assert s.parts[1].startswith("€")


def test_surrogate_pair_not_split_at_boundary():
    s = segment("ж" * 66 + "😀" + "ж" * 10)
    assert s.parts[0] == "ж" * 66
    assert s.parts[1].startswith("😀")


@given(texts)
def test_parts_rebuild_text_and_fit(text):
    s = segment(text)
    assert "".join(s.parts) == text
    costs_by_part = [sum(unit_costs(p, s.encoding)) for p in s.parts]
    assert list(s.units) == costs_by_part
    assert all(u <= s.capacity for u in s.units)
    single = 160 if s.encoding == "gsm7" else 70
    assert s.capacity == (single if s.segments == 1 else single - (7 if s.encoding == "gsm7" else 3))


@given(texts)
def test_part_count_is_minimal(text):
    s = segment(text)
    costs = unit_costs(text, s.encoding)
    single = 160 if s.encoding == "gsm7" else 70
    if sum(costs) <= single:
        assert s.segments == 1
    else:
        assert s.segments == fewest_parts(costs, s.capacity)


@given(any_text)
def test_gsm7_chosen_exactly_when_representable(text):
    s = segment(text)
    representable = all(DEFAULT.cost(ch) is not None for ch in text)
    assert (s.encoding == "gsm7") == representable


def test_lone_surrogate_is_refused():
    with pytest.raises(PduError, match="surrogate"):
        segment("abc\ud83d")


def test_too_long_is_refused():
    with pytest.raises(PduError, match="255"):
        segment("a" * (153 * 255 + 1))
    assert segment("a" * (153 * 255)).segments == 255


def test_preview_reports_what_forced_ucs2():
    p = preview("Olá, ça va? 😀 ok")
    assert p.encoding == "ucs2"
    assert p.ucs2_characters == ("á", "ç", "😀")
    assert p.segments == 1
    assert p.remaining == 70 - 17  # 16 characters, the emoji counts two units


def test_preview_gsm7_remaining_counts_escapes():
    p = preview("Price: 5€")
    assert (p.encoding, p.segments, p.remaining, p.ucs2_characters) == ("gsm7", 1, 150, ())
    p = preview("x" * 200)
    assert (p.segments, p.per_segment, p.remaining) == (2, 153, 106)


def test_national_tables_only_when_they_save_segments():
    from modemgw.sms import decode_pdu, encode_submit
    assert preview("ş" * 10, ("tr",)).encoding == "ucs2"          # one part either way
    p = preview("ş" * 100, ("tr",))                               # UCS-2 would need 2 parts
    assert (p.encoding, p.segments, p.per_segment) == ("gsm7", 1, 155)
    assert (p.locking_shift, p.single_shift) == (1, 0)
    assert preview("plain text", ("tr", "pt")).locking_shift == 0  # default needs no header
    assert preview("ş" * 100).encoding == "ucs2"                   # off unless asked for
    text = "Şişli'de buluşalım, saat 5'te? " * 6
    parts = encode_submit("+905551234567", text, reference=3, national_languages=("tr",))
    decoded = [decode_pdu(x.hex, x.tpdu_length) for x in parts]
    assert "".join(d.text for d in decoded) == text
    assert 1 in (decoded[0].udh.locking_shift, decoded[0].udh.single_shift)
    assert len(parts) < preview(text).segments


@given(st.text(st.sampled_from(list("aşğıİçÇéãõêÁ€{x ")), max_size=400),
       st.sampled_from([("tr",), ("es",), ("pt",), ("tr", "es", "pt")]))
def test_national_round_trip_and_never_worse(text, languages):
    from modemgw.sms import decode_pdu, encode_submit
    parts = encode_submit("+15550001", text, reference=1, national_languages=languages)
    assert "".join(decode_pdu(x.hex).text for x in parts) == text
    assert len(parts) <= preview(text).segments
