"""National language shift tables: modemgw.sms.national.

Expected outputs come from 3GPP TS 23.038 Annex A / Annex C and from oFono's
unit tests:
  test-sms.c  https://github.com/sailfishos-native/ofono-mirror/blob/master/unit/test-sms.c
  test-util.c https://github.com/sailfishos-native/ofono-mirror/blob/master/unit/test-util.c
"""

import pytest

from modemgw.sms.errors import PduError
from modemgw.sms.gsm7 import DEFAULT, DEFAULT_ALPHABET, DEFAULT_EXTENSION, ESC
from modemgw.sms.national import (
    LANGUAGES,
    LOCKING_SHIFT,
    SINGLE_SHIFT,
    candidate_charsets,
    charset,
)

TR, ES, PT = 1, 2, 3


def unpack_septets(data: bytes, count: int) -> list[int]:
    """GSM 7-bit unpacking (TS 23.038 §6.1.2.1.1), LSB first, no fill bits."""
    out: list[int] = []
    acc = bits = 0
    for octet in data:
        acc |= octet << bits
        bits += 8
        while bits >= 7 and len(out) < count:
            out.append(acc & 0x7F)
            acc >>= 7
            bits -= 7
    return out


def ids(charsets):
    return [(c.locking_id, c.single_id) for c in charsets]


# --- identifiers -----------------------------------------------------------

def test_language_identifiers():
    # TS 23.038 §6.2.1.2.4: 0000 0001 Turkish, 0000 0010 Spanish, 0000 0011 Portuguese.
    assert LANGUAGES["tr"] == 1
    assert LANGUAGES["es"] == 2
    assert LANGUAGES["pt"] == 3


def test_which_languages_have_which_tables():
    # Spanish has a single-shift table only (A.2.2; A.3.2 is void).
    assert set(LOCKING_SHIFT) == {TR, PT}
    assert set(SINGLE_SHIFT) == {TR, ES, PT}


# --- table shape -----------------------------------------------------------

@pytest.mark.parametrize("lang", [TR, PT])
def test_locking_table_shape(lang):
    table = LOCKING_SHIFT[lang]
    assert len(table) == 128
    assert table[ESC] == "\x1b"
    # Neither Turkish nor Portuguese repeats a character.
    assert len(set(table)) == 128
    # Control and layout positions shared with the default alphabet.
    for pos in (0x0A, 0x0D, 0x20):
        assert table[pos] == DEFAULT_ALPHABET[pos]


@pytest.mark.parametrize("lang", [TR, ES, PT])
def test_single_shift_table_shape(lang):
    table = SINGLE_SHIFT[lang]
    assert all(0 <= code < 128 for code in table)
    # ESC ESC and CR2 are not characters; Charset.decode handles ESC ESC.
    assert ESC not in table and 0x0D not in table
    assert all(len(ch) == 1 and ch != "\x1b" for ch in table.values())
    # No character is reachable by two different escapes.
    assert len(set(table.values())) == len(table)


@pytest.mark.parametrize("lang", [TR, ES, PT])
def test_single_shift_tables_keep_default_extension(lang):
    # All three Annex A.2 tables repeat the §6.2.1.1 entries at the same codes.
    for code, ch in DEFAULT_EXTENSION.items():
        assert SINGLE_SHIFT[lang][code] == ch


# --- known positions -------------------------------------------------------

# Positions where A.3.1 differs from the default alphabet, each checked.
TURKISH_LOCKING_CHANGES = {
    0x04: "€", 0x07: "ı", 0x0B: "Ğ", 0x0C: "ğ",
    0x1C: "Ş", 0x1D: "ş", 0x40: "İ", 0x60: "ç",
}

# Positions where A.3.3 differs from the default alphabet.
PORTUGUESE_LOCKING_CHANGES = {
    0x04: "ê", 0x06: "ú", 0x07: "í", 0x08: "ó", 0x09: "ç",
    0x0B: "Ô", 0x0C: "ô", 0x0E: "Á", 0x0F: "á",
    0x12: "ª", 0x13: "Ç", 0x14: "À", 0x15: "∞", 0x16: "^", 0x17: "\\",
    0x18: "€", 0x19: "Ó", 0x1A: "|", 0x1C: "Â", 0x1D: "â", 0x1E: "Ê",
    0x24: "º", 0x40: "Í", 0x5B: "Ã", 0x5C: "Õ", 0x5D: "Ú", 0x60: "~",
    0x7B: "ã", 0x7C: "õ", 0x7D: "`",
}


