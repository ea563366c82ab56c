"""The aiohttp application: routes, middlewares and settings."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from ..core import Core, Settings
from ..core.ratelimit import RateLimiter
from ..sms import ConcatReferences
from ..store import Store
from . import gateway, messages
from .context import CONTEXT, Context
from ..web.edge import CORE
from .middleware import authenticate, respond

MAX_BODY = 256 * 1024

ROUTES = (
    ("GET", "/healthz", gateway.healthz),
    ("GET", "/readyz", gateway.readyz),
    ("GET", "/v1/openapi.json", gateway.openapi),
    ("POST", "/v1/messages", messages.send),
    ("GET", "/v1/messages", messages.listing),
    ("POST", "/v1/messages/preview", messages.preview_text),
    ("GET", "/v1/messages/{id}", messages.get),
    ("DELETE", "/v1/messages/{id}", messages.cancel),
    ("GET", "/v1/inbound", gateway.inbound),
    ("GET", "/v1/modems", gateway.modems),
    ("GET", "/v1/nodes", gateway.nodes),
    ("GET", "/v1/events", gateway.events),
    ("GET", "/metrics", gateway.metrics),
)


async def _no_metrics() -> str:
    return ""


def create_app(store: Store, *, modems: Callable[[], list[dict]] = lambda: [],
               references: ConcatReferences, default_region: str | None = None,
               allow_short_codes: bool = False,
               rate_limit: int = 600, max_body: int = MAX_BODY,
               national_languages: tuple[str, ...] | list[str] = (),
               policy: str = "at_most_once", on_accepted: Callable[[], None] = lambda: None,
               metrics: Callable[[], Awaitable[str]] | None = None,
               clock: Callable[[], float] = time.monotonic,
               wall_clock: Callable[[], float] = time.time, core: Core | None = None) -> web.Application:
    """`rate_limit` is requests per minute per API key; `clock` drives the rate limiter.
    With `core`, the one every edge shares (its settings win over the ones here)."""
    if core is None:
        core = Core(store, references=references, limiter=RateLimiter(rate_limit), on_accepted=on_accepted,
                    settings=Settings(default_region=default_region, allow_short_codes=allow_short_codes,
                                      national_languages=tuple(national_languages), policy=policy),
                    clock=clock, wall_clock=wall_clock)
    app = web.Application(middlewares=[respond, authenticate], client_max_size=max_body)
    app[CORE] = core                      # for the dialects' sub-applications
    app[CONTEXT] = Context(
        core=core, store=store, modems=modems, max_body=max_body, metrics=metrics or _no_metrics)
    for method, path, handler in ROUTES:
        # No automatic HEAD: the router holds exactly the documented operations.
        app.router.add_route(method, path, handler)
    return app
