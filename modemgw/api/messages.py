"""/v1/messages: send, look up, list, cancel, and preview the encoding of a text.

A key sees and cancels the messages sent with it; another key's message is
`forbidden` (ids are unguessable, so saying that it exists reveals nothing).
"""

from __future__ import annotations

from aiohttp import web

from ..dispatch.compose import compose
from ..sms import PduError, preview
from . import query, views
from .body import read_object, reject_unknown
from .context import KEY, LOGGED, context
from .errors import ApiError, invalid
from .numbers import recipient
from .validation import parse_send

STATUSES = ("queued", "sent", "delivered", "failed", "expired", "cancelled")
LIST_PARAMS = {"status", "to", "direction", "created_since", "created_until", "limit", "cursor"}
MAX_IDEMPOTENCY_KEY = 255


async def send(request: web.Request) -> web.Response:
    ctx = context(request)
    query.single(request.query, set())
    body = await read_object(request, ctx.max_body)
    now = ctx.wall_clock()
    req = parse_send(body, default_region=ctx.default_region, now=now,
                     national_languages=ctx.national_languages, short_codes=ctx.allow_short_codes)
    idempotency_key = _idempotency_key(request)
    start = req.scheduled_at if req.scheduled_at is not None and req.scheduled_at > now else None
    try:
        new = [compose(to, req.text, sender=req.sender, references=ctx.references,
                       callback_url=req.callback_url, scheduled_at=start, validity=req.validity,
                       now=now, priority=req.priority,
                       policy=req.delivery_policy or request[KEY].get("delivery_policy") or ctx.policy,
                       national_languages=ctx.national_languages) for to in req.to]
    except PduError as exc:
        raise invalid(None, f"the message cannot be encoded: {exc}") from None
    created = await ctx.store.create_messages(new, api_key_id=request[KEY]["id"],
                                              idempotency_key=idempotency_key)
    if created.replayed and not req.same_as(created.messages):
        raise invalid("Idempotency-Key", "this Idempotency-Key was already used with a different "
                                         "request; use a new key for a new request")
    if not created.replayed:
        ctx.on_accepted()
    by_number = {row["to_number"]: row for row in created.messages}
    shown = [views.message(by_number[number]) for number in req.to]
    request[LOGGED]["message"] = ",".join(m["id"] for m in shown)
    headers = {"Idempotent-Replayed": "true"} if created.replayed else {}
    return web.json_response({"data": shown} if req.many else shown[0], headers=headers)


async def get(request: web.Request) -> web.Response:
    row = await _owned(request)
    return web.json_response(views.message(row, parts=row["parts"]))


async def cancel(request: web.Request) -> web.Response:
    row = await _owned(request)
    store = context(request).store
    status = await store.cancel_message(row["id"])
    if status != "cancelled":
        raise invalid(None, f"message {row['id']} is {status}: only a queued message none of whose "
                            f"parts has been handed to a modem can be cancelled")
    row = await store.get_message(row["id"])
    assert row is not None  # messages are never deleted
    return web.json_response(views.message(row, parts=row["parts"]))


async def listing(request: web.Request) -> web.Response:
    ctx = context(request)
    params = query.single(request.query, LIST_PARAMS)
    status = params.get("status")
    if status is not None and status not in STATUSES:
        raise invalid("status", f"status must be one of {', '.join(STATUSES)}")
    if params.get("direction", "outbound") != "outbound":
        raise invalid("direction", "only outbound messages are listed here; received messages "
                                   "are at GET /v1/inbound")
    to = recipient(params["to"], "to", ctx.default_region,
                   short_codes=ctx.allow_short_codes) if "to" in params else None
    size = query.limit(params)
    # This key's messages and those sent without a key, newest first.
    rows = await ctx.store.list_messages(status=status, to=to, since=query.time(params, "created_since"),
                                         until=query.time(params, "created_until"),
                                         after=query.after(params, "msg"), limit=size + 1,
                                         api_key_id=request[KEY]["id"])
    return web.json_response(query.page([views.message(r) for r in rows], size))


async def preview_text(request: web.Request) -> web.Response:
    ctx = context(request)
    query.single(request.query, set())
    body = await read_object(request, ctx.max_body)
    reject_unknown(body, {"text"})
    text = body.get("text")
    if not isinstance(text, str) or not text:
        raise invalid("text", "text is required: a non-empty string")
    try:
        p = preview(text, ctx.national_languages)
    except PduError as exc:
        raise invalid("text", f"text cannot be sent: {exc}") from None
    return web.json_response({"encoding": p.encoding, "segments": p.segments,
                              "remaining": p.remaining, "per_segment": p.per_segment,
                              "ucs2_characters": list(p.ucs2_characters)})


def _idempotency_key(request: web.Request) -> str | None:
    value = request.headers.get("Idempotency-Key")
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_IDEMPOTENCY_KEY or not all(" " <= c <= "~" for c in value):
        raise invalid("Idempotency-Key", f"the Idempotency-Key header must be 1 to "
                                         f"{MAX_IDEMPOTENCY_KEY} printable ASCII characters")
    return value


async def _owned(request: web.Request) -> dict:
    query.single(request.query, set())
    message_id = request.match_info["id"]
    row = await context(request).store.get_message(message_id)
    if row is None:
        raise ApiError("not_found", f"no message {message_id}")
    if row["api_key_id"] not in (None, request[KEY]["id"]):
        raise ApiError("forbidden", f"message {message_id} was sent with another API key")
    request[LOGGED]["message"] = message_id
    return row