@pytest.mark.parametrize("lang, changes", [
    (TR, TURKISH_LOCKING_CHANGES),
    (PT, PORTUGUESE_LOCKING_CHANGES),
])
def test_locking_table_differs_from_default_exactly_here(lang, changes):
    table = LOCKING_SHIFT[lang]
    for pos, ch in changes.items():
        assert table[pos] == ch, hex(pos)
    differing = {pos for pos in range(128) if table[pos] != DEFAULT_ALPHABET[pos]}
    assert differing == set(changes)


@pytest.mark.parametrize("lang, code, ch", [
    (TR, 0x47, "Ğ"), (TR, 0x49, "İ"), (TR, 0x53, "Ş"), (TR, 0x63, "ç"),
    (TR, 0x67, "ğ"), (TR, 0x69, "ı"), (TR, 0x73, "ş"),
    (ES, 0x09, "ç"), (ES, 0x41, "Á"), (ES, 0x49, "Í"), (ES, 0x4F, "Ó"),
    (ES, 0x55, "Ú"), (ES, 0x61, "á"), (ES, 0x69, "í"), (ES, 0x6F, "ó"),
    (ES, 0x75, "ú"),
    (PT, 0x05, "ê"), (PT, 0x09, "ç"), (PT, 0x0B, "Ô"), (PT, 0x0C, "ô"),
    (PT, 0x0E, "Á"), (PT, 0x0F, "á"), (PT, 0x12, "Φ"), (PT, 0x13, "Γ"),
    (PT, 0x15, "Ω"), (PT, 0x16, "Π"), (PT, 0x17, "Ψ"), (PT, 0x18, "Σ"),
    (PT, 0x19, "Θ"), (PT, 0x1F, "Ê"), (PT, 0x41, "À"), (PT, 0x49, "Í"),
    (PT, 0x4F, "Ó"), (PT, 0x55, "Ú"), (PT, 0x5B, "Ã"), (PT, 0x5C, "Õ"),
    (PT, 0x61, "Â"), (PT, 0x69, "í"), (PT, 0x6F, "ó"), (PT, 0x75, "ú"),
    (PT, 0x7B, "ã"), (PT, 0x7C, "õ"), (PT, 0x7F, "â"),
])
def test_single_shift_language_entries(lang, code, ch):
    assert SINGLE_SHIFT[lang][code] == ch


@pytest.mark.parametrize("lang, size", [(TR, 17), (ES, 19), (PT, 37)])
def test_single_shift_table_sizes(lang, size):
    # Defined cells in A.2.1 / A.2.2 / A.2.3, not counting ESC and CR2.
    assert len(SINGLE_SHIFT[lang]) == size


# --- round trips through Charset -------------------------------------------

ALL_PAIRS = [(lk, s) for lk in (0, TR, PT) for s in (0, TR, ES, PT)]


@pytest.mark.parametrize("locking_id, single_id", ALL_PAIRS)
def test_every_locking_character_round_trips(locking_id, single_id):
    cs = charset(locking_id, single_id)
    for code, ch in enumerate(cs.locking):
        if code == ESC:
            continue
        assert cs.encode(ch) == [code]
        assert cs.decode([code]) == ch


@pytest.mark.parametrize("locking_id, single_id", ALL_PAIRS)
def test_every_single_shift_character_round_trips(locking_id, single_id):
    cs = charset(locking_id, single_id)
    for code, ch in cs.single.items():
        assert cs.decode([ESC, code]) == ch
        septets = cs.encode(ch)
        # A character in both tables takes the one-septet locking form.
        if ch in cs.locking:
            assert septets == [cs.locking.index(ch)]
        else:
            assert septets == [ESC, code]
        assert cs.decode(septets) == ch


