"""`+CMS ERROR` codes: meaning, whether a retry can help, and where defined.

`temporary` means the same submission may succeed later without changing
anything; `permanent` means it will fail again until the message, the
destination, the subscription or the modem's configuration changes.
Ranges (modem-quirks.md B.5): 0-127 RP-cause (TS 24.011 §8.2.5.4),
128-255 TP-Failure-Cause (TS 23.040 §9.2.3.22), 300-340 TS 27.005 §3.2.5,
500 unknown, 512+ manufacturer specific.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

Kind = Literal["temporary", "permanent"]

TS24011: Final = "https://www.3gpp.org/DynaReport/24011.htm"
TS23040: Final = "https://www.3gpp.org/DynaReport/23040.htm"
TS27005: Final = "https://www.3gpp.org/DynaReport/27005.htm"
SMSTOOLS: Final = "https://github.com/andrewjsi/amisms/blob/master/src/smsservertools/modeminit.c"
SIERRA_512: Final = "https://forum.sierrawireless.com/t/cms-error-512/1173"
NOWSMS_512: Final = "https://support.nowsms.com/discus/messages/1/1455.html"


@dataclass(frozen=True, slots=True)
class CmsError:
    code: int
    meaning: str
    kind: Kind
    source: str


class Classification(NamedTuple):
    kind: Kind
    meaning: str


T: Final = "temporary"
P: Final = "permanent"

_ROWS: Final[tuple[tuple[int, str, Kind, str], ...]] = (
    # RP-cause, TS 24.011 Table 8.4.
    (1, "Unassigned (unallocated) number", P, TS24011),
    (8, "Operator determined barring", P, TS24011),
    (10, "Call barred", P, TS24011),
    (21, "Short message transfer rejected", P, TS24011),
    (22, "Memory capacity exceeded", T, TS24011),
    (27, "Destination out of order", P, TS24011),
    (28, "Unidentified subscriber", P, TS24011),
    (29, "Facility rejected", P, TS24011),
    (30, "Unknown subscriber", P, TS24011),
    (38, "Network out of order", T, TS24011),
    (41, "Temporary failure", T, TS24011),
    (42, "Congestion", T, TS24011),
    (47, "Resources unavailable, unspecified", T, TS24011),
    # Usually SMS-MO not provisioned or no prepaid credit: needs the operator.
    (50, "Requested facility not subscribed", P, TS24011),
    (69, "Requested facility not implemented", P, TS24011),
    # A fresh submission gets a fresh reference, so a retry can pass.
    (81, "Invalid short message transfer reference value", T, TS24011),
    (95, "Semantically incorrect message", P, TS24011),
    (96, "Invalid mandatory information", P, TS24011),
    (97, "Message type non-existent or not implemented", P, TS24011),
    (98, "Message not compatible with short message protocol state", T, TS24011),
    (99, "Information element non-existent or not implemented", P, TS24011),
    (111, "Protocol error, unspecified", P, TS24011),
    (127, "Interworking, unspecified", T, TS24011),
    # TP-Failure-Cause, TS 23.040 §9.2.3.22.
    (128, "Telematic interworking not supported", P, TS23040),
    (129, "Short message Type 0 not supported", P, TS23040),
    (130, "Cannot replace short message", P, TS23040),
    (143, "Unspecified TP-PID error", P, TS23040),
    (144, "Data coding scheme (alphabet) not supported", P, TS23040),
    (145, "Message class not supported", P, TS23040),
    (159, "Unspecified TP-DCS error", P, TS23040),
    (160, "Command cannot be actioned", P, TS23040),
    (161, "Command unsupported", P, TS23040),
    (175, "Unspecified TP-Command error", P, TS23040),
    (176, "TPDU not supported", P, TS23040),
    (192, "SC busy", T, TS23040),
    (193, "No SC subscription", P, TS23040),
    (194, "SC system failure", T, TS23040),
    (195, "Invalid SME address", P, TS23040),
    (196, "Destination SME barred", P, TS23040),
    # The SC already holds a message with this reference: resending repeats it.
    (197, "SM rejected - duplicate SM", P, TS23040),
    (198, "TP-VPF not supported", P, TS23040),
    (199, "TP-VP not supported", P, TS23040),
    (208, "(U)SIM SMS storage full", T, TS23040),
    (209, "No SMS storage capability in (U)SIM", P, TS23040),
    (210, "Error in MS", T, TS23040),
    (211, "Memory capacity exceeded", T, TS23040),
    (212, "(U)SIM Application Toolkit busy", T, TS23040),
    (213, "(U)SIM data download error", T, TS23040),
    (255, "Unspecified error cause", T, TS23040),
    # TS 27.005 §3.2.5.
    (300, "ME failure", T, TS27005),
    (301, "SMS service of ME reserved", T, TS27005),
    # Seen while the SMS subsystem is still starting (SIM800L before "SMS Ready").
    (302, "Operation not allowed", T, TS27005),
    (303, "Operation not supported", P, TS27005),
    (304, "Invalid PDU mode parameter", P, TS27005),
    (305, "Invalid text mode parameter", P, TS27005),
    (310, "(U)SIM not inserted", P, TS27005),
    (311, "(U)SIM PIN required", P, TS27005),
    (312, "PH-(U)SIM PIN required", P, TS27005),
    (313, "(U)SIM failure", T, TS27005),
    (314, "(U)SIM busy", T, TS27005),
    (315, "(U)SIM wrong", P, TS27005),
    (316, "(U)SIM PUK required", P, TS27005),
    (317, "(U)SIM PIN2 required", P, TS27005),
    (318, "(U)SIM PUK2 required", P, TS27005),
    (320, "Memory failure", T, TS27005),
    (321, "Invalid memory index", P, TS27005),
    (322, "Memory full", T, TS27005),
    (330, "SMSC address unknown", P, TS27005),
    (331, "No network service", T, TS27005),
    (332, "Network timeout", T, TS27005),
    (340, "No +CNMA acknowledgement expected", P, TS27005),
    (500, "Unknown error", T, TS27005),
    # Manufacturer specific; texts from SMS Server Tools 3 and vendor forums.
    (512, "MM establishment failure (SMS collision or weak signal)", T, SIERRA_512),
    (513, "Lower layer failure: no acknowledgement or radio link lost", T, SMSTOOLS),
    (514, "Network error, congestion", T, SMSTOOLS),
    (515, "Please wait, service not available, init in progress", T, SMSTOOLS),
)

CMS_ERRORS: Final[dict[int, CmsError]] = {row[0]: CmsError(*row) for row in _ROWS}

# Verbose forms (AT+CMEE=2) that differ from the meanings above once
# normalised; e.g. modems print "SIM busy" for "(U)SIM busy".
_ALIASES: Final = {
    "unassigned number": 1,
    "unallocated number": 1,
    "resources unavailable": 47,
    "unknown": 500,
    "sm rejected duplicate sm": 197,
}

_PREFIX: Final = re.compile(r"^\s*\+CMS ERROR:\s*", re.IGNORECASE)


def _normalise(text: str) -> str:
    text = text.lower().replace("(u)", "").replace("usim", "sim")
    return " ".join(re.sub(r"[^a-z0-9+]+", " ", text).split())


_BY_TEXT: Final[dict[str, int]] = {
    **{_normalise(e.meaning): code for code, e in CMS_ERRORS.items()},
    **{_normalise(text): code for text, code in _ALIASES.items()},
}


def lookup(code_or_text: int | str) -> CmsError | None:
    """The table entry for a numeric code or verbose text, or None."""
    if isinstance(code_or_text, int):
        return CMS_ERRORS.get(code_or_text)
    text = _PREFIX.sub("", code_or_text).strip()
    if text.isascii() and text.isdecimal():
        return CMS_ERRORS.get(int(text)) if len(text) <= 6 else None
    code = _BY_TEXT.get(_normalise(text))
    return CMS_ERRORS[code] if code is not None else None


def classify(code_or_text: int | str) -> Classification:
    """`(kind, meaning)` for a `+CMS ERROR` argument (int, digits or text).

    Also accepts the whole line (`+CMS ERROR: 500`). Anything not in the
    table counts as temporary: vendors invent codes (517 has no public
    definition) and declaring a message dead on a code nobody documented
    would lose it, while a bounded retry only costs time.
    """
    entry = lookup(code_or_text)
    if entry is not None:
        return Classification(entry.kind, entry.meaning)
    return Classification("temporary", f"+CMS ERROR {code_or_text!r} is not in the table")
