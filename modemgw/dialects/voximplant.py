"""Voximplant's A2PSendSms (`https://api.voximplant.com/platform_api/A2PSendSms`), served at
`/compat/voximplant/platform_api` over the message core.

The contract is ../shared/reference/provider-apis/voximplant-a2psendsms.txt (docs/compat.md
has the mapping): `src_number`, `dst_numbers` (up to 100, separated by ";") and `text` (up to
1,600 characters), in the query string or a form body, by POST (or GET), answered
`{"result": [{"message_id", "destination_number"}], "failed": [{"destination_number",
"error_code", "error_description"}], "fragments_count"}`: a number that cannot be sent to is
listed in `failed` and the others are sent. Message ids are integers, the messages' `seqno`.
Numbers are written as Voximplant writes them, international without "+".

Credentials: `Authorization: Bearer <modemgw key>` where Voximplant takes its JWT, or the
older `api_key=<modemgw key>` parameter (`account_id`, `account_name` are ignored). The
official SDK's form POST to `/platform_api` with `cmd=A2PSendSms` is served too. Errors are
Voximplant's `{"error": {"msg", "code"}}` with the codes of its HTTP API reference.
"""

from __future__ import annotations

import json
from dataclasses import replace
from enum import IntEnum

from aiohttp import web

from ..core import (Core, CoreError, Forbidden, Invalid, NoCapacity, NotFound, RateLimited, Submission,
                    Unauthenticated, Unavailable)
from ..sms import preview
from ..web.edge import admit, bearer, core_of, sub_app
from ..web.params import read_params
from ..webhooks.formats import NATIVE, Delivery, Outgoing, snapshot
from . import Dialect, DialectConfig

MAX_TEXT = 1600                      # "The message text, up to 1600 characters"
MAX_BODY = 64 * 1024
COMMAND = "A2PSendSms"
NAMES = {"to": "dst_numbers", "text": "text", "sender": "src_number"}


class Code(IntEnum):
    """Voximplant's HTTP API error codes (its reference's list of errors)."""
    INTERNAL_ERROR = 2
    BILLING_FAILED = 5               # the modems' daily caps are used up
    AUTHORIZATION_FAILED = 100
    INVALID_ARGUMENTS = 101
    MISSING_CMD = 102
    UNKNOWN_COMMAND = 103
    FORBIDDEN_COMMAND = 104
    TOO_MANY_REQUESTS = 429          # not in Voximplant's list: the HTTP status's number


class Refused(CoreError):
    """A refusal with a Voximplant code the core has no error for (no `cmd`)."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code


def _error(http: int, code: Code, message: str) -> web.Response:
    return web.json_response({"error": {"msg": message, "code": int(code)}}, status=http)


# What each core error is, in HTTP and in Voximplant's codes.
ERRORS: dict[type[CoreError], tuple[int, Code]] = {
    Invalid: (400, Code.INVALID_ARGUMENTS),
    Unauthenticated: (401, Code.AUTHORIZATION_FAILED),
    NoCapacity: (402, Code.BILLING_FAILED),
    Forbidden: (403, Code.FORBIDDEN_COMMAND),
    NotFound: (404, Code.UNKNOWN_COMMAND),
    RateLimited: (429, Code.TOO_MANY_REQUESTS),
    Unavailable: (503, Code.INTERNAL_ERROR),     # the database cannot be reached: try again
}


def render(err: CoreError) -> web.Response:
    if isinstance(err, Refused):
        return _error(400, err.code, err.message)
    http, code = next((row for kind, row in ERRORS.items() if isinstance(err, kind)),
                      (500, Code.INTERNAL_ERROR))
    return _error(http, code, err.message)


# -- requests and responses ----------------------------------------------------

async def _key(request: web.Request, params: dict) -> dict:
    if request.headers.get("Authorization", "").strip():
        return await bearer(request)
    api_key = params.get("api_key")
    if isinstance(api_key, str) and api_key:
        return await admit(request, await core_of(request).authenticate(api_key))
    raise Unauthenticated("a modemgw API key is needed: Authorization: Bearer <key> (or api_key=<key>)")


def destinations(values: object) -> list[str]:
    """`a;b;c` as documented; a JSON array (`["a","b"]`) as the reference's generated
    snippets encode the array they declare; `dst_numbers=a&dst_numbers=b`, as a client
    generated from its OpenAPI schema (an array in the query: form style, exploded) sends it."""
    given = [v.strip() for v in values if isinstance(v, str)] if isinstance(values, list) else []
    if not any(given):
        raise Invalid("dst_numbers", "dst_numbers is required: phone numbers separated by ';'")
    return [number for text in given for number in _listed(text)]


def _listed(text: str) -> list[str]:
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if isinstance(items, list) and all(isinstance(i, str) for i in items):
            return items
    return [n.strip() for n in text.split(";") if n.strip()]


def _international(number: str) -> str:
    """Voximplant's numbers are international without "+" (447443332212)."""
    number = number.strip()
    return number if number.startswith("+") else "+" + number


