"""Home Assistant: its `rest` notify platform sends SMS through
`/v1/integrations/homeassistant`, and received SMS go to an HA webhook.

The `rest` platform (homeassistant/components/rest/notify.py) sends `{message_param_name:
message}`, plus the title under `title_param_name` (HA's "Home Assistant" when the call
has none) and the *first* target under `target_param_name` when those are configured,
plus the `data:` of its configuration; as a query string (`method: GET`, the default),
a form (`POST`) or JSON (`POST_JSON`). docs/home-assistant.md configures them as
`message`, `title` and `target`; a target is numbers or group names, comma-separated
(HA passes on only the first of a list). `?to=`/`?group=` in the resource URL (or HA's
`params:`) name recipients too. Credentials: a modemgw API key as the password of
`username`/`password` (Basic; HA's digest is not offered), or an `Authorization: Bearer`
header under `headers:`.

Inbound: with `[integrations.homeassistant] inbound_webhook` set, each received SMS is
POSTed there as JSON (`InboundWebhook`), for an automation's webhook trigger.
"""

from __future__ import annotations

import hashlib
import json

from aiohttp import web

from ..core import Invalid
from ..web.body import read_object
from ..webhooks.formats import NATIVE, Delivery, Outgoing, snapshot
from . import text
from .app import MAX_BODY, answer, authenticate, desk_of, url_addresses
from .desk import Address, Notice

NAME = "homeassistant"
FORM = "application/x-www-form-urlencoded"
RECIPIENTS = ("target", "to", "group")


async def receive(request: web.Request) -> web.Response:
    key = await authenticate(request)
    desk = desk_of(request)
    fields = await _fields(request)
    message = _one(fields, "message")
    if not message or not message.strip():
        raise Invalid("message", "message is required (the rest notify platform's message_param_name)")
    title = _one(fields, "title")
    addresses = url_addresses(request) + [Address(name, v, groups_only=name == "group")
                                          for name in RECIPIENTS for v in fields.get(name, ())]
    numbers, refused = desk.numbers(addresses)
    desk.require(NAME, numbers, refused)
    full = f"{title.strip()}: {message.strip()}" if title and title.strip() else message.strip()
    body = text.cut(full, desk.settings.segments, desk.core.settings.national_languages)
    outcome = await desk.deliver(Notice(
        receiver=NAME, text=body, numbers=numbers, identity=hashlib.sha256(full.encode()).hexdigest(),
        topic=(title or "").strip() or "Home Assistant"), key)
    return answer(outcome)


async def _fields(request: web.Request) -> dict[str, list[str]]:
    """The request's parameters as lists of strings: the query of a GET (its `to` and
    `group` are read raw, with the URL's), a form or a JSON object."""
    if request.method == "GET":
        return _lists([(k, v) for k, v in request.query.items() if k not in ("to", "group")])
    kind = request.content_type
    if kind == "application/json":
        return _lists(list((await read_object(request, MAX_BODY)).items()))
    if kind == FORM:
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise Invalid("body", f"the request body is larger than {MAX_BODY} bytes")
        try:
            return _lists(list((await request.post()).items()))
        except UnicodeDecodeError:
            raise Invalid("body", "the request body is not UTF-8") from None
    raise Invalid("body", f"a body of Content-Type {kind} cannot be read: the rest notify platform "
                          f"sends {FORM} (POST) or application/json (POST_JSON)")


def _lists(pairs: list[tuple[str, object]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        if name not in ("message", "title", *RECIPIENTS):
            continue                  # what a `data:` block adds for other services
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            raise Invalid(name, f"{name} must be text (or a list of texts)")
        out.setdefault(name, []).extend(values)    # type: ignore[arg-type]
    return out


def _one(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name, [])
    if len(values) > 1:
        raise Invalid(name, f"{name} is given {len(values)} times; which one was meant is a guess")
    return values[0] if values else None


class InboundWebhook:
    """`message.received` as the JSON an automation's webhook trigger reads
    (`trigger.json.from`, `trigger.json.text`); other events as the native webhooks."""

    def render(self, delivery: Delivery) -> Outgoing | None:
        if delivery.event != "message.received":
            return NATIVE.render(delivery)
        e = snapshot(delivery)
        body = {"event": "sms_received", "id": e["id"], "from": e["from"], "text": e["text"],
                "modem": e["modem"], "parts": e["parts"], "complete": e["complete"],
                "sent_at": e["sent_at"], "received_at": e["received_at"]}
        return Outgoing(json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"})


WEBHOOK_FORMAT = InboundWebhook()
