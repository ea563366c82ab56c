"""Splitting the argument list of an information line (`+XXX: a,"b",(c)`)."""

from __future__ import annotations

import re
from typing import Final

from .errors import ResponseParseError

_DECIMAL: Final = re.compile(r"^\d{1,9}$")


def payload(line: str, prefix: str) -> str:
    """The text after `<prefix>:`; raises if the line has another prefix."""
    head, sep, rest = line.partition(":")
    if not sep or head.strip().upper() != prefix.upper():
        raise ResponseParseError(f"expected a {prefix}: line, got {line!r}")
    return rest.strip()


def split(text: str) -> list[str]:
    """Split at commas outside quotes and parentheses; fields are stripped."""
    fields: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise ResponseParseError(f"unbalanced ')' in {text!r}")
        elif char == "," and depth == 0:
            fields.append(text[start:i].strip())
            start = i + 1
    if quoted or depth:
        raise ResponseParseError(f"unbalanced quotes or parentheses in {text!r}")
    fields.append(text[start:].strip())
    return fields


def unquote(field: str) -> str:
    if len(field) >= 2 and field[0] == field[-1] == '"':
        return field[1:-1]
    return field


def integer(field: str, what: str, line: str) -> int:
    if not _DECIMAL.match(field):
        raise ResponseParseError(f"{what} is not a number ({field!r}) in {line!r}")
    return int(field)


def optional_integer(field: str, what: str, line: str) -> int | None:
    return None if field == "" else integer(field, what, line)


def value_set(group: str, line: str) -> frozenset[int]:
    """`(0-2)`, `(0,1,3)`, `(0-1,3)`, `()` or a bare `2` as a set of ints."""
    inner = group.strip()
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    values: set[int] = set()
    for item in inner.split(","):
        item = item.strip()
        if not item:
            continue
        low, dash, high = item.partition("-")
        first = integer(low.strip(), "range start", line)
        last = integer(high.strip(), "range end", line) if dash else first
        if last < first or last - first > 1000:
            raise ResponseParseError(f"bad range {item!r} in {line!r}")
        values.update(range(first, last + 1))
    return frozenset(values)
