"""Every request: one log line, errors in the contract's shape, then API key and rate limit."""

from __future__ import annotations

import itertools
import logging
import secrets
import time

from aiohttp import web

from .context import KEY, LOGGED, RATE
from ..core import CoreError, core_error
from ..web.edge import bearer
from .errors import ApiError, error_response, from_core, from_http, invalid

log = logging.getLogger("modemgw.api")

PUBLIC = frozenset({"/healthz", "/readyz", "/v1/openapi.json"})
# Request ids: a random prefix per process and a counter. They name a request in the
# log; nothing is protected by their being hard to guess.
_PREFIX = secrets.token_hex(3)
_COUNTER = itertools.count(1)


def request_id() -> str:
    return f"{_PREFIX}{next(_COUNTER) & 0xFFFFFF:06x}"


@web.middleware
async def respond(request: web.Request, handler) -> web.StreamResponse:
    started = time.perf_counter()
    rid = request_id()
    path = request.rel_url.raw_path    # still percent-encoded: a decoded %0A would forge a log line
    request[LOGGED] = {}
    try:
        response = await handler(request)
    except ApiError as err:
        response = error_response(err)
    except CoreError as err:
        response = error_response(from_core(err))
    except web.HTTPException as exc:
        response = error_response(from_http(exc, request))
    except ConnectionError:
        # The client left, or the server closed the connection (api/server.py): nobody
        # reads this answer, and it is no fault of the gateway's.
        response = error_response(invalid("body", "the connection closed before the request was read"))
    except Exception as exc:
        core = core_error(exc)
        if core is not None:
            log.warning("request=%s method=%s path=%s refused: %s", rid, request.method, path, core)
            response = error_response(from_core(core))
        else:
            log.exception("request=%s method=%s path=%s failed", rid, request.method, path)
            response = error_response(ApiError(
                "server_error", f"internal error; the gateway's log has the details (request {rid})"))
    response.headers["X-Request-Id"] = rid
    rate = request.get(RATE)
    if rate is not None:
        response.headers.update(rate.headers())
    key = request.get(KEY)
    fields = " ".join(f"{k}={v}" for k, v in request[LOGGED].items())
    # The key's id, never the key: the Authorization header is not logged at all.
    log.info("request=%s method=%s path=%s status=%d ms=%.1f key=%s%s", rid, request.method,
             path, response.status, (time.perf_counter() - started) * 1000,
             key["id"] if key else "-", " " + fields if fields else "")
    return response


@web.middleware
async def authenticate(request: web.Request, handler) -> web.StreamResponse:
    if getattr(request.match_info, "http_exception", None) is not None:
        return await handler(request)     # no such route: not_found, whoever asks
    if len(request.match_info.apps) > 1:
        return await handler(request)     # a dialect's sub-application: it has its own credentials
    resource = request.match_info.route.resource
    if resource is not None and resource.canonical in PUBLIC:
        return await handler(request)
    await bearer(request)
    return await handler(request)