def test_portuguese_locking_saves_septets_on_extension_characters():
    text = "^\\€|"
    assert len(DEFAULT.encode(text)) == 8
    assert charset(PT, 0).encode(text) == [0x16, 0x17, 0x18, 0x1A]


def test_text_needing_national_tables():
    # ã and ç are in neither default table, so without a shift table this
    # text would need UCS-2.
    assert not DEFAULT.can_encode("ação")
    assert charset(0, PT).encode("ação") == [0x61, ESC, 0x09, ESC, 0x7B, 0x6F]
    assert charset(PT, 0).encode("ação") == [0x61, 0x09, 0x7B, 0x6F]


def test_annex_c2_non_supporting_receiver():
    # TS 23.038 Annex C.2: "Türkçe" sent with the Turkish single shift table
    # is shown as "Türkce" by a receiver that ignores the IE.
    # https://tech-invite.com/3m23/toc/tinv-3gpp-23-038_i.html
    septets = charset(0, TR).encode("Türkçe")
    assert septets[4:6] == [ESC, 0x63]
    assert charset(0, TR).decode(septets) == "Türkçe"
    assert DEFAULT.decode(septets) == "Türkce"


# --- charset() -------------------------------------------------------------

def test_charset_default_is_gsm7_default():
    assert charset() is DEFAULT
    assert charset(0, 0).locking == DEFAULT_ALPHABET
    assert charset(0, 0).single == DEFAULT_EXTENSION


def test_charset_uses_the_tables_and_carries_ids():
    cs = charset(PT, ES)
    assert cs.locking == LOCKING_SHIFT[PT]
    assert cs.single == SINGLE_SHIFT[ES]
    assert (cs.locking_id, cs.single_id) == (PT, ES)


def test_charset_is_cached():
    assert charset(TR, TR) is charset(TR, TR)
    assert charset(0, PT) is charset(0, PT)


@pytest.mark.parametrize("locking_id, single_id, expect", [
    (ES, 0, (0, 0)),      # Spanish has no locking table
    (ES, ES, (0, ES)),
    (13, 0, (0, 0)),      # Urdu: a valid identifier we carry no table for
    (0, 13, (0, 0)),
    (200, 200, (0, 0)),   # reserved value
    (TR, 99, (TR, 0)),
])
def test_charset_falls_back_to_default_tables(locking_id, single_id, expect):
    # TS 23.038 Annex C.2/C.3: a receiver not supporting the language decodes
    # with the default alphabet and extension table.
    # https://itecspec.com/spec/3gpp-23-038-c-3-example-of-locking-shift
    cs = charset(locking_id, single_id)
    assert (cs.locking_id, cs.single_id) == expect
    assert cs.locking == LOCKING_SHIFT.get(expect[0], DEFAULT_ALPHABET)
    assert cs.single == SINGLE_SHIFT.get(expect[1], DEFAULT_EXTENSION)


# --- candidate_charsets() --------------------------------------------------

def test_candidates_none():
    assert ids(candidate_charsets(())) == [(0, 0)]


def test_candidates_turkish():
    assert ids(candidate_charsets(("tr",))) == [(0, 0), (0, TR), (TR, 0), (TR, TR)]


def test_candidates_spanish_has_no_locking():
    assert ids(candidate_charsets(("es",))) == [(0, 0), (0, ES)]


def test_candidates_several_languages_cheapest_header_first():
    got = ids(candidate_charsets(("pt", "es", "tr")))
    assert got == [
        (0, 0),
        (0, PT), (0, ES), (0, TR),
        (PT, 0), (TR, 0),
        (PT, PT), (TR, TR),
        (PT, ES), (PT, TR), (TR, PT), (TR, ES),
    ]


def test_candidates_ignore_repeated_codes():
    assert ids(candidate_charsets(("pt", "pt"))) == ids(candidate_charsets(("pt",)))


def test_candidates_are_the_cached_charsets():
    got = candidate_charsets(("tr",))
    assert got[0] is DEFAULT
    assert got[3] is charset(TR, TR)


def test_candidates_unknown_language():
    with pytest.raises(PduError, match="'xx'"):
        candidate_charsets(("tr", "xx"))


