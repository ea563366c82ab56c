"""One handler per page: each asks the core, and renders a template with what it got.

Reads the core has no operation for (listings, the queue, the outbox) go through
`core.store`, read-only; everything that changes state (send, keys, retry) is a core call.
"""

from __future__ import annotations

import calendar
import json
import time

from aiohttp import web

from ..core import Invalid, NotFound, Submission
from ..sms import Outcome, PduError, interpret_status, preview as preview_of
from . import alerts as alerts_page, history
from .render import PREFIX, local
from .state import ACTOR, state_of

PAGE = 50
STATUSES = ("queued", "sent", "delivered", "failed", "expired", "cancelled")
# TP-ST of a status report in words, for the parts table: read by `sms.interpret_status`,
# as the dispatcher reads it (3GPP TS 23.040 section 9.2.3.15; a reserved value counts as
# "service rejected"), so the page says what the part's status was decided from.
REPORT_WORDS = {Outcome.DELIVERED: "delivered", Outcome.PENDING: "still trying",
                Outcome.FAILED_PERMANENT: "failed", Outcome.FAILED_TEMPORARY: "failed, SC stopped trying"}


def report_kind(tp_st: int | None) -> str:
    if tp_st is None:
        return ""
    outcome, reason = interpret_status(tp_st)
    return f"{REPORT_WORDS[outcome]} ({reason})"


async def show(request: web.Request, template: str, status: int = 200, **values: object) -> web.Response:
    state = state_of(request)
    actor = request[ACTOR]
    return state.pages.page(template, status, csrf=actor.session.csrf, who=actor.key["name"],
                            cursor=await state.core.store.last_event_cursor(), now=time.time(),
                            path=request.path, **values)


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


async def static(request: web.Request) -> web.Response:
    return state_of(request).pages.file(request.match_info["name"])


# -- modems and queue ----------------------------------------------------------------

async def modems(request: web.Request) -> web.Response:
    state = state_of(request)
    rows = state.core.modems()
    if state.history.sample(rows):      # fresher than the sampler's last look: tell the other pages
        state.pulse.fire()
    return await show(request, "modems.html", title="Modems", modems=rows,
                      sparkline={n: history.sparkline(r) for n, r in state.history.readings.items()},
                      changes={n: list(reversed(c)) for n, c in state.history.changes.items()})


async def queue(request: web.Request) -> web.Response:
    store = state_of(request).core.store
    return await show(request, "queue.html", title="Queue", summary=await store.queue_summary(),
                      waiting=await store.waiting_parts(), counts=await store.counts())


async def alerts(request: web.Request) -> web.Response:
    return await show(request, "alerts.html", title="Alerts", a=await alerts_page.gather(state_of(request).core))


# -- messages ------------------------------------------------------------------------

def _day(value: str, field: str) -> float | None:
    """A date field (YYYY-MM-DD, as <input type=date> sends it): its start, UTC."""
    if not value:
        return None
    try:
        return float(calendar.timegm(time.strptime(value, "%Y-%m-%d")))
    except ValueError:
        raise Invalid(field, f"{field} must be a date, YYYY-MM-DD") from None


async def messages(request: web.Request) -> web.Response:
    core = state_of(request).core
    q = {k: request.query.get(k, "").strip() for k in ("to", "status", "since", "until", "after")}
    error, rows = None, []
    try:
        to = core.number(q["to"], "to") if q["to"] else None
        if q["status"] and q["status"] not in STATUSES:
            raise Invalid("status", f"status must be one of {', '.join(STATUSES)}")
        since, until = _day(q["since"], "since"), _day(q["until"], "until")
        rows = await core.store.list_messages(
            status=q["status"] or None, to=to, since=since,
            until=None if until is None else until + 86400, after=q["after"] or None, limit=PAGE + 1)
    except Invalid as exc:
        error = exc.message
    more = rows[PAGE - 1]["id"] if len(rows) > PAGE else None
    return await show(request, "messages.html", 400 if error else 200, title="Messages", q=q,
                      statuses=STATUSES, messages=rows[:PAGE], more=more, error=error)


