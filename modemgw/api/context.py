"""What the handlers share: the core (whose settings are the sending settings), the store,
the modems' state and the app's settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from ..core import Core
from ..store import Store
from ..web.edge import KEY, RATE  # noqa: F401


@dataclass(frozen=True)
class Context:
    core: Core
    store: Store                          # reads the core does not cover yet (inbound, events)
    modems: Callable[[], list[dict]]
    max_body: int
    metrics: Callable[[], Awaitable[str]]  # the Prometheus text for /metrics


CONTEXT = web.AppKey("modemgw.api", Context)
# KEY and RATE are the dialects' too (web/edge.py): the request's log line names the key either way.
LOGGED = web.RequestKey("modemgw.api.logged", dict)           # fields for the request's log line


def context(request: web.Request) -> Context:
    return request.app[CONTEXT]
