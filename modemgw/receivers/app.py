"""What the receivers share on the HTTP side: credentials, recipients in the URL, the
answer and the error shape (`{"error": {"code", "message"}}`, as the native API's).

A receiver answers as soon as its SMS are committed to the queue: 200 for a notification
taken (queued, held back, a repeat, a resolved notice not wanted); 4xx for one that
never will be (its sender should not retry it, and Alertmanager and Grafana do not);
5xx for a fault on this side, which they retry.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

from aiohttp import web

from ..core import (CoreError, Forbidden, Invalid, NoCapacity, NotFound, RateLimited, Unauthenticated,
                    Unavailable)
from ..web.edge import admit, bearer, core_of
from .desk import Address, Desk, Outcome

log = logging.getLogger("modemgw.receivers")

DESK = web.AppKey("modemgw.receivers.desk", Desk)
MAX_BODY = 256 * 1024        # the gateway's own request limit; docs/alerting.md suggests max_alerts
CHALLENGE = {"WWW-Authenticate": 'Basic realm="modemgw"'}

ERRORS: dict[type[CoreError], tuple[int, str]] = {
    Invalid: (400, "invalid_request"),
    Unauthenticated: (401, "authentication_failed"),
    Forbidden: (403, "forbidden"),
    NotFound: (404, "not_found"),
    RateLimited: (429, "rate_limit_exceeded"),
    NoCapacity: (503, "no_capacity"),
    Unavailable: (503, "server_error"),      # the database cannot be reached: try again
}


def render(err: CoreError) -> web.Response:
    status, code = ERRORS.get(type(err), (500, "server_error"))
    return web.json_response({"error": {"code": code, "message": err.message}}, status=status,
                             headers=CHALLENGE if status == 401 else None)


def desk_of(request: web.Request) -> Desk:
    return request.config_dict[DESK]


async def authenticate(request: web.Request) -> dict:
    """A modemgw API key as a Bearer token (Alertmanager's `authorization`, Grafana's
    Authorization header, a header in Home Assistant), or as the password of HTTP Basic
    (their `basic_auth`/username and password; the user name is not checked)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return await bearer(request)
    try:
        user, _, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("the Basic credentials are not base64 of user:password") from None
    token = password or user
    return await admit(request, await core_of(request).authenticate(token))


def url_addresses(request: web.Request) -> list[Address]:
    """`?to=` and `?group=` of the receiver URL (repeated, or comma-separated).

    Read from the raw query with "+" kept: an operator writes `?to=+4477...` in
    alertmanager.yml, where form decoding would turn the "+" into a space."""
    out = []
    for pair in request.rel_url.raw_query_string.split("&"):
        name, _, value = pair.partition("=")
        if name in ("to", "group"):
            try:
                value = unquote(value, errors="strict")
            except UnicodeDecodeError:
                raise Invalid(name, f"{name} has a percent-escape that is not UTF-8") from None
            out.append(Address(name, value, groups_only=name == "group"))
    return out


def answer(outcome: Outcome) -> web.Response:
    return web.json_response({
        "status": outcome.result.value,
        "messages": [{"id": m["id"], "to": m["to_number"], "segments": m["segments"]} for m in outcome.messages],
        "held": list(outcome.held)})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def counted(receiver: str, handler: Handler) -> Handler:
    """Refusals and faults are reported too: an alert that was never taken shows in
    /metrics and in the console, with the reason."""
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except CoreError as err:
            refused(request, receiver, err.message)
            raise
        except web.HTTPException as exc:
            if 400 <= exc.status < 500:        # aiohttp's own refusals (a body too large)
                refused(request, receiver, exc.reason)
            else:
                desk_of(request).report.error(receiver, exc)
            raise
        except Exception as exc:               # answered 500 by the edge's middleware, which logs it
            desk_of(request).report.error(receiver, exc)
            raise
    return wrapped


def refused(request: web.Request, receiver: str, why: str) -> None:
    desk_of(request).report.refused(receiver, why)
    log.warning("alert receiver=%s refused: %s", receiver, why)

