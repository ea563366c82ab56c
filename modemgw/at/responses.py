"""Parsers for the replies an SMS driver needs (PDU mode).

Each takes the information line(s) of a `Response` (or a `Urc.line`) and
returns a small record; each raises only `ResponseParseError`. Shapes are
those real modems print, which often differ from TS 27.005/27.007; see
modem-quirks.md B.0 and B.1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from . import fields
from .errors import ResponseParseError

_HEX_PDU: Final = re.compile(r"^(?:[0-9A-Fa-f]{2})+$")
# A PDU line is kept whatever its digit count: the codec refuses an odd one
# with its own error, and the messages listed beside it are still read.
_PDU_DIGITS: Final = re.compile(r"^[0-9A-Fa-f]+$")
_INLINE_PDU: Final = re.compile(r"^(?P<header>.*\d)\s+(?P<pdu>[0-9A-Fa-f]+)$")
# A +CPMS=? entry: a group, one quoted name (Huawei MU609) or nothing.
_CPMS_ENTRY: Final = r'\s*(?:\([^()]*\)|"[^"(),]*"|)\s*'
_CPMS_ENTRIES: Final = re.compile(rf"{_CPMS_ENTRY}(?:,{_CPMS_ENTRY})*")
_OUTSIDE_GROUPS: Final = re.compile(r",(?![^()]*\))")
_MEMORY: Final = re.compile(r"^[A-Za-z0-9_]+$")
_STAT: Final = re.compile(r"^\d{1,2}$")
_SPACED_HEX: Final = re.compile(r"[0-9A-Fa-f]+(?:\s+[0-9A-Fa-f]+)+")


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """`+CMGS: <mr>[,<scts>]`: the TP-MR a status report will quote."""

    mr: int
    scts: str | None


@dataclass(frozen=True, slots=True)
class StoredPdu:
    """A message read with AT+CMGR/AT+CMGL. Header fields are advisory."""

    index: int | None
    stat: int | None
    length: int | None
    pdu: str


@dataclass(frozen=True, slots=True)
class StorageIndication:
    """`+CMTI`/`+CDSI`/`+CBMI: <mem>,<index>`."""

    memory: str
    index: int


@dataclass(frozen=True, slots=True)
class MemoryUsage:
    """One memory of `+CPMS`; `memory` is None in replies to AT+CPMS=..."""

    memory: str | None
    used: int
    total: int


@dataclass(frozen=True, slots=True)
class SmsService:
    """`+CSMS`: service (None in the reply to a set) and mt/mo/bm support."""

    service: int | None
    mt: int
    mo: int
    bm: int


@dataclass(frozen=True, slots=True)
class ServiceCentre:
    number: str
    type: int | None


@dataclass(frozen=True, slots=True)
class SignalQuality:
    rssi: int  # 0-31, 99 = unknown
    ber: int  # 0-7, 99 = unknown

    @property
    def dbm(self) -> int | None:
        """Signal strength in dBm (27.007 §8.5), None when unknown."""
        return -113 + 2 * self.rssi if 0 <= self.rssi <= 31 else None


@dataclass(frozen=True, slots=True)
class Registration:
    """`+CREG`/`+CGREG`/`+CEREG`; `mode` (<n>) only in solicited replies."""

    mode: int | None
    stat: int
    lac: int | None
    ci: int | None
    act: int | None


@dataclass(frozen=True, slots=True)
class SimAnswer:
    """`+CRSM: <sw1>,<sw2>[,<response>]` (27.007 §8.18): the SIM's status words and data."""

    sw1: int
    sw2: int
    data: bytes

    @property
    def ok(self) -> bool:
        """Normal ending: 0x90 (144), or 0x91 (145, with a proactive command pending;
        ETSI TS 102 221 §10.2.1.1)."""
        return self.sw1 in (0x90, 0x91)


@dataclass(frozen=True, slots=True)
class Operator:
    mode: int
    format: int | None
    name: str | None
    act: int | None


def parse_cmgs(line: str) -> SubmitResult:
    parts = fields.split(fields.payload(line, "+CMGS"))
    mr = fields.integer(parts[0], "<mr>", line)
    scts = fields.unquote(parts[1]) if len(parts) > 1 and parts[1] else None
    return SubmitResult(mr, scts)