def test_candidates_find_an_encoding_for_portuguese_text():
    text = "Atenção: promoção válida até amanhã"
    usable = [c for c in candidate_charsets(("pt",)) if c.can_encode(text)]
    assert not DEFAULT.can_encode(text)
    assert ids(usable) == [(0, PT), (PT, 0), (PT, PT)]
    assert min(len(c.encode(text)) for c in usable) == len(text)


# --- oFono test-sms.c vectors ----------------------------------------------
# The .pdu strings of sms_charset_* verbatim. oFono decodes each as an
# SMS-DELIVER with a 7-bit DCS, TP-UDL at octet 13; data_len is the user data
# octet count it asserts. The septets are converted with the named tables.

FULL_TABLE_PDU = (
    "0001000B91" "5310101010" "1000008080" "8060402818" "0E888462C1"
    "68381E9088" "6442A9582E" "988C06C4E9" "783EA09068" "442A994EA8"
    "946AC56AB9" "5EB0986C46" "ABD96EB89C" "6EC7EBF97E" "C0A070482C"
    "1A8FC8A472" "C96C3A9FD0" "A8744AAD5A" "AFD8AC76CB" "ED7ABFE0B0"
    "784C2E9BCF" "E8B47ACD6E" "BBDFF0B87C" "4EAFDBEFF8" "BC7ECFEFFB"
    "FF"
)

OFONO_SMS_VECTORS = {
    # sms_charset_turkey: the septets 0x00..0x7F, ESC sent as 0x20.
    "turkey": (
        FULL_TABLE_PDU, 112, TR, 0,
        "40c2a324c2a5e282acc3a9c3b9c4b1c3b2c3870ac49ec49f0dc385c3a5ce945f"
        "cea6ce93ce9bcea9cea0cea8cea3ce98ce9e20c59ec59fc39fc38920212223c2"
        "a425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3fc4b04142"
        "434445464748494a4b4c4d4e4f505152535455565758595ac384c396c391c39c"
        "c2a7c3a76162636465666768696a6b6c6d6e6f707172737475767778797ac3a4"
        "c3b6c3b1c3bcc3a0",
    ),
    # sms_charset_turkey_ext
    "turkey_ext": (
        "0001000B91" "5310101010" "1000001A1B" "C586B2416D" "529BD786B7"
        "E96D7C1BE0" "02C8011318" "870E",
        23, TR, TR,
        "0c5e7b7d5c5b7e5d7cc49ec4b0c59ec3a7e282acc49fc4b1c59f",
    ),
    # sms_charset_portugal: same PDU as sms_charset_turkey.
    "portugal": (
        FULL_TABLE_PDU, 112, PT, 0,
        "40c2a324c2a5c3aac3a9c3bac3adc3b3c3a70ac394c3b40dc381c3a1ce945fc2"
        "aac387c380e2889e5e5ce282acc3937c20c382c3a2c38ac38920212223c2ba25"
        "262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3fc38d41424344"
        "45464748494a4b4c4d4e4f505152535455565758595ac383c395c39ac39cc2a7"
        "7e6162636465666768696a6b6c6d6e6f707172737475767778797ac3a3c3b560"
        "c3bcc3a0",
    ),
    # sms_charset_portugal_ext
    "portugal_ext": (
        "0001000B91" "5310101010" "1000003184" "C446B16038" "1E1BC96662"
        "D9543696CD" "6583D9643C" "1BD42675D9" "F0C01B9F86" "02CC74B75C"
        "0EE68030EC" "F91D",
        43, PT, PT,
        "c3aac3a70cc394c3b4c381c3a1cea6ce935ecea9cea0cea8cea3ce98c38a7b7d"
        "5c5b7e5d7cc380c38dc393c39ac383c395c382e282acc3adc3b3c3bac3a3c3b5"
        "c3a2",
    ),
    # sms_charset_spain: oFono passes Spanish for both; there is no Spanish
    # locking table, so the default alphabet applies.
    "spain": (
        "0001000B91" "5310101010" "100000269B" "C446B1A16C" "509BD4E6B5"
        "E16D7A1BDF" "06B8096E92" "9BE7A6BA09" "6FCA9BF4E6" "BDA903",
        34, ES, ES,
        "c3a70c5e7b7d5c5b7e5d7cc381c38dc393c39ac3a1e282acc3adc3b3c3ba",
    ),
}


