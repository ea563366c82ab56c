"""Reading the parameters of an older style of SMS API: the same names in the query string
or in a form (or JSON) body, by GET or POST, as `curl "https://api...?to=..."` and an SDK's
form POST send them.

A name given twice (twice in the query, or in the query and the body) is refused rather
than one value picked: which was meant is a guess; a name an edge declares repeatable
(an array, as OpenAPI's default `name=a&name=b` encodes one) is a list of every value
instead. Percent-escapes that are not UTF-8 are refused too: yarl would make them U+FFFD,
and a message would be sent with it. Errors are the core's `Invalid`, which each edge shows
in its own shape.

A `+` typed unencoded in a query string or form (`toNumber=+37256789045`) arrives as a
space (that is what `+` means in application/x-www-form-urlencoded); in a parameter an edge
declares a phone number, a space before a digit can only have been that `+`, and is read
as it.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import parse_qsl

from aiohttp import web

from ..core.errors import Invalid
from .body import read_object

# More is not a request to any of these APIs; the most is Voximplant's 100 numbers, each
# its own dst_numbers=, and a few more parameters.
MAX_FIELDS = 128
FORM = "application/x-www-form-urlencoded"


def restore_plus(value: str) -> str:
    """A phone number's `+` sent unencoded, which form decoding made a space, put back."""
    return "+" + value[1:] if len(value) > 1 and value[0] == " " and value[1] in "0123456789" else value


def _pairs(text: str, where: str, numbers: Collection[str] = ()) -> list[tuple[str, str]]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict",
                          max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise Invalid(where, f"the {where} has a percent-escape that is not UTF-8") from None
    except ValueError:
        raise Invalid(where, f"the {where} has more than {MAX_FIELDS} fields") from None
    return [(name, restore_plus(value) if name in numbers else value) for name, value in pairs]


async def _body(request: web.Request, max_body: int, json: bool,
                numbers: Collection[str]) -> list[tuple[str, object]]:
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
            return _pairs(raw.decode("utf-8"), "body", numbers)
        except UnicodeDecodeError:
            raise Invalid("body", "the request body is not UTF-8") from None
    if raw.strip():
        kinds = f"{FORM}, multipart/form-data" + (" or application/json" if json else "")
        raise Invalid("body", f"a body of Content-Type {kind} cannot be read: send {kinds}")
    return []


async def read_params(request: web.Request, max_body: int, *, json: bool = False,
                      numbers: Collection[str] = (), repeatable: Collection[str] = ()) -> dict[str, object]:
    """The request's parameters by name: strings, or with `json` any JSON value a JSON
    object body held. `numbers` name phone numbers (an unencoded `+` restored); each name
    in `repeatable` that is given is a list of its values, in the order sent."""
    pairs: list[tuple[str, object]] = list(_pairs(request.rel_url.raw_query_string, "query string", numbers))
    if request.body_exists:
        pairs += await _body(request, max_body, json, numbers)
    params: dict[str, object] = {}
    for name, value in pairs:
        if name in repeatable:
            params.setdefault(name, []).append(value)    # type: ignore[union-attr]
        elif name in params:
            raise Invalid(name, f"{name} is given more than once")
        else:
            params[name] = value
    return params