def parse_cmgr(lines: Sequence[str]) -> StoredPdu | None:
    """Header and PDU line of AT+CMGR; None for an empty slot (bare OK).

    Headers seen: `1,,25` (27.005), `0,23` (no alpha), `4,1,,151` (index
    first), `,,92` (no stat), `24` (length only), and `1,,147 <pdu>` with
    the PDU on the header's line (ModemManager's test_cmgr_response_generic).
    """
    if not lines:
        return None
    if len(lines) == 1 and (inline := _INLINE_PDU.match(lines[0].strip())):
        lines = [inline["header"], inline["pdu"]]
    if len(lines) != 2:
        raise ResponseParseError(f"+CMGR reply needs header and PDU, got {list(lines)!r}")
    header = lines[0]
    parts = fields.split(fields.payload(header, "+CMGR"))
    index_field, stat_field = "", ""
    if len(parts) == 1:
        (length_field,) = parts
    elif len(parts) == 2:
        stat_field, length_field = parts
    elif len(parts) == 3:
        stat_field, _alpha, length_field = parts
    elif len(parts) == 4:
        index_field, stat_field, _alpha, length_field = parts
    else:
        raise ResponseParseError(f"unknown +CMGR header shape {header!r}")
    return StoredPdu(
        fields.optional_integer(index_field, "<index>", header),
        fields.optional_integer(stat_field, "<stat>", header),
        fields.integer(length_field, "<length>", header),
        _pdu(lines[1]),
    )


def parse_cmgl(lines: Sequence[str]) -> list[StoredPdu]:
    """Header/PDU pairs of AT+CMGL: `<index>,<stat>,[<alpha>],<length>`."""
    if len(lines) % 2:
        raise ResponseParseError(f"+CMGL reply has a header without PDU: {list(lines)!r}")
    messages = []
    for header, pdu_line in zip(lines[::2], lines[1::2]):
        parts = fields.split(fields.payload(header, "+CMGL"))
        if len(parts) == 3:
            index_field, stat_field, length_field = parts
        elif len(parts) == 4:
            index_field, stat_field, _alpha, length_field = parts
        else:
            raise ResponseParseError(f"unknown +CMGL header shape {header!r}")
        messages.append(
            StoredPdu(
                fields.integer(index_field, "<index>", header),
                fields.optional_integer(stat_field, "<stat>", header),
                fields.optional_integer(length_field, "<length>", header),
                _pdu(pdu_line),
            )
        )
    return messages


def parse_storage_indication(line: str) -> StorageIndication:
    """`+CMTI: "SM",3`, `+CDSI: "SR",0` (also unquoted memory names)."""
    head = line.partition(":")[0].strip().upper()
    if head not in ("+CMTI", "+CDSI", "+CBMI"):
        raise ResponseParseError(f"not a +CMTI/+CDSI/+CBMI line: {line!r}")
    parts = fields.split(fields.payload(line, head))
    if len(parts) < 2:
        raise ResponseParseError(f"expected <mem>,<index> in {line!r}")
    return StorageIndication(_memory(parts[0], line), fields.integer(parts[1], "<index>", line))


def parse_cnmi_test(line: str) -> tuple[frozenset[int], ...]:
    """`+CNMI: (0-2),(0,1,3),(0),(0,1),(0,1)`: allowed <mode>,<mt>,<bm>,<ds>,<bfr>."""
    text = fields.payload(line, "+CNMI")
    if not text:
        raise ResponseParseError(f"empty +CNMI test reply {line!r}")
    return tuple(fields.value_set(group, line) for group in fields.split(text))


def parse_cpms_test(line: str) -> tuple[frozenset[str], ...]:
    """Memories allowed per `+CPMS` parameter (1 to 3 sets, as listed).

    Copes with the nested Wavecom form `(("SM","BM","SR"),("SM"))`, broken
    quoting `(ME", "SR")`, empty groups `(),(),()`, an empty reply, and a
    quoted name standing for a one-name set: `"ME","MT","SM"` (Huawei MU609),
    `("ME","MT"),"ME",("SM")` and `(),,()` (ModemManager's parse_cpms_test
    tables). Quotes are not trusted to pair, so the split is by parentheses.
    """
    text = fields.payload(line, "+CPMS")
    if text.startswith("((") and text.endswith("))"):
        text = text[1:-1]
    if not text:
        return ()
    if not _CPMS_ENTRIES.fullmatch(text):
        raise ResponseParseError(f"+CPMS test reply is not a list of groups: {line!r}")
    groups = []
    for entry in _OUTSIDE_GROUPS.split(text):
        names = [item.strip().strip('"').strip() for item in entry.strip(" ()").split(",")]
        groups.append(frozenset(_memory(name, line) for name in names if name))
    return tuple(groups)


