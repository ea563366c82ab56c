"""Prometheus Alertmanager's webhook receiver: `POST /v1/integrations/alertmanager`.

Configured as a `webhook_config` (docs/alerting.md): the URL names the recipients
(`?to=+447700900123,+4915123456789` or `?group=oncall`), or the alerts do (an `sms_to`
label or annotation); `http_config.authorization.credentials` (or `basic_auth.password`)
is a modemgw API key. Each notification becomes one SMS per number: the configured
template, within `[integrations] segments` parts.
"""

from __future__ import annotations

from aiohttp import web

from ..web.body import read_object
from . import alerts
from .app import MAX_BODY, answer, authenticate, desk_of, url_addresses
from .desk import Address, Notice

NAME = "alertmanager"


async def receive(request: web.Request) -> web.Response:
    key = await authenticate(request)
    return await take(request, NAME, key)


async def take(request: web.Request, receiver: str, key: dict) -> web.Response:
    """An Alertmanager-shaped notification (Alertmanager's own, or Grafana's) to SMS."""
    desk = desk_of(request)
    notification = alerts.parse(await read_object(request, MAX_BODY))
    addresses = url_addresses(request) + [Address(alerts.ADDRESS, a) for a in notification.addresses()]
    numbers, refused = desk.numbers(addresses)
    desk.require(receiver, numbers, refused)
    settings = desk.settings
    body = notification.sms(settings.template, settings.segments, desk.core.settings.national_languages)
    outcome = await desk.deliver(Notice(
        receiver=receiver, text=body, numbers=numbers, identity=notification.identity(),
        topic=notification.topic(), resolved=notification.status is alerts.Status.RESOLVED), key)
    return answer(outcome)
