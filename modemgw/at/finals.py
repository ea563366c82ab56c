"""Recognising the final result code that ends a command (V.250 §5.7)."""

from __future__ import annotations

import re
from typing import Final

from .events import FinalResult, ResultKind

_WORDS: Final = {
    "OK": ResultKind.OK,
    "ERROR": ResultKind.ERROR,
    # Huawei E1752 instead of ERROR (python-gsmmodem test/fakemodems.py).
    "COMMAND NOT SUPPORT": ResultKind.ERROR,
    "NO CARRIER": ResultKind.CALL,
    "BUSY": ResultKind.CALL,
    "NO ANSWER": ResultKind.CALL,
    "NO DIALTONE": ResultKind.CALL,
    "NO DIAL TONE": ResultKind.CALL,
}

# "+CMGS ERROR:" is the Fibocom G510's spelling of +CMS ERROR for AT+CMGS
# (https://www.easymanua.ls/fibocom/g510/manual?p=118).
_CODED: Final = re.compile(r"^\+(CME|CMS|CMGS) ERROR:\s*(.*)$", re.IGNORECASE)
_CONNECT: Final = re.compile(r"^CONNECT(\s.*)?$")


def parse_final(line: str) -> FinalResult | None:
    """Return the FinalResult this line stands for, or None for other lines."""
    kind = _WORDS.get(line.upper())
    if kind is not None:
        return FinalResult(kind, line)
    match = _CODED.match(line)
    if match:
        family, argument = match.group(1).upper(), match.group(2).strip()
        kind = ResultKind.CME_ERROR if family == "CME" else ResultKind.CMS_ERROR
        error: int | str = int(argument) if _is_number(argument) else argument
        return FinalResult(kind, line, error)
    if _CONNECT.match(line):
        # Data mode follows; nothing after it belongs to the command.
        return FinalResult(ResultKind.CALL, line)
    return None


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdecimal() and len(text) <= 6
