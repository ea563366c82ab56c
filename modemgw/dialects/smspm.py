"""SMSPM's HTTP API (`https://api.smspm.com`), served at `/compat/smspm` over the message core.

The contract is ../shared/reference/provider-apis/smspm.txt (docs/compat.md has the mapping):
one endpoint, the base URL itself, by GET or POST, with `hash`, `token`, `toNumber`,
`fromNumber`, `text` and `callbackUrl` in the query string or a form or JSON body, answered
`{"status": "success", "messageId", "parts", "cost", "currency"}`. A refusal is
`{"status": <code>, "error": <why>}`: 200 for what was read but will not be sent
(`invalid_phone`, `low_balance` when the daily caps are used up, `invalid_sender`), 400
`invalid_params`, 401 `auth_failed`, 429 `rate_limit`, 500 `server_error`. Delivery reports
go to `callbackUrl`, received messages to `[dialects.smspm] inbound_url`, as JSON.

`hash` and `token` are the key's derived SMSPM credentials; the token is a secret that
clients put in a URL, so the gateway's log never has a query string, and its filter masks
`token=` wherever one would appear.
"""

from __future__ import annotations

import json
from dataclasses import replace
from enum import StrEnum

from aiohttp import web

from ..core import (Core, CoreError, Invalid, NoCapacity, NotFound, Problem, RateLimited, Submission,
                    Unauthenticated, Unavailable)
from ..web.edge import admit, sub_app
from ..web.params import read_params
from ..webhooks.formats import NATIVE, Delivery, Outgoing, snapshot
from . import Dialect, DialectConfig

MAX_BODY = 64 * 1024
NAMES = {"to": "toNumber", "sender": "fromNumber", "text": "text", "callback_url": "callbackUrl"}
# Written with "+" (E.164), which a hand-built URL often leaves unencoded: read back as "+".
NUMBERS = ("toNumber", "fromNumber")


class Status(StrEnum):
    """The `status` of an answer, as the contract's error reference names them."""
    SUCCESS = "success"
    INVALID_PHONE = "invalid_phone"
    LOW_BALANCE = "low_balance"
    INVALID_SENDER = "invalid_sender"
    INVALID_PARAMS = "invalid_params"
    AUTH_FAILED = "auth_failed"
    RATE_LIMIT = "rate_limit"
    NOT_FOUND = "not_found"           # not in the contract: a path other than the base URL
    SERVER_ERROR = "server_error"


# What each core error is, in HTTP and in the contract's statuses. The contract answers
# 200 for a request it read but will not send: a number or sender it cannot send to, a
# balance used up (here, the modems' daily caps).
PROBLEMS: dict[Problem, tuple[int, Status]] = {
    Problem.NUMBER: (200, Status.INVALID_PHONE),
    Problem.SENDER: (200, Status.INVALID_SENDER),
}
ERRORS: dict[type[CoreError], tuple[int, Status]] = {
    NoCapacity: (200, Status.LOW_BALANCE),
    Invalid: (400, Status.INVALID_PARAMS),
    Unauthenticated: (401, Status.AUTH_FAILED),
    NotFound: (404, Status.NOT_FOUND),
    RateLimited: (429, Status.RATE_LIMIT),
    Unavailable: (503, Status.SERVER_ERROR),   # the database cannot be reached: try again
}


def render(err: CoreError) -> web.Response:
    if isinstance(err, Invalid) and err.problem in PROBLEMS:
        http, status = PROBLEMS[err.problem]
    else:
        http, status = next((row for kind, row in ERRORS.items() if isinstance(err, kind)),
                            (500, Status.SERVER_ERROR))
    return web.json_response({"status": status.value, "error": err.message}, status=http)


def _required(params: dict, name: str) -> str:
    """A parameter the contract lists as required, missing: invalid_params (400), not
    the 200 refusals, which are for values that were given."""
    value = params.get(name)
    if value is None or value == "":
        raise Invalid(name, f"{name} is required")
    if not isinstance(value, str):
        raise Invalid(name, f"{name} must be a string")
    return value


# What an answer says a message cost: a SIM's tariff is not known to the gateway, so
# nothing; the currency is `[dialects.smspm] currency` (default EUR) for clients that show it.
COST = 0.0


def create_app(core: Core, config: DialectConfig) -> web.Application:
    currency = str(config.options.get("currency", "EUR"))

    async def send(request: web.Request) -> web.Response:
        params = await read_params(request, MAX_BODY, json=True, numbers=NUMBERS)
        ident, secret = _required(params, "hash"), _required(params, "token")
        key = await admit(request, await core.authenticate_credential("smspm", ident, secret))
        accepted = await core.send(Submission(
            to=(_required(params, "toNumber"),), text=_required(params, "text"),
            sender=params.get("fromNumber") or None, callback_url=params.get("callbackUrl") or None,
            dialect="smspm", e164_shape=True, within_capacity=True, names=NAMES), key=key)
        [row] = accepted.messages
        return web.json_response({"status": Status.SUCCESS.value, "messageId": row["id"],
                                  "parts": row["segments"], "cost": COST, "currency": currency})

    # The base URL itself, with and without its slash: requests sends "/compat/smspm?...",
    # a browser or PHP "/compat/smspm/?...".
    return sub_app(render, [(method, path, send) for method in ("GET", "POST") for path in ("", "/")])


# -- callbacks -----------------------------------------------------------------

class ReportStatus(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"


# The contract's reports say delivered or failed; an expired message was not delivered,
# and its `errorCode` says it expired. A message handed to the network is no report yet.
_REPORTS = {"message.delivered": ReportStatus.DELIVERED, "message.failed": ReportStatus.FAILED,
            "message.expired": ReportStatus.FAILED}


class Callbacks:
    """Delivery reports to `callbackUrl` and received messages to `inbound_url`, as JSON in
    the contract's own names, with the native signature headers (X-Modemgw-Signature over
    the body, under the key's webhook secret) for a receiver that checks them."""

    def render(self, delivery: Delivery) -> Outgoing | None:
        event = snapshot(delivery)
        if delivery.event == "message.received":
            payload = {"messageId": event["id"], "fromNumber": event["from"], "text": event["text"],
                       "parts": event["parts"], "complete": event["complete"],
                       "receivedAt": event["received_at"]}
        elif delivery.event in _REPORTS:
            payload = {"messageId": event["id"], "status": _REPORTS[delivery.event].value,
                       "toNumber": event["to"], "fromNumber": event["from"], "parts": event["segments"],
                       "error": event.get("error"), "errorCode": event.get("error_code"),
                       "sentAt": event["sent_at"], "deliveredAt": event["delivered_at"]}
        else:
            return None
        return NATIVE.render(replace(delivery, raw=json.dumps(payload, separators=(",", ":"))))


DIALECT = Dialect("smspm", "/compat/smspm", create_app, Callbacks())
