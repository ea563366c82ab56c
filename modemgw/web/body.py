"""Reading a JSON request body: size-limited, strict JSON, an object at the top (for every
HTTP edge; errors are the core's `Invalid`, which each edge shows in its own shape)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from aiohttp import web

from ..core.errors import Invalid as invalid


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


@dataclass(frozen=True, slots=True)
class OversizedInteger:
    """An integer literal longer than Python converts (4,300 digits, CVE-2020-10735).

    No field takes one; kept as a value rather than failing the whole body, so that
    the field's own check refuses it and names the field.
    """
    digits: int


def _integer(text: str) -> int | OversizedInteger:
    try:
        return int(text)
    except ValueError:
        return OversizedInteger(len(text.lstrip("-")))


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            # Which of two values was meant is a guess; refuse instead.
            raise invalid(key, f"field {key!r} appears twice in the body")
        out[key] = value
    return out


async def read_object(request: web.Request, max_body: int) -> dict:
    if request.content_length is not None and request.content_length > max_body:
        raise invalid("body", f"the request body is larger than {max_body} bytes")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise invalid("body", f"the request body is larger than {max_body} bytes") from None
    if not raw.strip():
        raise invalid("body", "the request body is empty; expected a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("body", "the request body is not UTF-8") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants,
                           parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise invalid("body", f"the request body is not valid JSON: {exc.msg} at line {exc.lineno} "
                              f"column {exc.colno}") from None
    except ValueError as exc:  # NaN, Infinity
        raise invalid("body", f"the request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise invalid("body", "the request body is not valid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise invalid("body", "the request body must be a JSON object")
    return value


def reject_unknown(body: dict, known: set[str]) -> None:
    """Unknown fields are refused: a misspelt `scheduled_at` must not mean 'send now'."""
    unknown = sorted(k for k in body if k not in known)
    if unknown:
        raise invalid(unknown[0], f"unknown field {unknown[0]!r}; known fields: {', '.join(sorted(known))}")
