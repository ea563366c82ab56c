"""The operator's web console, served by the gateway under /console: modems, queue,
messages, inbox, webhook outbox, the alert receivers, a send form with a live preview,
and API keys, on plain HTML pages (Jinja2 templates, one small script, no build step)
that update themselves from the event log by server-sent events.

It is an edge like the API: what it shows comes from the core (`Core`, and reads of
`core.store`), and what it changes it changes through the core (send, keys, webhook
retry), so it decides nothing the API would decide otherwise. Off unless `[console]
enabled`, and then, unless `remote`, for loopback clients only (docs/console.md says
why); the gateway imports it only when enabled, so a gateway without it pays nothing.

    app.add_subapp(PREFIX, create_app(core, ConsoleSettings()))
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from aiohttp import web
from yarl import URL

from ..core import Core, CoreError, Forbidden, Invalid, NotFound, RateLimited, Unauthenticated
from ..core.ratelimit import RateLimiter
from ..web.edge import errors
from . import auth, login, sse, views
from .render import PREFIX, Pages
from .state import ACTOR, STATE, ConsoleSettings, State, state_of

__all__ = ["PREFIX", "ConsoleSettings", "create_app"]

# Nothing but this origin's own files: no inline script or style, no frames, no plugins.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
PUBLIC = frozenset({"login_form", "login", "static"})      # routes open without a session

ROUTES = (
    ("GET", "", views.modems, "home"),
    ("GET", "/", views.modems, "index"),
    ("GET", "/modems", views.modems, "modems"),
    ("GET", "/queue", views.queue, "queue"),
    ("GET", "/alerts", views.alerts, "alerts"),
    ("GET", "/messages", views.messages, "messages"),
    ("GET", "/messages/{id}", views.message, "message"),
    ("GET", "/inbox", views.inbox, "inbox"),
    ("GET", "/outbox", views.outbox, "outbox"),
    ("POST", "/outbox/{id}/retry", views.retry, "retry"),
    ("GET", "/send", views.send_form, "send_form"),
    ("POST", "/send", views.send, "send"),
    ("POST", "/preview", views.preview, "preview"),
    ("GET", "/keys", views.keys, "keys"),
    ("POST", "/keys", views.create_key, "create_key"),
    ("POST", "/keys/{id}/revoke", views.revoke_key, "revoke_key"),
    ("GET", "/events", sse.events, "events"),
    ("GET", "/login", login.login_form, "login_form"),
    ("POST", "/login", login.login, "login"),
    ("POST", "/logout", login.logout, "logout"),
    ("GET", "/static/{name}", views.static, "static"),
)

_STATUS = ((Invalid, 400), (Unauthenticated, 401), (Forbidden, 403), (NotFound, 404), (RateLimited, 429))


def create_app(core: Core, settings: ConsoleSettings = ConsoleSettings()) -> web.Application:
    pages = Pages()
    state = State(core=core, settings=settings, pages=pages, sessions=auth.Sessions(time.time),
                  logins=RateLimiter(settings.login_attempts))

    def render(err: CoreError) -> web.Response:
        status = next((code for kind, code in _STATUS if isinstance(err, kind)), 500)
        return pages.page("error.html", status, title="Error", message=err.message)

    app = web.Application(middlewares=[errors(render, rate_headers=False), _guard, _session])
    app[STATE] = state
    for method, path, handler, name in ROUTES:
        app.router.add_route(method, path, handler, name=name)
    app.on_response_prepare.append(_headers)
    app.cleanup_ctx.append(_sampler)
    app.on_shutdown.append(_closing)
    return app


@web.middleware
async def _guard(request: web.Request, handler) -> web.StreamResponse:
    if not state_of(request).settings.remote and not auth.is_loopback(request.remote):
        raise Forbidden("the console answers only on this machine: open it through an SSH tunnel, "
                        "or set [console] remote = true")
    return await handler(request)


@web.middleware
async def _session(request: web.Request, handler) -> web.StreamResponse:
    route = request.match_info.route
    if getattr(request.match_info, "http_exception", None) is not None or route.name in PUBLIC:
        return await handler(request)
    state = state_of(request)
    actor = await state.sessions.actor(request, state.core)
    if actor is None:
        if request.method == "GET" and route.name != "events":
            login_page = URL(f"{PREFIX}/login").with_query(next=request.path_qs)
            return web.Response(status=303, headers={"Location": str(login_page)})
        raise Unauthenticated("the session has ended: log in again")
    if request.method == "POST":
        await auth.check_csrf(request, actor.session.csrf)
    request[ACTOR] = actor
    return await handler(request)


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")


async def _sampler(app: web.Application) -> AsyncIterator[None]:
    state = app[STATE]
    task = asyncio.create_task(state.history.run(state.core.modems, state.settings.sample_every, state.pulse),
                               name="console-modems")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _closing(app: web.Application) -> None:
    # Live pages end their streams now, or stopping the gateway would wait for them.
    app[STATE].closing.set()
    app[STATE].pulse.fire()