def _ofono_septets(pdu_hex: str, data_len: int) -> list[int]:
    tpdu = bytes.fromhex(pdu_hex)
    udl = tpdu[13]
    ud = tpdu[14:]
    assert len(ud) == data_len == (udl * 7 + 7) // 8
    return unpack_septets(ud, udl)


@pytest.mark.parametrize("name", sorted(OFONO_SMS_VECTORS))
def test_ofono_sms_charset_decode(name):
    pdu_hex, data_len, locking, single, expected_utf8 = OFONO_SMS_VECTORS[name]
    septets = _ofono_septets(pdu_hex, data_len)
    expected = bytes.fromhex(expected_utf8).decode("utf-8")
    assert charset(locking, single).decode(septets) == expected


@pytest.mark.parametrize("name", sorted(OFONO_SMS_VECTORS))
def test_ofono_sms_charset_encode(name):
    # oFono generated these septets from the expected text with the same
    # tables, preferring the locking table when a character is in both.
    pdu_hex, data_len, locking, single, expected_utf8 = OFONO_SMS_VECTORS[name]
    septets = _ofono_septets(pdu_hex, data_len)
    text = bytes.fromhex(expected_utf8).decode("utf-8")
    assert charset(locking, single).encode(text) == septets


def test_ofono_full_table_vectors_are_the_locking_tables():
    # The 128-septet vectors decode to the whole table, ESC shown as space.
    for name, lang in (("turkey", TR), ("portugal", PT)):
        text = bytes.fromhex(OFONO_SMS_VECTORS[name][4]).decode("utf-8")
        assert text == LOCKING_SHIFT[lang].replace("\x1b", " ")


# --- oFono test-util.c gsm_turkish_to_unicode_map ---------------------------
# test_valid_turkish decodes each code with Turkish locking + single shift
# and encodes the result back to the same code.

OFONO_TURKISH_EXTENSION_ROUND_TRIP = {
    0x0A: 0x000C, 0x14: 0x005E, 0x28: 0x007B, 0x29: 0x007D, 0x2F: 0x005C,
    0x3C: 0x005B, 0x3D: 0x007E, 0x3E: 0x005D, 0x40: 0x007C,
}

# Commented out in that map because "the same character is present in both
# the locking shift table as well as the single shift table": they decode,
# but encode to the locking-table code.
OFONO_TURKISH_SINGLE_ALSO_IN_LOCKING = {
    0x47: (0x011E, 0x0B), 0x49: (0x0130, 0x40), 0x53: (0x015E, 0x1C),
    0x63: (0x00E7, 0x60), 0x65: (0x20AC, 0x04), 0x67: (0x011F, 0x0C),
    0x69: (0x0131, 0x07), 0x73: (0x015F, 0x1D),
}


def test_ofono_turkish_map_extension_round_trip():
    cs = charset(TR, TR)
    for code, cp in OFONO_TURKISH_EXTENSION_ROUND_TRIP.items():
        assert cs.decode([ESC, code]) == chr(cp)
        assert cs.encode(chr(cp)) == [ESC, code]


def test_ofono_turkish_map_single_shift_duplicates():
    cs = charset(TR, TR)
    for code, (cp, locking_code) in OFONO_TURKISH_SINGLE_ALSO_IN_LOCKING.items():
        assert cs.decode([ESC, code]) == chr(cp)
        assert cs.encode(chr(cp)) == [locking_code]
        assert cs.decode([locking_code]) == chr(cp)


def test_ofono_turkish_map_locking_codes():
    # The locking part of the map: every code but ESC decodes to the Turkish
    # table and encodes back; spot-check the non-default entries it lists.
    cs = charset(TR, TR)
    for code, cp in ((0x04, 0x20AC), (0x07, 0x0131), (0x0B, 0x011E),
                     (0x0C, 0x011F), (0x1C, 0x015E), (0x1D, 0x015F),
                     (0x40, 0x0130), (0x60, 0x00E7)):
        assert cs.decode([code]) == chr(cp)
        assert cs.encode(chr(cp)) == [code]
