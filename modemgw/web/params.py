"""Reading the parameters of an older style of SMS API: the same names in the query string
or in a form (or JSON) body, by GET or POST, as `curl "https://api...?to=..."` and an SDK's
form POST send them.

A name given twice (twice in the query, or in the query and the body) is refused rather
than one value picked: which was meant is a guess. Percent-escapes that are not UTF-8 are
refused too: yarl would make them U+FFFD, and a message would be sent with it. Errors are
the core's `Invalid`, which each edge shows in its own shape.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from aiohttp import web

from ..core.errors import Invalid
from .body import read_object

MAX_FIELDS = 100           # more is not a request to any of these APIs
FORM = "application/x-www-form-urlencoded"


def _pairs(text: str, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict",
                         max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise Invalid(where, f"the {where} has a percent-escape that is not UTF-8") from None
    except ValueError:
        raise Invalid(where, f"the {where} has more than {MAX_FIELDS} fields") from None


async def _body(request: web.Request, max_body: int, json: bool) -> list[tuple[str, object]]:
    if request.content_length is not None and request.content_length > max_body:
        raise Invalid("body", f"the request body is larger than {max_body} bytes")
    kind = request.content_type
    if json and kind == "application/json":
        return list((await read_object(request, max_body)).items())
    if kind == "multipart/form-data":
        try:
            form = await request.post()
        except ValueError as exc:
            raise Invalid("body", f"the form body cannot be read: {exc}") from None
        if any(not isinstance(v, str) for v in form.values()):
            raise Invalid("body", "the form has a file in it; every field is text")
        return list(form.items())
    raw = await request.read()
    if kind == FORM:
        try:
            return list(_pairs(raw.decode("utf-8"), "body"))
        except UnicodeDecodeError:
            raise Invalid("body", "the request body is not UTF-8") from None
    if raw.strip():
        kinds = f"{FORM}, multipart/form-data" + (" or application/json" if json else "")
        raise Invalid("body", f"a body of Content-Type {kind} cannot be read: send {kinds}")
    return []


async def read_params(request: web.Request, max_body: int, *, json: bool = False) -> dict[str, object]:
    """The request's parameters by name: strings, or with `json` any JSON value a JSON
    object body held."""
    pairs: list[tuple[str, object]] = list(_pairs(request.rel_url.raw_query_string, "query string"))
    if request.body_exists:
        pairs += await _body(request, max_body, json)
    params: dict[str, object] = {}
    for name, value in pairs:
        if name in params:
            raise Invalid(name, f"{name} is given more than once")
        params[name] = value
    return params
