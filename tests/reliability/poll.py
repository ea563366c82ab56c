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


def with_parts(database, columns: str = "id, status") -> list[dict]:
    """Each message's `columns` (of table messages) and `parts`: its parts' statuses in
    part order, joined by commas."""
    statuses: dict[str, list[str]] = {}
    for row in query(database, "SELECT message_id, status FROM parts ORDER BY message_id, seq"):
        statuses.setdefault(row["message_id"], []).append(row["status"])
    return [{**dict(row), "parts": ",".join(statuses[row["id"]])}
            for row in query(database, f"SELECT {columns} FROM messages") if row["id"] in statuses]


def unsettled(database) -> list[dict]:
    """Messages that have not reached a final state, other than `sent` messages whose
    parts are all delivered or `unknown` (at_most_once keeps those as they are)."""
    out = []
    for message in with_parts(database):
        parts = message["parts"].split(",")
        if message["status"] in FINAL:
            continue
        if message["status"] == "sent" and all(p in ("delivered", "unknown") for p in parts) \
                and "unknown" in parts:
            continue
        out.append(message)
    return out


def in_progress(database, since: float = 0.0) -> list[dict]:
    """Parts still queued or being sent, and parts sent at or after `since` (epoch
    seconds) whose status report has not arrived yet."""
    return [dict(r) for r in query(database, """
        SELECT message_id, seq, status FROM parts
        WHERE status IN ('queued', 'sending') OR (status = 'sent' AND submitted_at >= ?)""",
                                    (since,))]