def parse_cpms(line: str) -> tuple[MemoryUsage, ...]:
    """`+CPMS: "SM",0,20,...` (AT+CPMS?) or `+CPMS: 7,100,7,100` (AT+CPMS=...)."""
    parts = fields.split(fields.payload(line, "+CPMS"))
    named = not parts[0].isdecimal()
    width = 3 if named else 2
    if len(parts) % width:
        raise ResponseParseError(f"+CPMS fields do not come in {width}s: {line!r}")
    usage = []
    for i in range(0, len(parts), width):
        memory = _memory(parts[i], line) if named else None
        used, total = parts[i + width - 2], parts[i + width - 1]
        usage.append(
            MemoryUsage(memory, fields.integer(used, "<used>", line), fields.integer(total, "<total>", line))
        )
    return tuple(usage)


def parse_csms(line: str) -> SmsService:
    """`+CSMS: <service>,<mt>,<mo>,<bm>` (read) or `<mt>,<mo>,<bm>` (set)."""
    parts = fields.split(fields.payload(line, "+CSMS"))
    if len(parts) not in (3, 4):
        raise ResponseParseError(f"unknown +CSMS shape {line!r}")
    numbers = [fields.integer(part, "+CSMS value", line) for part in parts]
    service = numbers.pop(0) if len(numbers) == 4 else None
    return SmsService(service, *numbers)


def parse_csms_test(line: str) -> frozenset[int]:
    """`+CSMS: (0,1)` or `(0-1)`: the supported message service levels."""
    parts = fields.split(fields.payload(line, "+CSMS"))
    if len(parts) != 1:
        raise ResponseParseError(f"unknown +CSMS test shape {line!r}")
    return fields.value_set(parts[0], line)


def parse_csca(line: str) -> ServiceCentre | None:
    """`+CSCA: "+447958879879",145`; None when no SMSC is stored (`""`)."""
    parts = fields.split(fields.payload(line, "+CSCA"))
    number = fields.unquote(parts[0]).strip()
    if not number:
        return None
    if not re.fullmatch(r"\+?[0-9*#pw]+", number):
        raise ResponseParseError(f"SMSC address is not a number in {line!r}")
    kind = fields.optional_integer(parts[1], "<tosca>", line) if len(parts) > 1 else None
    return ServiceCentre(number, kind)


def parse_csq(line: str) -> SignalQuality:
    parts = fields.split(fields.payload(line, "+CSQ"))
    if len(parts) < 2:
        raise ResponseParseError(f"expected <rssi>,<ber> in {line!r}")
    return SignalQuality(fields.integer(parts[0], "<rssi>", line), fields.integer(parts[1], "<ber>", line))


def parse_registration(line: str, *, solicited: bool | None = None) -> Registration:
    """`+CREG`/`+CGREG`/`+CEREG`/`+C5GREG`, with <n> (`<n>,<stat>[,<lac>,<ci>[,<AcT>]]`,
    27.007's reply) or without it (`<stat>[,<lac>,<ci>[,<AcT>]]`, its URC).

    Modems print either form in either place (Sony Ericsson MD400's URC
    `+CREG: 2,5,"0502","0404736D"` has <n>), so the fields decide, as in
    ModemManager's creg_regex: three fields are <stat>,<lac>,<ci> (Novatel
    XU870's `+CREG: 2,,`); from four on, <n> is there when the second field
    is a <stat> rather than a location (a quoted third field settles it:
    `+CGREG:002,0011,"0f0d","14c3"`). `solicited` decides only the two-field
    `+CREG: 1,2`, which reads as <n>,<stat> unless it is False.
    """
    head = line.partition(":")[0].strip().upper()
    if head not in ("+CREG", "+CGREG", "+CEREG", "+C5GREG"):
        raise ResponseParseError(f"not a registration line: {line!r}")
    parts = fields.split(fields.payload(line, head))
    mode = fields.integer(parts.pop(0), "<n>", line) if _has_mode(parts, solicited) else None
    stat = fields.integer(parts[0], "<stat>", line)
    location = parts[1:]
    if head == "+CEREG" and len(location) == 4:
        # <tac>,<rac>,<ci>,<AcT>: a <rac> that 27.007 never had in +CEREG
        # (Novatel E362; ModemManager's test_cereg2_novatel_lte_* and
        # test_cereg2_multidigit_stat_with_rac_*).
        del location[1]
    lac = _hex_field(location[0], "<lac>", line) if location else None
    ci = _hex_field(location[1], "<ci>", line) if len(location) > 1 else None
    act = location[2] if len(location) > 2 else ""
    return Registration(mode, stat, lac, ci, int(act) if act.isdecimal() and len(act) < 4 else None)


