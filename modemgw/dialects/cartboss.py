"""The SMS sender API of the CartBoss guide, served at `/compat/cartboss/v1` over the
message core.

The contract is ../shared/reference/provider-apis/cartboss-guide.txt (docs/compat.md has
the mapping): Bearer keys (a modemgw API key); `POST /messages/send {to, from, body,
schedule_for, status_callback, validity_period}` answers 202 `{status, message_id, to,
remaining_balance, message_price}`; `GET /messages/{message_id}`; `GET /messages`, the
history, by date range and number; errors carry the guide's HTTP codes as their `code`;
status callbacks (`sent`, `delivered`, `failed`, `undelivered`) go to `status_callback`
and received messages to `[dialects.cartboss] inbound_url`, signed as native webhooks.

Message ids are UUIDs: the 128 bits of the message's own id, so every id converts both
ways without a lookup, in a webhook too.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from http import HTTPStatus

from aiohttp import web

from ..config import ConfigError
from ..core import (Core, CoreError, ErrorCode, Forbidden, Invalid, NoCapacity, NotFound, RateLimited,
                    Submission, Unauthenticated, Unavailable)
from ..core.ids import from_number, number
from ..web.body import read_object, reject_unknown
from ..web.edge import bearer, core_of, sub_app
from ..web.params import restore_plus
from ..webhooks.formats import NATIVE, Delivery, Outgoing, snapshot
from . import Dialect, DialectConfig

NAME = "cartboss"
MAX_BODY = 64 * 1024
FIELDS = {"to", "from", "body", "schedule_for", "status_callback", "validity_period"}
NAMES = {"text": "body", "sender": "from", "callback_url": "status_callback",
         "scheduled_at": "schedule_for", "validity": "validity_period"}
# The parts "remaining_balance" counts when no modem has a daily cap: the contract has a
# number there, which clients compare with a threshold (docs/compat.md names it).
UNCAPPED_PARTS = 1_000_000
HISTORY = ("start_date", "end_date", "to", "limit", "starting_after")
PAGE, MAX_PAGE = 50, 100
OPTIONS = ("message_price",)


class Status(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"              # never left, or the gateway gave up on it
    UNDELIVERED = "undelivered"    # the network reported it not delivered


_BY_STATUS = {"queued": Status.QUEUED, "sent": Status.SENT, "delivered": Status.DELIVERED,
              "cancelled": Status.FAILED}
# A failed or expired message, by why (docs/api.md has the codes).
_BY_CODE = {
    ErrorCode.NETWORK_REJECTED: Status.FAILED,
    ErrorCode.RETRIES_EXHAUSTED: Status.FAILED,
    ErrorCode.VALIDITY_EXPIRED: Status.FAILED,
    ErrorCode.DELIVERY_UNCONFIRMED: Status.FAILED,     # may not have left; not sent again
    ErrorCode.UNDELIVERED: Status.UNDELIVERED,
    ErrorCode.REPORT_EXPIRED: Status.UNDELIVERED,
    # The network took it and never said more: "sent" is all that is known.
    ErrorCode.NO_REPORT: Status.SENT,
}
# TP-ST from 0x40 up: the service centre stopped trying (TS 23.040 §9.2.3.15).
_GAVE_UP = 0x40


def status_of(status: str, error_code: str | None, report_statuses: Iterable[int | None] = ()) -> Status:
    known = _BY_STATUS.get(status) or _BY_CODE.get(error_code or "")
    if known is not None:
        return known
    # A message that ended before error codes were kept: its parts' reports say.
    return Status.UNDELIVERED if any(s is not None and s >= _GAVE_UP for s in report_statuses) \
        else Status.FAILED


def public_id(native: str) -> str:
    """`msg_…` (or `in_…`) as the UUID of its bits; an id of another form as it is."""
    value = number(native, native.partition("_")[0])
    return native if value is None else str(uuid.UUID(int=value))


def native_id(text: str, field: str | None = None, prefix: str = "msg") -> str:
    try:
        native = from_number(prefix, uuid.UUID(text).int)
    except ValueError:
        native = None
    if native is None:
        if field is not None:
            raise Invalid(field, f"{field} must be a message_id this API returned")
        raise NotFound(f"no message {text}")
    return native


# -- errors: the guide's table has HTTP codes as its error codes ---------------

_ERRORS: tuple[tuple[type[CoreError], HTTPStatus], ...] = (
    (Invalid, HTTPStatus.BAD_REQUEST),
    (Unauthenticated, HTTPStatus.UNAUTHORIZED),
    # Not in the guide's table: the daily caps are the balance, and this is what a
    # balance that cannot pay for the message is answered with.
    (NoCapacity, HTTPStatus.PAYMENT_REQUIRED),
    (Forbidden, HTTPStatus.FORBIDDEN),
    (NotFound, HTTPStatus.NOT_FOUND),
    (RateLimited, HTTPStatus.TOO_MANY_REQUESTS),
    (Unavailable, HTTPStatus.SERVICE_UNAVAILABLE),   # the database cannot be reached: try again
)


def render(err: CoreError) -> web.Response:
    code = next((c for kind, c in _ERRORS if isinstance(err, kind)), HTTPStatus.INTERNAL_SERVER_ERROR)
    body: dict = {"status": "error", "code": code.value, "error": code.phrase, "message": err.message}
    if isinstance(err, Invalid) and err.field:
        body["field"] = err.field
    response = web.json_response(body, status=code.value)
    if code is HTTPStatus.UNAUTHORIZED:
        response.headers["WWW-Authenticate"] = 'Bearer realm="modemgw"'
    return response


# -- prices --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Pricing:
    """`[dialects.cartboss] message_price`: the price of one part, as the answers show it."""
    per_part: Decimal = Decimal(0)

    @classmethod
    def of(cls, options: Mapping[str, object]) -> Pricing:
        for key in options:
            if key not in OPTIONS:
                raise ConfigError(f"[dialects.{NAME}] {key}: unknown key (known: inbound_url, "
                                  f"{', '.join(OPTIONS)})")
        text = str(options.get("message_price", "0"))
        try:
            price = Decimal(text)
        except InvalidOperation:
            price = Decimal(-1)
        if not price.is_finite() or price < 0:
            raise ConfigError(f"[dialects.{NAME}] message_price must be a decimal number of at least 0, "
                              f"e.g. \"0.0075\", not {text!r}")
        return cls(price)

    def message(self, segments: int) -> str:
        return str(self.per_part * segments)

    def balance(self, parts_left: int | None) -> str:
        parts = UNCAPPED_PARTS if parts_left is None else parts_left
        # Without a price the balance is counted in parts: "0" would read as "out of money".
        return str(parts * self.per_part if self.per_part else parts)


PRICING = web.AppKey("modemgw.cartboss.pricing", Pricing)


# -- requests and answers ------------------------------------------------------

def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _message(row: dict, pricing: Pricing) -> dict:
    parts = row.get("parts") or ()
    return {"message_id": public_id(row["id"]),
            "status": status_of(row["status"], row["error_code"], (p["report_status"] for p in parts)),
            "to": row["to_number"], "from": row["sender"], "body": row["text"],
            "segments": row["segments"], "message_price": pricing.message(row["segments"]),
            "schedule_for": _iso(row["scheduled_at"]), "validity_period": row["validity"],
            "status_callback": row["callback_url"], "created_at": _iso(row["created_at"]),
            "sent_at": _iso(row["sent_at"]), "delivered_at": _iso(row["delivered_at"]),
            "error_code": row["error_code"], "error_message": row["error"]}


async def send(request: web.Request) -> web.Response:
    key = await bearer(request)
    core = core_of(request)
    body = await _body(request)
    reject_unknown(body, FIELDS)
    accepted = await core.send(Submission(
        to=(body.get("to"),), text=body.get("body"), sender=body.get("from"),
        callback_url=body.get("status_callback"), scheduled_at=body.get("schedule_for"),
        validity=body.get("validity_period"), dialect=NAME, within_capacity=True, epoch_times=True,
        names=NAMES), key=key)
    [row] = accepted.messages
    pricing = request.config_dict[PRICING]
    return web.json_response({"status": Status.QUEUED, "message_id": public_id(row["id"]),
                              "to": row["to_number"],
                              "remaining_balance": pricing.balance(await core.credits()),
                              "message_price": pricing.message(row["segments"])}, status=202)


async def _body(request: web.Request) -> dict:
    try:
        return await read_object(request, MAX_BODY)
    except Invalid as err:
        # The guide's text field is called `body`: a request body that cannot be read is
        # no field's fault, and `"field": "body"` would send the client to look at the text.
        raise Invalid(None, err.message) from None


async def get(request: web.Request) -> web.Response:
    key = await bearer(request)
    row = await core_of(request).get(native_id(request.match_info["message_id"]), key=key)
    return web.json_response(_message(row, request.config_dict[PRICING]))


async def history(request: web.Request) -> web.Response:
    key = await bearer(request)
    core = core_of(request)
    params = _params(request)
    limit = _limit(params.get("limit"))
    to = core.number(params["to"], "to") if "to" in params else None
    after = native_id(params["starting_after"], "starting_after") if "starting_after" in params else None
    rows = await core.store.list_messages(to=to, since=_moment(params, "start_date"),
                                          until=_moment(params, "end_date", end=True), after=after,
                                          limit=limit + 1, api_key_id=key["id"])
    pricing = request.config_dict[PRICING]
    return web.json_response({"messages": [_message(r, pricing) for r in rows[:limit]],
                              "has_more": len(rows) > limit})


def _params(request: web.Request) -> dict[str, str]:
    for name in request.query:
        if name not in HISTORY:
            raise Invalid(name, f"unknown query parameter {name!r}; the history takes {', '.join(HISTORY)}")
        if len(request.query.getall(name)) > 1:
            raise Invalid(name, f"{name} is given more than once")
    params = dict(request.query)
    if "to" in params:
        params["to"] = restore_plus(params["to"])     # `?to=+1415...` typed unencoded
    return params


def _limit(text: str | None) -> int:
    if text is None:
        return PAGE
    # Digits and their count first: int() of a query string's thousands of digits is slow.
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_PAGE:
        raise Invalid("limit", f"limit must be an integer from 1 to {MAX_PAGE}")
    return int(text)


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OFFSET = re.compile(r" ([0-9]{2}(?::?[0-9]{2})?)$")


def _moment(params: dict[str, str], name: str, *, end: bool = False) -> float | None:
    """A day (to its end, for `end_date`) or an instant with an offset, as epoch seconds."""
    text = params.get(name)
    if text is None:
        return None
    # An unencoded + in a query string arrives as a space: 09:00:00+02:00.
    text = _OFFSET.sub(r"+\1", text.strip())
    try:
        if _DATE.fullmatch(text):
            day = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
            return (day + timedelta(days=1 if end else 0)).timestamp()
        when = datetime.fromisoformat(text)
        if when.tzinfo is not None:
            return when.timestamp()
    except (ValueError, OverflowError):
        pass
    raise Invalid(name, f"{name} must be a date (2024-05-01) or an ISO 8601 date and time with "
                        f"an offset (2024-05-01T09:00:00Z)")


def create_app(core: Core, config: DialectConfig) -> web.Application:
    app = sub_app(render, [
        ("POST", "/v1/messages/send", send),
        ("GET", "/v1/messages/{message_id}", get),
        ("GET", "/v1/messages", history),
    ])
    app[PRICING] = Pricing.of(config.options)
    return app


# -- callbacks -----------------------------------------------------------------

class Callbacks:
    """Status callbacks whenever the guide's status changes, and received messages;
    JSON, signed as native webhooks (X-Modemgw-Signature, the key's webhook secret)."""

    def render(self, delivery: Delivery) -> Outgoing | None:
        event = snapshot(delivery)
        if delivery.event == "message.received":
            payload = {"event": delivery.event, "message_id": public_id(event["id"]),
                       "from": event["from"], "body": event["text"], "parts": event["parts"],
                       "complete": event["complete"], "modem": event["modem"],
                       "sent_at": event["sent_at"], "received_at": event["received_at"]}
        else:
            status = status_of(event["status"], event.get("error_code"))
            if status is Status.SENT and delivery.event != "message.sent":
                return None           # settled without news: "sent" was called back already
            payload = {"event": f"message.{status}", "message_id": public_id(event["id"]),
                       "status": status, "to": event["to"], "from": event["from"],
                       "segments": event["segments"], "error_code": event.get("error_code"),
                       "error_message": event["error"], "created_at": event["created_at"],
                       "sent_at": event["sent_at"], "delivered_at": event["delivered_at"],
                       "timestamp": delivery.timestamp}
        # Signed as native, but under this dialect's event name (message.undelivered).
        return NATIVE.render(replace(delivery, event=payload["event"],
                                     raw=json.dumps(payload, separators=(",", ":"), ensure_ascii=False)))


DIALECT = Dialect(NAME, "/compat/cartboss", create_app, Callbacks())
