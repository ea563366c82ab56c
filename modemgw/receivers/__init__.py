"""Alert receivers: Prometheus Alertmanager, Grafana Alerting and Home Assistant post
to modemgw as they post to any webhook, and get SMS out of it.

Each is an edge with one route under `/v1/integrations/` that turns what its program
sends into a `Notice` (`alertmanager.py`, `grafana.py`, `homeassistant.py`); the `Desk`
they share expands groups, drops repeats, keeps each number within its limit and sums up
what it held back, and calls the core to queue the SMS. A receiver answers once its SMS
are committed, never after sending them. docs/alerting.md and docs/home-assistant.md are
the contract and the configuration.

    desk = Desk(core, config.integrations)
    root.add_subapp(PREFIX, create_app(desk))
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from ..web.edge import sub_app
from ..webhooks.formats import WebhookFormat
from . import alertmanager, grafana, homeassistant
from .app import DESK, counted, render
from .desk import Desk

PREFIX = "/v1/integrations"
RECEIVERS = {m.NAME: m.receive for m in (alertmanager, grafana, homeassistant)}
# Home Assistant has only POST, POST_JSON and GET (the rest platform's default).
METHODS = {"alertmanager": ("POST",), "grafana": ("POST", "PUT"), "homeassistant": ("GET", "POST")}
# Webhook formats, by the dialect name the store writes inbound deliveries with.
WEBHOOK_FORMATS: dict[str, WebhookFormat] = {homeassistant.NAME: homeassistant.WEBHOOK_FORMAT}

__all__ = ["DESK", "Desk", "PREFIX", "WEBHOOK_FORMATS", "create_app"]


def create_app(desk: Desk) -> web.Application:
    """A sub-application with a route for each enabled receiver (Grafana may be set to PUT)."""
    routes = [(method, f"/{name}", counted(name, RECEIVERS[name]))
              for name in desk.settings.enabled for method in METHODS[name]]
    app = sub_app(render, routes)
    app[DESK] = desk
    app.cleanup_ctx.append(_summaries)
    return app


async def _summaries(app: web.Application) -> AsyncIterator[None]:
    desk = app[DESK]
    task = asyncio.create_task(desk.run(), name="alert-summaries")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    desk.stopped()
