"""The HTTP server under the app: connections bounded in number and in time, and
requests aiohttp's parser refuses answered in the API's error shape.

A client keeps a connection only while it sends a request at a pace (the head
within `header_timeout` of connecting or of the request's first byte, the body
within `body_timeout` of the head) or for `keepalive_timeout` between requests.
At most `max_connections` are open: one more closes the connection that has
waited longest for its client (idle, then still sending a head or a body), and
when every connection has a whole request being handled, the newcomer's request
is answered 503 with `Retry-After`. Idle or slow clients cannot keep a working
client out. A request the parser refuses (a request line over 32 KiB or a header
over 8,190 bytes, not HTTP) is answered `400 invalid_request` in JSON that repeats
nothing of it, and logged as one line without its text or a traceback.

aiohttp builds its protocol object (`RequestHandler`) in `web.Server.__call__`
and has no option for the class: `GatewayRunner._make_server`, the hook through
which a runner makes the server it serves, returns a `web.Server` that builds
ours.
"""

from __future__ import annotations

import asyncio
import logging
import math
import resource
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import StreamReader, web
from aiohttp.http_exceptions import LineTooLong

from .. import logs
from .errors import ApiError, error_response, invalid
from .middleware import request_id

log = logging.getLogger("modemgw.api")

MAX_LINE = 8190            # aiohttp's default for each header
# The request line holds the whole query string, where the older SMS APIs take their text:
# Voximplant's 1,600 characters, percent-encoded UTF-8, are up to 19,200 bytes.
MAX_REQUEST_LINE = 32 * 1024
SPARE_FILES = 64           # descriptors besides connections: database, modems, webhooks
REPORT_EVERY = 60.0        # seconds between two warnings about the connection cap


@dataclass(frozen=True, slots=True)
class Limits:
    header_timeout: float      # seconds for a request's head (see the module docstring)
    body_timeout: float        # seconds for its body, from the end of the head
    keepalive_timeout: float   # seconds an idle connection stays open
    max_connections: int


class _Connection(web.RequestHandler):
    __slots__ = ("limits", "busy", "since", "refused", "_clock", "_timer", "_body")

    def __init__(self, manager: _Server, *, loop: asyncio.AbstractEventLoop, **kwargs: Any) -> None:
        super().__init__(manager, loop=loop, **kwargs)
        self.limits = manager.limits
        self.busy = False          # a request's head has come and its answer is not written yet
        self.since = loop.time()   # when it last started waiting for its client
        self.refused = False       # opened beyond the cap while all others were busy
        self._clock = loop
        self._timer: asyncio.TimerHandle | None = None
        self._body: StreamReader | None = None    # a body still arriving

    @property
    def waiting_for_client(self) -> bool:
        return not self.busy or self._body is not None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._arm(self.limits.header_timeout, self._head_late)
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if data and not self.busy and self._timer is None:
            self._arm(self.limits.header_timeout, self._head_late)
        super().data_received(data)

    def begin(self, payload: StreamReader) -> None:
        """The request's head is in (called as aiohttp makes the request object)."""
        self.busy, self.since = True, self._clock.time()
        self._disarm()
        if not payload.is_eof():
            self._body = payload
            self._arm(self.limits.body_timeout, self._body_late)
            payload.on_eof(lambda: self._body_done(payload))

    async def finish_response(self, request: web.BaseRequest, resp: web.StreamResponse,
                              start_time: float | None) -> tuple[web.StreamResponse, bool]:
        try:
            return await super().finish_response(request, resp, start_time)
        finally:
            self.busy, self.since, self._body = False, self._clock.time(), None
            self._disarm()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_error(self, request: web.BaseRequest, status: int = 500,
                     exc: BaseException | None = None, message: str | None = None) -> web.StreamResponse:
        # aiohttp's own answer is text that quotes the refused line (an API key, say),
        # and it logs the exception with a traceback (web_protocol.py, handle_error).
        if request.writer.output_size > 0:
            raise ConnectionError("an answer is already being sent")
        rid = request_id()
        if status < 500:
            log.info("request=%s status=400 peer=%s refused=%s", rid, request.remote, type(exc).__name__)
            reason = _refusal(exc)
            return _final(invalid(None, reason), rid)
        log.error("request=%s status=%d peer=%s failed", rid, status, request.remote, exc_info=exc)
        return _final(ApiError("server_error", f"internal error (request {rid})"), rid)

    def _head_late(self) -> None:
        self._timer = None
        if not self.busy:
            log.debug("peer=%s closed: no request head within %s s", self.peername, self.limits.header_timeout)
            self.force_close()

    def _body_late(self) -> None:
        self._timer = None
        if self._body is not None:
            # The handler reading the body gets this and answers it; the connection
            # then closes, the rest of the body unread (lingering_time=0).
            self._body.set_exception(invalid(
                "body", f"the request body did not arrive within {self.limits.body_timeout:g} s"))
            self._body = None

    def _body_done(self, payload: StreamReader) -> None:
        if self._body is payload:
            self._body = None
            self._disarm()

    def _arm(self, seconds: float, expired: Callable[[], None]) -> None:
        self._disarm()
        self._timer = self._clock.call_later(seconds, expired)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _refusal(exc: BaseException | None) -> str:
    if not isinstance(exc, LineTooLong):
        return "the request is not valid HTTP/1.1"
    if exc.args[1] == MAX_REQUEST_LINE:
        return f"the request line is longer than {MAX_REQUEST_LINE} bytes"
    return f"a header is longer than {MAX_LINE} bytes"


