"""What a change to a message's parts means, decided without the database (pure).

Guarantees: a message's status follows its parts (`status.aggregate`) and never changes
once final; our times never go backwards within a message (created ≤ sent ≤ delivered),
even when the wall clock is stepped; only sent, delivered, failed and expired are
announced by webhook, each to the message's callback URL (or the gateway's default) and
to its key's subscriptions for that event, never twice to one URL. Whatever backend
writes a change writes what these functions return.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .records import Why
from .status import FINAL, aggregate

WEBHOOK_EVENTS = {"sent": "message.sent", "delivered": "message.delivered",
                  "failed": "message.failed", "expired": "message.expired"}


@dataclass(frozen=True, slots=True)
class Change:
    """A message's new status and what to write with it."""
    status: str
    at: float                  # our clock, never before the message's earlier times
    columns: dict[str, object]   # the message's columns to set, in a stable order
    event: str                 # the event log's type
    webhook: str | None        # the webhook event, None when none is sent


def message_change(message: Mapping, part_statuses: Sequence[str], now: float, *,
                   why: Why | None = None, network_delivered_at: float | None = None) -> Change | None:
    """The change its parts' statuses make to a message (a row with `status`,
    `created_at`, `sent_at`); None when nothing changes."""
    if message["status"] in FINAL:
        return None
    status = aggregate(list(part_statuses))
    if status == message["status"]:
        return None
    at = max(now, message["created_at"], message["sent_at"] or 0)
    columns: dict[str, object] = {"status": status, "updated_at": at}
    if status == "sent" or (status == "delivered" and message["sent_at"] is None):
        columns["sent_at"] = at
    if status == "delivered":
        columns.update(delivered_at=at, network_delivered_at=network_delivered_at)
    if why is not None and status in ("failed", "expired"):
        columns.update(error=why.error, error_code=why.code.value, error_detail=why.detail)
    webhook = WEBHOOK_EVENTS.get(status)
    return Change(status, at, columns, webhook or f"message.{status}", webhook)


def webhook_urls(event: str, message: Mapping, default_url: str | None,
                 subscriptions: Iterable[tuple[str, Sequence[str]]]) -> list[str]:
    """Where a status webhook goes: the message's callback URL (else the default), then
    each subscription (url, events) of its key that takes `event`, but not the callback
    URL again."""
    url = message["callback_url"] or default_url
    urls = [url] if url else []
    urls += [sub_url for sub_url, events in subscriptions
             if event in events and sub_url != message["callback_url"]]
    return urls


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}Z"


def webhook_body(event: str, message: Mapping) -> dict:
    return {
        "event": event,
        "id": message["id"],
        # The row's number: the integer id of dialects whose ids are numbers (Voximplant's).
        "seqno": message["seqno"],
        "status": message["status"],
        "to": message["to_number"],
        "from": message["sender"],
        "segments": message["segments"],
        "created_at": iso(message["created_at"]),
        "sent_at": iso(message["sent_at"]),
        "delivered_at": iso(message["delivered_at"]),
        "error": message["error"],
        "error_code": message["error_code"],
        "error_detail": message["error_detail"],
    }
