"""/console/events: the event log as server-sent events, for pages that update themselves.

Each event of the log (`message.queued`, `message.delivered`, `part.report`,
`message.received`, ...) is sent once, in cursor order, with its cursor as the SSE `id`:
a browser that reconnects sends `Last-Event-ID` and misses nothing. A change the modems
page shows (state, signal, operator) comes as `{"type": "modem.changed"}`, and a change in
what the alert receivers counted (the core's tallies: a notification held back, a repeat,
a refusal, none of which is in the log) as `{"type": "tallies.changed"}`, both without an
id (they are not in the log). The log is read every `poll_every` seconds while a page listens,
and not at all otherwise; the stream ends when the gateway stops.
"""

from __future__ import annotations

import json

from aiohttp import web

from ..core import Invalid
from .state import state_of

BATCH = 200
HEARTBEAT = 15.0            # s: a comment line, so that a client that left is noticed
MAX_CURSOR = 2**63 - 1


def _cursor(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_CURSOR:
        raise Invalid("after", "after must be an event cursor")
    return int(text)


def frame(data: dict, cursor: int | None = None) -> bytes:
    head = f"id: {cursor}\n" if cursor is not None else ""
    return (head + "data: " + json.dumps(data, separators=(",", ":")) + "\n\n").encode()


async def events(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    store = state.core.store
    given = request.headers.get("Last-Event-ID") or request.query.get("after")
    after = _cursor(given) if given else await store.last_event_cursor()
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    quiet, seen, tallied = 0.0, state.pulse.count, state.core.tallies.version
    try:
        await response.write(b"retry: 2000\n\n")
        while not state.closing.is_set():
            rows = await store.list_events(after=after, limit=BATCH, every_key=True)
            for row in rows:
                after = row["cursor"]
                await response.write(frame({"type": row["type"], "message_id": row["message_id"],
                                            "at": row["at"]}, after))
            if len(rows) == BATCH:
                continue
            if state.pulse.count == seen:
                await state.pulse.wait(state.settings.poll_every)
            if state.pulse.count != seen and not state.closing.is_set():
                seen = state.pulse.count
                await response.write(frame({"type": "modem.changed"}))
            if state.core.tallies.version != tallied and not state.closing.is_set():
                tallied = state.core.tallies.version
                await response.write(frame({"type": "tallies.changed"}))
            quiet = 0.0 if rows else quiet + state.settings.poll_every
            if quiet >= HEARTBEAT:
                await response.write(b": still here\n\n")
                quiet = 0.0
    except ConnectionError:
        pass        # the page went away
    return response