def _final(err: ApiError, rid: str) -> web.Response:
    response = error_response(err)
    response.headers["X-Request-Id"] = rid
    response.force_close()
    return response


class _Server(web.Server):
    def __init__(self, handler: Callable[[web.BaseRequest], Awaitable[web.StreamResponse]], *,
                 request_factory: Callable[..., web.BaseRequest], limits: Limits, **kwargs: Any) -> None:
        super().__init__(self._guard, request_factory=self._begin, **kwargs)
        self.limits = limits
        self._app_handler = handler
        self._app_factory = request_factory
        self._handler_kwargs = kwargs
        self._clock = asyncio.get_running_loop()
        self._closed = self._refused = 0
        self._reported = -math.inf

    def __call__(self) -> _Connection:
        return _Connection(self, loop=self._clock, **self._handler_kwargs)

    def connection_made(self, handler: web.RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        open_ = [c for c in self.connections if c.transport is not None]
        if len(open_) <= self.limits.max_connections:
            return
        waiting = [c for c in open_ if c is not handler and c.waiting_for_client]
        if waiting:
            # Idle ones first, then the slowest to send; a request being handled is kept.
            min(waiting, key=lambda c: (c.busy, c.since)).force_close()
            self._closed += 1
        else:
            handler.refused = True  # type: ignore[attr-defined]
            self._refused += 1
        now = self._clock.time()
        if now - self._reported >= REPORT_EVERY:
            log.warning("connections at max_connections=%d: closed_waiting=%d refused=%d",
                        self.limits.max_connections, self._closed, self._refused)
            self._closed = self._refused = 0
            self._reported = now

    def _begin(self, message: Any, payload: StreamReader, protocol: _Connection,
               *rest: Any) -> web.BaseRequest:
        protocol.begin(payload)
        return self._app_factory(message, payload, protocol, *rest)

    async def _guard(self, request: web.BaseRequest) -> web.StreamResponse:
        if request.protocol.refused:  # type: ignore[attr-defined]
            rid = request_id()
            log.info("request=%s status=503 peer=%s refused=max_connections", rid, request.remote)
            return _final(ApiError("server_error", "the gateway has too many connections; retry shortly",
                                   status=503, headers={"Retry-After": "1"}), rid)
        return await self._app_handler(request)


class GatewayRunner(web.AppRunner):
    def __init__(self, app: web.Application, limits: Limits) -> None:
        super().__init__(app, access_log=None)
        self.limits = limits
        logs.guard("aiohttp.server", "aiohttp.access", "aiohttp.web")

    async def _make_server(self) -> web.Server:
        plain = await super()._make_server()    # starts and freezes the app
        return _Server(plain.request_handler, request_factory=plain.request_factory, limits=self.limits,
                       access_log=None, keepalive_timeout=self.limits.keepalive_timeout,
                       lingering_time=0, max_line_size=MAX_REQUEST_LINE, max_field_size=MAX_LINE)


async def serve(app: web.Application, host: str, port: int, limits: Limits) -> GatewayRunner:
    """The app listening on host:port; `await runner.cleanup()` stops it."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < limits.max_connections + SPARE_FILES:
        log.warning("max_connections=%d with an open-file limit of %d: connections fail before the "
                    "cap (raise LimitNOFILE= in the unit, or ulimit -n)", limits.max_connections, soft)
    runner = GatewayRunner(app, limits)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()      # the port is taken, say: the app's cleanup still runs
        raise
    return runner
