"""Query parameters of the listings, checked like body fields (unknown ones refused)."""

from __future__ import annotations

from datetime import datetime

from multidict import MultiMapping

from . import cursor as cursors
from .errors import invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def single(query: MultiMapping[str], known: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in query:
        if name not in known:
            known_text = ", ".join(sorted(known)) or "none"
            raise invalid(name, f"unknown query parameter {name!r}; this endpoint takes: {known_text}")
        if len(query.getall(name)) > 1:
            raise invalid(name, f"query parameter {name!r} is given more than once")
        out[name] = query[name]
    return out


def limit(params: dict[str, str]) -> int:
    value = params.get("limit")
    if value is None:
        return DEFAULT_LIMIT
    number = bounded(value, 1, MAX_LIMIT)
    if number is None:
        raise invalid("limit", f"limit must be an integer from 1 to {MAX_LIMIT}")
    return number


def bounded(text: str, low: int, high: int) -> int | None:
    """`text` as a decimal integer from `low` to `high`, else None.

    The length is checked before int(): Python refuses to convert more than 4,300
    digits (ValueError, CVE-2020-10735), which a query string can easily hold.
    """
    digits = text.lstrip("0") or "0"     # int() counts leading zeros towards its limit too
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(high)):
        return None
    number = int(digits)
    return number if low <= number <= high else None


def after(params: dict[str, str], prefix: str) -> str | None:
    value = params.get("cursor")
    return None if value is None else cursors.decode(value, prefix)


def time(params: dict[str, str], name: str) -> float | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
        if when.tzinfo is None:
            raise ValueError
        return when.timestamp()
    except (ValueError, OverflowError):
        raise invalid(name, f"{name} must be an ISO 8601 date and time with an offset, "
                            f"e.g. 2030-01-31T09:00:00Z") from None


def page(items: list[dict], size: int) -> dict:
    """`items` was fetched with one extra row, which only says that there is a next page."""
    more = len(items) > size
    items = items[:size]
    return {"data": items, "next_cursor": cursors.encode(items[-1]["id"]) if more else None}
