"""The GSM 03.38 default alphabet, checked against the spec and the gsm0338 package as an oracle."""

import gsm0338  # noqa: F401  (registers the 'gsm03.38' codec)
import pytest
from hypothesis import given, strategies as st

from modemgw.sms import is_gsm7
from modemgw.sms.gsm7 import DEFAULT, DEFAULT_ALPHABET, DEFAULT_EXTENSION, ESC
from modemgw.sms.packing import pack_septets, unpack_septets


def oracle_septets(ch: str) -> list[int] | None:
    try:
        return list(ch.encode("gsm03.38"))
    except UnicodeEncodeError:
        return None


@pytest.mark.parametrize("ch", [c for c in DEFAULT_ALPHABET if c != "\x1b"])
def test_basic_table_matches_oracle(ch):
    assert DEFAULT.encode(ch) == oracle_septets(ch)


@pytest.mark.parametrize("code,ch", sorted(DEFAULT_EXTENSION.items()))
def test_extension_table_matches_oracle(code, ch):
    assert DEFAULT.encode(ch) == [ESC, code] == oracle_septets(ch)


def test_spec_positions():
    # TS 23.038 §6.2.1: the positions decoders most often get wrong.
    assert DEFAULT.encode("@") == [0x00]
    assert DEFAULT.encode("$") == [0x02]
    assert DEFAULT.encode("Ç") == [0x09]
    assert DEFAULT.encode("¤") == [0x24]
    assert DEFAULT.encode("¡") == [0x40]
    assert DEFAULT.encode("§") == [0x5F]
    assert DEFAULT.encode("¿") == [0x60]
    assert DEFAULT.encode("à") == [0x7F]
    assert DEFAULT.decode([0x5F]) == "§"


@pytest.mark.parametrize("ch", list("€[]{}^~\\|\f"))
def test_extension_characters_cost_two_septets(ch):
    assert DEFAULT.cost(ch) == 2


@pytest.mark.parametrize("ch", list("`áíóúâêîôûãõç"))
def test_not_in_gsm7(ch):
    assert not is_gsm7(ch)
    assert oracle_septets(ch) is None


@given(st.characters(max_codepoint=0x3FF, exclude_categories=("Cs",)))
def test_membership_agrees_with_oracle(ch):
    # The oracle maps ESC itself; the gateway never sends a bare ESC as text.
    if ch == "\x1b":
        assert not is_gsm7(ch)
        return
    assert is_gsm7(ch) == (oracle_septets(ch) is not None)


def test_at_sign_is_not_truncation():
    # '@' is septet 0: a C-string decoder stops there, this one must not.
    text = "a@b@@"
    assert DEFAULT.decode(unpack_septets(pack_septets(DEFAULT.encode(text)), 5)) == text


def test_escape_oddities_decode_per_spec():
    # ESC + undefined code shows the main-table character; ESC ESC and a
    # trailing ESC show a space (TS 23.038 §6.2.1.1).
    assert DEFAULT.decode([ESC, 0x41]) == "A"
    assert DEFAULT.decode([ESC, ESC]) == " "
    assert DEFAULT.decode([0x41, ESC]) == "A "


@given(st.lists(st.integers(0, 127), max_size=200), st.integers(0, 6))
def test_packing_round_trip(septets, fill):
    packed = pack_septets(septets, fill)
    assert len(packed) == (fill + 7 * len(septets) + 7) // 8
    assert unpack_septets(packed, len(septets), fill) == septets


def test_packing_known_vector():
    # "hellohello" -> E8329BFD4697D9EC37, the classic example of TS 23.038 packing
    # (also https://www.developershome.com/sms/gsmAlphabet.asp).
    assert pack_septets(DEFAULT.encode("hellohello")).hex().upper() == "E8329BFD4697D9EC37"


def test_septets_are_packed_alike_from_a_list_and_from_a_one_shot_iterator():
    # Values outside 0..127 count by their low 7 bits, from whatever iterable they come.
    values = [0x41, 300, 0x7F, -1, 0x20, 0x80]
    assert pack_septets(iter(values), 3) == pack_septets(values, 3) == \
        pack_septets([v & 0x7F for v in values], 3)