def _plain(number: str | None) -> str | None:
    return None if number is None else number.removeprefix("+")


async def send(request: web.Request, params: dict) -> web.Response:
    key = await _key(request, params)
    core = core_of(request)
    src = params.get("src_number")
    if src is None or src == "":
        raise Invalid("src_number", "src_number is required: the sender ID")
    numbers = destinations(params.get("dst_numbers"))
    text = params.get("text")
    accepted = await core.send(Submission(
        to=tuple(_international(n) for n in numbers), text=text, sender=src, dialect="voximplant",
        max_characters=MAX_TEXT, partial=True, to_is_list=True, e164_shape=True, within_capacity=True,
        names=NAMES), key=key)
    rejected = {r.index: r.error.message for r in accepted.rejected}
    rows = iter(accepted.messages)
    result, failed = [], []
    for i, given in enumerate(numbers):
        if i in rejected:
            failed.append({"destination_number": given, "error_code": int(Code.INVALID_ARGUMENTS),
                           "error_description": rejected[i]})
        else:
            result.append({"message_id": next(rows)["seqno"], "destination_number": given})
    # Nothing sent still has a length: what the text would have cost.
    fragments = (accepted.messages[0]["segments"] if accepted.messages
                 else preview(str(text), core.settings.national_languages).segments)
    return web.json_response({"result": result, "failed": failed, "fragments_count": fragments})


async def _params(request: web.Request) -> dict:
    # dst_numbers is an array in the schema; a "+" left unencoded in a number is read back.
    return await read_params(request, MAX_BODY, numbers=("src_number", "dst_numbers"),
                             repeatable=("dst_numbers",))


async def command(request: web.Request) -> web.Response:
    """`/platform_api/A2PSendSms`, with or without its trailing slash."""
    params = await _params(request)
    if request.match_info["command"] != COMMAND:
        raise NotFound(f"unknown command {request.match_info['command']!r}: this gateway serves {COMMAND}")
    return await send(request, params)


async def by_cmd(request: web.Request) -> web.Response:
    """`/platform_api` with `cmd=A2PSendSms`, as Voximplant's own SDK posts it."""
    params = await _params(request)
    cmd = params.pop("cmd", None)
    if not cmd:
        raise Refused(Code.MISSING_CMD, "the 'cmd' parameter is missing")
    if cmd != COMMAND:
        raise NotFound(f"unknown command {cmd!r}: this gateway serves {COMMAND}")
    return await send(request, params)


def create_app(core: Core, config: DialectConfig) -> web.Application:
    paths = [("/platform_api", by_cmd), ("/platform_api/", by_cmd),
             ("/platform_api/{command}", command), ("/platform_api/{command}/", command)]
    return sub_app(render, [(method, path, handler) for path, handler in paths for method in ("GET", "POST")])


# -- callbacks -----------------------------------------------------------------

_DELIVERY = {"message.sent": "sent", "message.delivered": "delivered", "message.failed": "failed",
             "message.expired": "expired"}


class Callbacks:
    """Voximplant's account callbacks, `{"callbacks": [AccountCallback]}`: `a2p_sms_delivery`
    (its A2PSmsDeliveryCallback: `id` = the message_id A2PSendSms gave, `source_number`,
    `destination_numbers`, `status`) for a message's status, `sms_inbound` (its
    InboundSmsCallback) for a received one. Signed with the native headers; Voximplant's
    own `hash` needs the Voximplant account's API key, which a gateway does not have."""

    def render(self, delivery: Delivery) -> Outgoing | None:
        event = snapshot(delivery)
        if delivery.event == "message.received":
            kind, item = "sms_inbound", {"sms_inbound": {"source_number": _plain(event["from"]),
                                                         "sms_body": event["text"]}}
        elif delivery.event in _DELIVERY:
            kind, item = "a2p_sms_delivery", {"id": event.get("seqno"), "source_number": event["from"] or "",
                                              "destination_numbers": _plain(event["to"]),
                                              "status": _DELIVERY[delivery.event]}
        else:
            return None
        callback = {"callback_id": delivery.id, "type": kind, kind: item}
        if delivery.key is not None:
            account = {"account_id": delivery.key["id"], "account_name": delivery.key.get("name")}
            callback = {**account, **callback}
        body = json.dumps({"callbacks": [callback]}, separators=(",", ":"), ensure_ascii=False)
        return NATIVE.render(replace(delivery, raw=body))


DIALECT = Dialect("voximplant", "/compat/voximplant", create_app, Callbacks())
