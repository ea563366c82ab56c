"""Liveness, readiness, the modems' state and the received messages."""

from __future__ import annotations

from aiohttp import web

from . import query, views
from .context import KEY, context
from .errors import invalid

INBOUND_PARAMS = {"received_since", "limit", "cursor"}


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers and at least one modem can send."""
    ctx = context(request)
    database = await ctx.store.check()
    ready = sum(1 for m in ctx.modems() if m.get("state") == "ready")
    checks = {"database": database, "modems_ready": ready}
    if database and ready:
        return web.json_response({"status": "ready", "checks": checks})
    reason = "the database does not answer" if not database else "no modem is ready"
    # 503 so that load balancers and systemd see it; the body keeps the error contract.
    return web.json_response({"error": {"code": "server_error", "message": f"not ready: {reason}"},
                              "checks": checks}, status=503)


async def modems(request: web.Request) -> web.Response:
    query.single(request.query, set())
    return web.json_response({"data": context(request).modems()})


async def nodes(request: web.Request) -> web.Response:
    query.single(request.query, set())
    return web.json_response({"data": [views.node(r) for r in await context(request).core.nodes()]})


async def inbound(request: web.Request) -> web.Response:
    params = query.single(request.query, INBOUND_PARAMS)
    size = query.limit(params)
    rows = await context(request).store.list_inbound(
        since=query.time(params, "received_since"), after=query.after(params, "in"), limit=size + 1)
    return web.json_response(query.page([views.inbound(r) for r in rows], size))


EVENT_PARAMS = {"after", "limit"}
MAX_EVENT_CURSOR = 2**63 - 1     # the largest SQLite rowid


async def events(request: web.Request) -> web.Response:
    """The event log after a cursor, oldest first: how a consumer that was offline catches up."""
    params = query.single(request.query, EVENT_PARAMS)
    after = params.get("after", "0")
    position = query.bounded(after, 0, MAX_EVENT_CURSOR)
    if position is None:
        raise invalid("after", "after must be a cursor returned as next_cursor (or 0 for the start)")
    size = query.limit(params)
    rows = await context(request).store.list_events(after=position, limit=size,
                                                    api_key_id=request[KEY]["id"])
    items = [views.event(r) for r in rows]
    return web.json_response({"data": items, "next_cursor": items[-1]["cursor"] if items else str(position)})


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format; scrapers send the API key as a bearer token."""
    query.single(request.query, set())
    text = await context(request).metrics()
    return web.Response(body=text.encode(), headers={"Content-Type": PROMETHEUS})


PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


async def openapi(request: web.Request) -> web.Response:
    # Imported (and so built) on the first request: most gateways never serve it, and
    # the document is a few hundred kB of dicts for as long as the process lives.
    from .openapi import DOCUMENT
    return web.json_response(DOCUMENT)
