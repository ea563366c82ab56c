"""Waiting on observable state (the database, a simulator, an HTTP answer) with a bound."""

from __future__ import annotations

import asyncio
import inspect
import time

from peek import query


async def until(predicate, timeout: float = 10.0, interval: float = 0.05, what: str = "condition",
                explain=None):
    """Poll `predicate` (sync or async) until it returns something truthy; fail loudly
    after `timeout` seconds with the last value it returned (or what `explain()` says)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            detail = explain() if explain is not None else value
            raise AssertionError(f"{what} not met within {timeout} s: {detail!r}"[:4000])
        await asyncio.sleep(interval)


FINAL = ("delivered", "failed", "expired", "cancelled")


def unsettled(database) -> list[dict]:
    """Messages that have not reached a final state, other than `sent` messages whose
    parts are all delivered or `unknown` (at_most_once keeps those as they are)."""
    messages: dict[str, dict] = {}
    for row in query(database, "SELECT m.id, m.status, p.status AS part FROM messages m "
                               "JOIN parts p ON p.message_id = m.id ORDER BY m.id, p.seq"):
        messages.setdefault(row["id"], {"id": row["id"], "status": row["status"], "parts": []})["parts"] \
            .append(row["part"])
    out = []
    for message in messages.values():
        parts = message["parts"]
        if message["status"] in FINAL:
            continue
        if message["status"] == "sent" and all(p in ("delivered", "unknown") for p in parts) \
                and "unknown" in parts:
            continue
        out.append({**message, "parts": ",".join(parts)})
    return out


def in_progress(database, since: float = 0.0) -> list[dict]:
    """Parts still queued or being sent, and parts sent at or after `since` (epoch
    seconds) whose status report has not arrived yet."""
    return [dict(r) for r in query(database, """
        SELECT message_id, seq, status FROM parts
        WHERE status IN ('queued', 'sending') OR (status = 'sent' AND submitted_at >= ?)""",
                                    (since,))]
