"""/v1/messages: send, look up, list, cancel, and preview the encoding of a text.

A key sees and cancels the messages sent with it; another key's message is
`forbidden` (ids are unguessable, so saying that it exists reveals nothing).
"""

from __future__ import annotations

from aiohttp import web

from ..sms import PduError, preview
from . import query, views
from ..web.body import read_object, reject_unknown
from .context import KEY, LOGGED, context
from .errors import invalid
from .validation import parse_send

STATUSES = ("queued", "sent", "delivered", "failed", "expired", "cancelled")
LIST_PARAMS = {"status", "to", "direction", "created_since", "created_until", "limit", "cursor"}
MAX_IDEMPOTENCY_KEY = 255


async def send(request: web.Request) -> web.Response:
    ctx = context(request)
    query.single(request.query, set())
    body = await read_object(request, ctx.max_body)
    submission, many = parse_send(body, idempotency_key=_idempotency_key(request))
    accepted = await ctx.core.send(submission, key=request[KEY])
    shown = [views.message(row) for row in accepted.messages]
    request[LOGGED]["message"] = ",".join(m["id"] for m in shown)
    headers = {"Idempotent-Replayed": "true"} if accepted.replayed else {}
    return web.json_response({"data": shown} if many else shown[0], headers=headers)


async def get(request: web.Request) -> web.Response:
    row = await _owned(request)
    return web.json_response(views.message(row, parts=row["parts"]))


async def cancel(request: web.Request) -> web.Response:
    query.single(request.query, set())
    row = await context(request).core.cancel(request.match_info["id"], key=request[KEY])
    request[LOGGED]["message"] = row["id"]
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
    to = ctx.core.number(params["to"], "to") if "to" in params else None
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
        p = preview(text, ctx.core.settings.national_languages)
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
    row = await context(request).core.get(request.match_info["id"], key=request[KEY])
    request[LOGGED]["message"] = row["id"]
    return row
