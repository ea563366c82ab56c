"""Waiting on observable state (the database, a simulator, an HTTP answer) with a bound."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import time


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


def query(database, sql: str, params=()) -> list[sqlite3.Row]:
    """A read on a connection of our own (the gateway may be another process)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


FINAL = ("delivered", "failed", "expired", "cancelled")


def unsettled(database) -> list[dict]:
    """Messages that have not reached a final state, other than `sent` messages whose
    parts are all delivered or `unknown` (at_most_once keeps those as they are)."""
    rows = query(database, """
        SELECT m.id, m.status, group_concat(p.status) AS parts FROM messages m
        JOIN parts p ON p.message_id = m.id GROUP BY m.id""")
    out = []
    for row in rows:
        parts = row["parts"].split(",")
        if row["status"] in FINAL:
            continue
        if row["status"] == "sent" and all(p in ("delivered", "unknown") for p in parts) \
                and "unknown" in parts:
            continue
        out.append(dict(row))
    return out


def in_progress(database, since: float = 0.0) -> list[dict]:
    """Parts still queued or being sent, and parts sent at or after `since` (epoch
    seconds) whose status report has not arrived yet."""
    return [dict(r) for r in query(database, """
        SELECT message_id, seq, status FROM parts
        WHERE status IN ('queued', 'sending') OR (status = 'sent' AND submitted_at >= ?)""",
                                    (since,))]
