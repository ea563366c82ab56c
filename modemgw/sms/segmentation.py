"""Choosing the alphabet and splitting text into parts as carriers bill them.

GSM-7: one part holds 160 septets, a concatenated part 153 (its 6-octet
header takes 7 septets); UCS-2: 70 and 67 UTF-16 units. An escape pair
(two septets) and a surrogate pair (two units) are never split. Filling
each part greedily in text order gives the fewest parts, since no
character is larger than a part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dcs import GSM7, UCS2
from .errors import PduError
from .gsm7 import DEFAULT, Charset
from .ucs2 import utf16_units
from .user_data import MAX_OCTETS

MAX_PARTS = 255
CONCAT_IE_OCTETS = 5     # IEI, length, reference, total, sequence
LANGUAGE_IE_OCTETS = 3   # IEI, length, language
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone one cannot be encoded


@dataclass(frozen=True, slots=True)
class Segmentation:
    encoding: str                      # "gsm7" or "ucs2"
    parts: tuple[str, ...]             # the text of each part
    units: tuple[int, ...]             # septets (GSM-7) or UTF-16 units (UCS-2) per part
    capacity: int                      # units one part of this message can hold
    charset: Charset | None            # GSM-7 tables used (None for UCS-2)
    ucs2_characters: tuple[str, ...]   # characters that are not in GSM-7, in order of appearance

    @property
    def segments(self) -> int:
        return len(self.parts)

    @property
    def remaining(self) -> int:
        """Units still free in the last part."""
        return self.capacity - self.units[-1]


def _language_ies(cs: Charset) -> int:
    return (cs.locking_id != 0) + (cs.single_id != 0)


def gsm7_capacity(cs: Charset, concatenated: bool) -> int:
    header = _language_ies(cs) * LANGUAGE_IE_OCTETS + (CONCAT_IE_OCTETS if concatenated else 0)
    if header:
        header += 1  # UDHL
    return (MAX_OCTETS * 8 - header * 8) // 7


def ucs2_capacity(concatenated: bool) -> int:
    return (MAX_OCTETS - (1 + CONCAT_IE_OCTETS if concatenated else 0)) // 2


def _split(text: str, costs: list[int], capacity: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    parts: list[str] = []
    units: list[int] = []
    start = used = 0
    for i, cost in enumerate(costs):
        if used + cost > capacity:
            parts.append(text[start:i])
            units.append(used)
            start, used = i, 0
        used += cost
    parts.append(text[start:])
    units.append(used)
    return tuple(parts), tuple(units)


def _fit(text: str, costs: list[int], single: int, multi: int
         ) -> tuple[tuple[str, ...], tuple[int, ...], int]:
    total = sum(costs)
    if total <= single:
        return (text,), (total,), single
    if total == len(text):     # one unit a character, as in most texts: cut every `multi`
        parts = tuple(text[i:i + multi] for i in range(0, len(text), multi))
        return parts, tuple(map(len, parts)), multi
    parts, units = _split(text, costs, multi)
    return parts, units, multi


def _non_gsm(text: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for ch in text:
        if DEFAULT.cost(ch) is None:
            seen.setdefault(ch, None)
    return tuple(seen)


def segment(text: str, national_languages: tuple[str, ...] = ()) -> Segmentation:
    """Split `text` into the fewest parts.

    National language tables (e.g. ("tr", "pt")) are used only when they save
    parts compared with what would be sent otherwise.
    """
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        raise PduError(f"text has a lone surrogate U+{ord(surrogate.group()):04X} at index "
                       f"{surrogate.start()}")
    candidates = [DEFAULT]
    if national_languages:
        from .national import candidate_charsets
        candidates = candidate_charsets(tuple(national_languages))
    best: Segmentation | None = None
    for cs in candidates:
        costs = cs.costs(text)
        if None in costs:
            continue
        parts, units, cap = _fit(text, costs, gsm7_capacity(cs, False),  # type: ignore[arg-type]
                                 gsm7_capacity(cs, True))
        if best is None or len(parts) < len(best.parts):
            best = Segmentation(GSM7, parts, units, cap, cs, ())
    default_fits = best is not None and best.charset is DEFAULT
    if not default_fits:
        costs = [utf16_units(ch) for ch in text]
        parts, units, cap = _fit(text, costs, ucs2_capacity(False), ucs2_capacity(True))
        ucs2 = Segmentation(UCS2, parts, units, cap, None, _non_gsm(text))
        # A national table must beat UCS-2, or the receiver's support for it is risked for nothing.
        if best is None or len(ucs2.parts) <= len(best.parts):
            best = ucs2
    if best is None:  # unreachable: UCS-2 encodes any text without lone surrogates
        raise PduError("text cannot be encoded")
    if len(best.parts) > MAX_PARTS:
        raise PduError(f"text needs {len(best.parts)} parts; at most {MAX_PARTS} can be concatenated")
    return best


@dataclass(frozen=True, slots=True)
class Preview:
    encoding: str
    segments: int
    remaining: int                     # units free in the last segment
    per_segment: int                   # units a segment of this message holds
    ucs2_characters: tuple[str, ...]   # what forced UCS-2 (empty for GSM-7)
    locking_shift: int = 0             # national language tables chosen, 0 = default
    single_shift: int = 0


def preview(text: str, national_languages: tuple[str, ...] = ()) -> Preview:
    s = segment(text, national_languages)
    cs = s.charset
    return Preview(
        encoding=s.encoding,
        segments=s.segments,
        remaining=s.remaining,
        per_segment=s.capacity,
        ucs2_characters=s.ucs2_characters,
        locking_shift=cs.locking_id if cs else 0,
        single_shift=cs.single_id if cs else 0,
    )
