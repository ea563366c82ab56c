"""What every dialect's sub-application does the same way: find the core, authenticate,
count the request against the key's rate limit, and turn whatever goes wrong into the
dialect's own error shape (never a 500 page, never a traceback to the client).

A dialect supplies one function, `render(error) -> web.Response`, for core errors; aiohttp's
own refusals (no such route, wrong method, body too large) arrive there as core errors too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from ..core import Core, CoreError, Invalid, NotFound, RateLimited, Unauthenticated, Unavailable, core_error
from ..core.ratelimit import Decision

log = logging.getLogger("modemgw.api")

CORE = web.AppKey("modemgw.core", Core)
KEY = web.RequestKey("modemgw.edge.key", dict)                 # the authenticated key's row
RATE = web.RequestKey("modemgw.edge.rate", Decision)           # its rate-limit state

Render = Callable[[CoreError], web.Response]


class ServerFault(CoreError):
    """Something failed inside the gateway; the log has the details."""


def core_of(request: web.Request) -> Core:
    return request.config_dict[CORE]


def errors(render: Render, *, rate_headers: bool = True) -> Callable:
    """The dialect's outermost middleware."""
    @web.middleware
    async def middleware(request: web.Request, handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except CoreError as err:
            response = _rendered(render, err)
        except web.HTTPException as exc:
            response = render(_from_http(exc, request))
        except ConnectionError:
            response = render(Invalid("body", "the connection closed before the request was read"))
        except Exception as exc:
            err = core_error(exc)
            if err is None:
                log.exception("method=%s path=%s failed", request.method, request.rel_url.raw_path)
                err = ServerFault("internal error; the gateway's log has the details")
            else:
                log.warning("method=%s path=%s refused: %s", request.method, request.rel_url.raw_path, err)
            response = _rendered(render, err)
        decision = request.get(RATE)
        if rate_headers and decision is not None:
            response.headers.update(decision.headers())
        return response
    return middleware


def _rendered(render: Render, err: CoreError) -> web.Response:
    response = render(err)
    if isinstance(err, (RateLimited, Unavailable)):
        response.headers["Retry-After"] = str(err.retry_after)
    return response


def _from_http(exc: web.HTTPException, request: web.Request) -> CoreError:
    if exc.status in (404, 405):
        return NotFound(f"no route {request.method} {request.path}")
    if exc.status == 413:
        return Invalid("body", "the request body is too large")
    if 400 <= exc.status < 500:
        return Invalid(None, exc.reason or "invalid request")
    return ServerFault("internal error")


async def admit(request: web.Request, key: dict) -> dict:
    """The key is known: count the request against its rate limit (RateLimited if over).
    The key is the request's before it is counted, so that a refused request's log line
    names it too."""
    request[KEY] = key
    try:
        request[RATE] = await core_of(request).take(key)
    except RateLimited as err:
        request[RATE] = err.decision     # type: ignore[assignment]
        raise
    return key


async def bearer(request: web.Request) -> dict:
    """An `Authorization: Bearer <modemgw key>` request's key, admitted."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("an API key is needed: Authorization: Bearer <key>")
    return await admit(request, await core_of(request).authenticate(token.strip()))


def sub_app(render: Render, routes: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]],
            *, rate_headers: bool = True) -> web.Application:
    app = web.Application(middlewares=[errors(render, rate_headers=rate_headers)])
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app