async def message(request: web.Request) -> web.Response:
    core = state_of(request).core
    row = await core.message(request.match_info["id"])
    events = await core.store.message_events(row["id"])
    for e in events:
        e["data"] = json.loads(e["data"])
    return await show(request, "message.html", title=f"Message {row['id']}", m=row, events=events,
                      deliveries=await core.store.webhook_deliveries(message_id=row["id"]),
                      report_kind=report_kind)


async def inbox(request: web.Request) -> web.Response:
    store = state_of(request).core.store
    after = request.query.get("after") or None
    rows = await store.list_inbound(after=after, limit=PAGE + 1)
    more = rows[PAGE - 1]["id"] if len(rows) > PAGE else None
    return await show(request, "inbox.html", title="Inbox", inbound=rows[:PAGE], more=more,
                      paged=after is not None)


# -- webhook outbox ------------------------------------------------------------------

async def outbox(request: web.Request) -> web.Response:
    store = state_of(request).core.store
    return await show(request, "outbox.html", title="Webhook outbox", counts=await store.counts(),
                      failing=await store.webhook_deliveries(failing=True, limit=PAGE))


async def retry(request: web.Request) -> web.Response:
    await state_of(request).core.retry_webhook(_number(request.match_info["id"], "delivery"))
    return redirect(local((await request.post()).get("back"), PREFIX + "/outbox"))


def _number(text: str, what: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise NotFound(f"no {what} {text}")
    return int(text)


# -- sending -------------------------------------------------------------------------

SEND_FIELDS = ("to", "text", "from", "callback_url")


async def send_form(request: web.Request) -> web.Response:
    return await show(request, "send.html", title="Send", form=dict.fromkeys(SEND_FIELDS, ""), error=None)


async def send(request: web.Request) -> web.Response:
    state = state_of(request)
    actor = request[ACTOR]
    posted = await request.post()
    form = {k: str(posted.get(k, "")) for k in SEND_FIELDS}
    numbers = tuple(n.strip() for n in form["to"].replace("\n", ",").split(",") if n.strip())
    try:
        if not numbers:
            raise Invalid("to", "to is required: one or more phone numbers, separated by commas")
        await state.core.take(actor.key)
        accepted = await state.core.send(Submission(
            to=numbers, text=form["text"] or None, sender=form["from"].strip() or None,
            callback_url=form["callback_url"].strip() or None, to_is_list=len(numbers) > 1,
            names={"sender": "from"}), key=actor.key)
    except Invalid as exc:
        return await show(request, "send.html", 400, title="Send", form=form, error=exc.message)
    rows = accepted.messages
    return redirect(f"{PREFIX}/messages/{rows[0]['id']}" if len(rows) == 1 else f"{PREFIX}/messages")


async def preview(request: web.Request) -> web.Response:
    """What the text costs: encoding, segments, the characters that force UCS-2."""
    text = (await request.post()).get("text", "")
    if not isinstance(text, str):
        raise Invalid("text", "text must be text")
    try:
        p = preview_of(text, state_of(request).core.settings.national_languages)
    except PduError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response({"encoding": p.encoding, "segments": p.segments, "remaining": p.remaining,
                              "per_segment": p.per_segment, "ucs2_characters": list(p.ucs2_characters),
                              "characters": len(text)})


# -- API keys ------------------------------------------------------------------------

async def keys(request: web.Request) -> web.Response:
    return await show(request, "keys.html", title="API keys", keys=await state_of(request).core.keys(),
                      error=None)


async def create_key(request: web.Request) -> web.Response:
    core = state_of(request).core
    posted = await request.post()
    try:
        created = await core.create_key(posted.get("name", ""), delivery_policy=posted.get("policy") or None)
    except Invalid as exc:
        return await show(request, "keys.html", 400, title="API keys", keys=await core.keys(),
                          error=exc.message)
    # Shown in this answer only: nothing that could show it again is kept.
    return await show(request, "key_created.html", title="New API key", k=created)


async def revoke_key(request: web.Request) -> web.Response:
    await state_of(request).core.revoke_key(_number(request.match_info["id"], "key"))
    return redirect(f"{PREFIX}/keys")
