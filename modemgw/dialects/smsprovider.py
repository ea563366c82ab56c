"""SMS Provider's REST API (`https://api.smsprovider.com/v1`), served at
`/compat/smsprovider/v1` over the message core.

The contract is ../shared/reference/provider-apis/smsprovider.txt (docs/compat.md has the
mapping): Bearer keys (a modemgw API key), `POST /messages {to, message, from,
scheduled_at, callback_url}`, `GET /messages/{id}`, `GET /account`, `/webhooks`, errors
`{"success": false, "error": {"code", "message"}}`, and webhooks signed in
`X-SMSProvider-Signature` (hex HMAC-SHA256 of the JSON body under the key's webhook secret),
so the provider's own Node `verifyWebhook` passes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

from aiohttp import web

from ..core import checks
from ..core import (Core, CoreError, Forbidden, Invalid, NoCapacity, NotFound, Problem, RateLimited,
                    Submission, Unauthenticated, Unavailable)
from ..web.body import read_object
from ..web.edge import bearer, core_of, sub_app
from ..webhooks.formats import Delivery, Outgoing, snapshot
from . import Dialect, DialectConfig

MAX_MESSAGE = 1600                   # "Message content (max 1600 characters)"
MAX_BODY = 256 * 1024
# What "credits_remaining" says when no modem has a daily cap: the contract has a number
# there, and clients compare it; docs/compat.md names it.
UNLIMITED_CREDITS = 1_000_000
NAMES = {"text": "message", "sender": "from"}
FIELDS = ("to", "message", "from", "scheduled_at", "callback_url")
EVENTS = ("message.sent", "message.delivered", "message.failed", "message.expired")

_STATUS = {"queued": "queued", "sent": "sent", "delivered": "delivered", "failed": "failed",
           "expired": "expired", "cancelled": "failed"}


# -- errors --------------------------------------------------------------------

def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"success": False, "error": {"code": code, "message": message}},
                             status=status)


# What each core error is, in HTTP and in the contract's codes; an invalid field by its problem.
PROBLEMS: dict[Problem, tuple[int, str]] = {
    Problem.NUMBER: (400, "invalid_phone_number"),
    Problem.TOO_LONG: (400, "message_too_long"),
}
ERRORS: dict[type[CoreError], tuple[int, str]] = {
    Invalid: (400, "invalid_request"),
    Unauthenticated: (401, "authentication_failed"),
    NoCapacity: (402, "insufficient_credits"),
    Forbidden: (403, "forbidden"),
    NotFound: (404, "not_found"),
    RateLimited: (429, "rate_limit_exceeded"),
    Unavailable: (503, "server_error"),      # the database cannot be reached: try again
}


def render(err: CoreError) -> web.Response:
    if isinstance(err, Invalid) and err.problem in PROBLEMS:
        status, code = PROBLEMS[err.problem]
    else:
        status, code = next((row for kind, row in ERRORS.items() if isinstance(err, kind)),
                            (500, "server_error"))
    return _error(status, code, err.message)


# -- requests and responses ----------------------------------------------------

def _iso(ts: float | None) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _known(body: dict, fields: tuple[str, ...]) -> dict:
    for name in body:
        if name not in fields:
            # Refused, not ignored: a misspelt scheduled_at must not quietly mean "send now".
            raise Invalid(name, f"unknown field {name!r} (known: {', '.join(fields)})")
    return body


async def _credits(core: Core) -> int:
    left = await core.credits()
    return UNLIMITED_CREDITS if left is None else left


def _message(row: dict) -> dict:
    return {"message_id": row["id"], "to": row["to_number"], "from": row["sender"],
            "message": row["text"], "status": _STATUS[row["status"]],
            "sent_at": _iso(row["sent_at"]), "delivered_at": _iso(row["delivered_at"])}


async def send(request: web.Request) -> web.Response:
    key = await bearer(request)
    core = core_of(request)
    body = _known(await read_object(request, MAX_BODY), FIELDS)
    to = body.get("to")
    if to is None or not isinstance(to, (str, list)):
        raise Invalid("to", "to is required: a phone number in E.164 format or an array of them",
                      Problem.NUMBER)
    many = isinstance(to, list)
    accepted = await core.send(Submission(
        to=tuple(to) if many else (to,), text=body.get("message"), sender=body.get("from"),
        scheduled_at=body.get("scheduled_at"), callback_url=body.get("callback_url"),
        dialect="smsprovider", max_characters=MAX_MESSAGE, to_is_list=many, e164_shape=True,
        within_capacity=True, names=NAMES), key=key)
    rows = accepted.messages
    answer = {"success": True, "message_id": rows[0]["id"], "credits_used": accepted.parts,
              "credits_remaining": await _credits(core), "status": "queued"}
    if many:
        # Not in the contract's examples: one id per recipient, in the order of `to`.
        answer["messages"] = [{"message_id": r["id"], "to": r["to_number"], "status": "queued"}
                              for r in rows]
    return web.json_response(answer)


async def get(request: web.Request) -> web.Response:
    key = await bearer(request)
    row = await core_of(request).get(request.match_info["message_id"], key=key)
    return web.json_response(_message(row))


async def account(request: web.Request) -> web.Response:
    key = await bearer(request)
    core = core_of(request)
    return web.json_response({"success": True, "account": {
        "name": key["name"], "credits_remaining": await _credits(core),
        "rate_limit_per_minute": core.limiter.limit}})


async def subscribe(request: web.Request) -> web.Response:
    key = await bearer(request)
    core = core_of(request)
    body = _known(await read_object(request, MAX_BODY), ("url", "events"))
    url = body.get("url")
    if not isinstance(url, str):
        raise Invalid("url", "url is required: an absolute http:// or https:// URL")
    checks.url(url, "url")
    events = body.get("events", list(EVENTS))
    if not isinstance(events, list) or not events or any(e not in EVENTS for e in events):
        raise Invalid("events", f"events must be a list of {', '.join(EVENTS)}")
    hook = await core.store.subscribe(key["id"], "smsprovider", url, events)
    return web.json_response({"success": True, "webhook": _hook(hook)}, status=201)


async def subscriptions(request: web.Request) -> web.Response:
    key = await bearer(request)
    hooks = await core_of(request).store.subscriptions(key["id"], "smsprovider")
    return web.json_response({"success": True, "webhooks": [_hook(h) for h in hooks]})


async def unsubscribe(request: web.Request) -> web.Response:
    key = await bearer(request)
    hook_id = request.match_info["id"]
    # ASCII digits that fit SQLite's integer: str.isdigit() takes "²" (which int() refuses)
    # and any length (which SQLite refuses).
    if not re.fullmatch(r"[0-9]{1,18}", hook_id) or \
            not await core_of(request).store.unsubscribe(key["id"], "smsprovider", int(hook_id)):
        raise NotFound(f"no webhook {hook_id}")
    return web.json_response({"success": True})


def _hook(row: dict) -> dict:
    return {"id": str(row["id"]), "url": row["url"], "events": row["events"],
            "created_at": _iso(row["created_at"])}


def create_app(core: Core, config: DialectConfig) -> web.Application:
    return sub_app(render, [
        ("POST", "/v1/messages", send),
        ("GET", "/v1/messages/{message_id}", get),
        ("GET", "/v1/account", account),
        ("POST", "/v1/webhooks", subscribe),
        ("GET", "/v1/webhooks", subscriptions),
        ("DELETE", "/v1/webhooks/{id}", unsubscribe),
    ])


# -- webhooks ------------------------------------------------------------------

class Webhooks:
    """`{event, message_id, to, status, delivered_at, timestamp}`, signed as the provider's
    Node example checks it: hex HMAC-SHA256 of JSON.stringify(payload), i.e. compact JSON
    with non-ASCII characters as they are."""

    def render(self, delivery: Delivery) -> Outgoing | None:
        event = snapshot(delivery)
        if delivery.event not in EVENTS:
            return None
        payload = {"event": delivery.event, "message_id": event["id"], "to": event["to"],
                   "status": _STATUS.get(event["status"], event["status"]),
                   "delivered_at": _seconds_iso(event.get("delivered_at")),
                   "timestamp": delivery.timestamp}
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        signature = hmac.new(delivery.secret.encode(), body, hashlib.sha256).hexdigest()
        return Outgoing(body, {"Content-Type": "application/json", "X-SMSProvider-Signature": signature})


def _seconds_iso(value: str | None) -> str | None:
    """The native payload's "2023-12-01T15:23:48.123Z" (always UTC, store/rules.py iso) as the
    contract's "2023-12-01T15:23:48Z"."""
    return None if value is None else value[:19] + "Z"


DIALECT = Dialect("smsprovider", "/compat/smsprovider", create_app, Webhooks())