def parse_cops(line: str) -> Operator:
    """`+COPS: <mode>[,<format>,<oper>[,<AcT>]]`."""
    parts = fields.split(fields.payload(line, "+COPS"))
    mode = fields.integer(parts[0], "<mode>", line)
    fmt = fields.optional_integer(parts[1], "<format>", line) if len(parts) > 1 else None
    name = fields.unquote(parts[2]) if len(parts) > 2 else None
    act = fields.optional_integer(parts[3], "<AcT>", line) if len(parts) > 3 else None
    return Operator(mode, fmt, name, act)


def parse_cpin(line: str) -> str:
    """`+CPIN: READY` / `+CPIN: SIM PIN` -> the state text (`READY`, `SIM PIN`)."""
    state = fields.unquote(fields.payload(line, "+CPIN")).strip()
    if not state:
        raise ResponseParseError(f"empty +CPIN state in {line!r}")
    return state


def parse_crsm(line: str) -> SimAnswer:
    """`+CRSM: 144,0,"0233"` (27.007: `<response>` is a string), `+CRSM: 144,0,0233`
    unquoted and in lower case (Android emulator, telephony/sim_card.c), `+CRSM: 148,4`
    without data."""
    parts = fields.split(fields.payload(line, "+CRSM"))
    if len(parts) < 2:
        raise ResponseParseError(f"expected <sw1>,<sw2> in {line!r}")
    sw1 = fields.integer(parts[0], "<sw1>", line)
    sw2 = fields.integer(parts[1], "<sw2>", line)
    data = fields.unquote(parts[2]).strip() if len(parts) > 2 else ""
    if data and not _HEX_PDU.match(data):
        raise ResponseParseError(f"<response> is not whole hex octets in {line!r}")
    if sw1 > 255 or sw2 > 255:
        raise ResponseParseError(f"status word out of range in {line!r}")
    return SimAnswer(sw1, sw2, bytes.fromhex(data))


def _pdu(line: str) -> str:
    # gammu tests/at-sms/04.dump: a stray '"' after the PDU.
    pdu = line.strip().rstrip('"')
    if not _PDU_DIGITS.match(pdu):
        raise ResponseParseError(f"PDU line is not hex digits: {line!r}")
    return pdu.upper()


def _memory(field: str, line: str) -> str:
    name = fields.unquote(field).strip()
    if not _MEMORY.match(name):
        raise ResponseParseError(f"bad memory name {field!r} in {line!r}")
    return name


def _has_mode(parts: list[str], solicited: bool | None) -> bool:
    if len(parts) == 2:
        return solicited is not False
    if len(parts) < 4:
        return False
    # The first quoted field is the location; else a <stat> is one or two
    # digits, and a location hex, longer, or empty.
    if parts[1].startswith('"'):
        return False
    return parts[2].startswith('"') or bool(_STAT.match(parts[1]))


def _hex_field(field: str, what: str, line: str) -> int | None:
    value = fields.unquote(field).strip()
    # Qualcomm Gobi 1000 prints `+CREG: 2,1,  0 5, 2715`: a location that
    # cannot be read (ModemManager's test_creg2_gobi_weird_solicited reads 0).
    if not value or _SPACED_HEX.fullmatch(value):
        return None
    if not re.fullmatch(r"[0-9A-Fa-f]{1,8}", value):
        raise ResponseParseError(f"{what} is not hex ({field!r}) in {line!r}")
    return int(value, 16)
