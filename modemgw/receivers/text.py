"""The SMS text of an alert notification, kept within a number of SMS parts (pure).

A template names fields (`[{status}:{count}] {alertname} {targets}`); `targets` is the
list that gives way: as many as fit are shown, the rest counted ("host1, host2 (+1)").
When even no target fits, the text is cut and ends with "...": three GSM-7 full stops,
because "…" is not in GSM-7 and would turn the whole message into UCS-2, halving what a
part holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from ..sms import PduError, segment

ELLIPSIS = "..."
_FIELD = re.compile(r"\{(\w+)\}")
_SPACES = re.compile(r"[ \t]{2,}")


def parts(text: str, national_languages: tuple[str, ...] = ()) -> int:
    try:
        return segment(text, national_languages).segments
    except PduError:
        return 10 ** 6               # over any limit: more than 255 parts


def render(template: str, fields: Mapping[str, str]) -> str:
    """The template with its fields filled in; an empty field leaves no double space."""
    text = _FIELD.sub(lambda m: fields.get(m.group(1), ""), template)
    return _SPACES.sub(" ", text).strip()


def listing(items: Sequence[str], shown: int, hidden_extra: int = 0) -> str:
    """`a, b (+3)`: the first `shown` items, and how many more there are."""
    hidden = len(items) - shown + hidden_extra
    text = ", ".join(items[:shown])
    if hidden > 0:
        text = f"{text} (+{hidden})" if text else f"(+{hidden})"
    return text


def fit(build: Callable[[int], str], items: int, limit: int,
        national_languages: tuple[str, ...] = ()) -> str:
    """`build(k)` with the most `k` (0..items) that keeps the text within `limit` parts;
    cut to fit if even `build(0)` does not. More items never make a text shorter, so the
    search halves."""
    low, high = 0, items
    if parts(build(0), national_languages) > limit:
        return cut(build(0), limit, national_languages)
    while low < high:
        mid = (low + high + 1) // 2
        if parts(build(mid), national_languages) <= limit:
            low = mid
        else:
            high = mid - 1
    return build(low)


def cut(text: str, limit: int, national_languages: tuple[str, ...] = ()) -> str:
    """The longest beginning of `text` (ending at a word if one ends near) with "..."
    after it, within `limit` parts."""
    if parts(text, national_languages) <= limit:
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if parts(text[:mid].rstrip() + ELLIPSIS, national_languages) <= limit:
            low = mid
        else:
            high = mid - 1
    head = text[:low]
    if low < len(text) and not text[low].isspace() and " " in head[-20:]:
        head = head[:head.rindex(" ")]         # not in the middle of a word, if a word is short
    return head.rstrip() + ELLIPSIS
