"""What the handlers share: the store, the modems' state and the app's settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from ..sms import ConcatReferences
from ..store import Store
from .ratelimit import Decision, RateLimiter


@dataclass(frozen=True)
class Context:
    store: Store
    modems: Callable[[], list[dict]]
    references: ConcatReferences
    default_region: str | None
    allow_short_codes: bool             # national short codes, sent as given
    national_languages: tuple[str, ...]
    policy: str
    max_body: int
    limiter: RateLimiter
    clock: Callable[[], float]            # monotonic, for the rate limiter
    wall_clock: Callable[[], float]       # epoch seconds, for creation and scheduling
    on_accepted: Callable[[], None]       # new messages are committed: wake the dispatcher
    metrics: Callable[[], Awaitable[str]]  # the Prometheus text for /metrics


CONTEXT = web.AppKey("modemgw.api", Context)
KEY = web.RequestKey("modemgw.api.key", dict)                 # the authenticated API key's row
RATE = web.RequestKey("modemgw.api.rate", Decision)           # its rate-limit state
LOGGED = web.RequestKey("modemgw.api.logged", dict)           # fields for the request's log line


def context(request: web.Request) -> Context:
    return request.app[CONTEXT]
