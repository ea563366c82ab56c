"""National language shift tables (3GPP TS 23.038 §6.2.1.2 and Annex A).

A message announces its tables in the user data header: IE 0x24 selects a
single-shift table (what follows ESC) and IE 0x25 a locking-shift table (the
main 128-character table), each by a one-octet national language identifier
(TS 23.040 §9.2.3.24.15/16). Absent IEs mean the default alphabet and its
extension table (`gsm7.py`).

Tables here: Turkish (locking A.3.1, single A.2.1), Spanish (single A.2.2
only; its locking-shift table is the default alphabet) and Portuguese
(locking A.3.3, single A.2.3).

Every table was transcribed from the Annex A layout and checked, position by
position, against three independent public transcriptions:

* oFono src/util.c (tur_gsm, por_gsm, tur_ext_gsm, spa_ext_gsm, por_ext_gsm)
  https://github.com/sailfishos-native/ofono-mirror/blob/master/src/util.c
* warthog618/sms encoding/gsm7/charset/{turkish,spanish,portuguese}.go
  https://github.com/warthog618/sms/tree/master/encoding/gsm7/charset
* Mozilla B2G dom/system/gonk/ril_consts.js (PDU_NL_LOCKING_SHIFT_TABLES,
  PDU_NL_SINGLE_SHIFT_TABLES)
  https://github.com/mozilla/gecko-dev/blob/5847534df6575d22c3cbace215c01df92a1a78da/dom/system/gonk/ril_consts.js

The locking tables agree in all three. Two differences in the single-shift
tables, both settled by the majority:

* Portuguese ESC 0x1F = Ê: in oFono and Mozilla, missing from warthog618.
  Kept (Ê also has its own locking-table code 0x1E, so a Portuguese-locking
  encoder never needs it, but a default-locking one does).
* ESC 0x0D: warthog618 maps it to "\\n" in every table; oFono and Mozilla
  leave it undefined (the spec's CR2 control code, not a character).
  Left out, as `gsm7.DEFAULT_EXTENSION` already does.
"""

from __future__ import annotations

from functools import lru_cache

from .errors import PduError
from .gsm7 import DEFAULT, DEFAULT_ALPHABET, DEFAULT_EXTENSION, ESC, Charset

# National language identifiers, TS 23.038 §6.2.1.2.4.
LANGUAGES: dict[str, int] = {"tr": 1, "es": 2, "pt": 3}

TURKISH = 1
SPANISH = 2
PORTUGUESE = 3

# A.3.1, one row per 16 septets.
_TURKISH_LOCKING = (
    "@£$¥€éùıòÇ\nĞğ\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bŞşßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "İABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "çabcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)

# A.3.3. Note ^ \ € | are single septets here (0x16, 0x17, 0x18, 0x1A).
_PORTUGUESE_LOCKING = (
    "@£$¥êéúíóç\nÔô\rÁá"
    "Δ_ªÇÀ∞^\\€Ó|\x1bÂâÊÉ"
    " !\"#º%&'()*+,-./"
    "0123456789:;<=>?"
    "ÍABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÃÕÚÜ§"
    "~abcdefghijklmno"
    "pqrstuvwxyzãõ`üà"
)

LOCKING_SHIFT: dict[int, str] = {
    TURKISH: _TURKISH_LOCKING,
    PORTUGUESE: _PORTUGUESE_LOCKING,
}

# Septet after ESC -> character. ESC ESC (0x1B) and CR2 (0x0D) are not
# characters and are left to `Charset.decode`.
SINGLE_SHIFT: dict[int, dict[int, str]] = {
    # A.2.1
    TURKISH: {
        0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
        0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|",
        0x47: "Ğ", 0x49: "İ", 0x53: "Ş", 0x63: "ç", 0x65: "€",
        0x67: "ğ", 0x69: "ı", 0x73: "ş",
    },
    # A.2.2
    SPANISH: {
        0x09: "ç", 0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
        0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|",
        0x41: "Á", 0x49: "Í", 0x4F: "Ó", 0x55: "Ú",
        0x61: "á", 0x65: "€", 0x69: "í", 0x6F: "ó", 0x75: "ú",
    },
    # A.2.3
    PORTUGUESE: {
        0x05: "ê", 0x09: "ç", 0x0A: "\f", 0x0B: "Ô", 0x0C: "ô",
        0x0E: "Á", 0x0F: "á",
        0x12: "Φ", 0x13: "Γ", 0x14: "^", 0x15: "Ω", 0x16: "Π", 0x17: "Ψ",
        0x18: "Σ", 0x19: "Θ", 0x1F: "Ê",
        0x28: "{", 0x29: "}", 0x2F: "\\",
        0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|",
        0x41: "À", 0x49: "Í", 0x4F: "Ó", 0x55: "Ú", 0x5B: "Ã", 0x5C: "Õ",
        0x61: "Â", 0x65: "€", 0x69: "í", 0x6F: "ó", 0x75: "ú",
        0x7B: "ã", 0x7C: "õ", 0x7F: "â",
    },
}

for _table in LOCKING_SHIFT.values():
    assert len(_table) == 128 and _table[ESC] == "\x1b"
del _table


def charset(locking_id: int = 0, single_id: int = 0) -> Charset:
    """The Charset for a locking-shift / single-shift language pair.

    An identifier with no table here (0, Spanish locking, a language we do
    not carry, a reserved value) selects the default table: TS 23.038 Annex
    C.2/C.3 has a receiver that does not support the indicated language
    decode with the default alphabet and extension table. The returned
    Charset carries the ids actually in effect, so an encoder never
    announces a table it is not using.
    """
    return _charset(locking_id if locking_id in LOCKING_SHIFT else 0,
                    single_id if single_id in SINGLE_SHIFT else 0)


@lru_cache(maxsize=None)
def _charset(locking_id: int, single_id: int) -> Charset:
    if locking_id == 0 and single_id == 0:
        return DEFAULT
    return Charset(
        LOCKING_SHIFT.get(locking_id, DEFAULT_ALPHABET),
        SINGLE_SHIFT.get(single_id, DEFAULT_EXTENSION),
        locking_id=locking_id,
        single_id=single_id,
    )


def candidate_charsets(languages: tuple[str, ...]) -> list[Charset]:
    """Every table combination worth trying for `languages`, cheapest header first.

    Order: default/default (no IE); each language's single shift with the
    default locking table, then each locking table with the default single
    shift (one 3-octet IE each); then locking + single pairs, including
    cross-language ones (two IEs). An encoder that keeps the first of equally
    good results thus also gets the smallest user data header.
    """
    ids: list[int] = []
    for code in languages:
        lang = LANGUAGES.get(code)
        if lang is None:
            raise PduError(f"unknown national language {code!r}; "
                           f"known: {', '.join(sorted(LANGUAGES))}")
        if lang not in ids:
            ids.append(lang)

    singles = [i for i in ids if i in SINGLE_SHIFT]
    lockings = [i for i in ids if i in LOCKING_SHIFT]
    pairs = [(0, 0)]
    pairs += [(0, s) for s in singles]
    pairs += [(lk, 0) for lk in lockings]
    # Same-language pairs before cross-language ones.
    pairs += [(lk, lk) for lk in lockings if lk in singles]
    pairs += [(lk, s) for lk in lockings for s in singles if s != lk]
    return [charset(lk, s) for lk, s in pairs]
