"""How a webhook delivery looks on the wire, per dialect.

The outbox keeps each event's snapshot (the native payload) and the dialect of the
message's edge; the sender asks that dialect's format for the body and headers at each
attempt, so a retry sends what the first attempt did (only the time-stamped signature
headers are made anew).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from . import signing


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    event: str                    # message.sent, message.delivered, ..., message.received
    url: str
    raw: str                      # the native payload as stored (store.webhook_body, or the inbound one)
    attempt: int
    timestamp: int                # now, epoch seconds
    key: dict | None              # the message's API key: id, webhook_secret, twilio_* (None: inbound)
    secret: str                   # the webhook secret that applies (the key's, or the gateway's)


@dataclass(frozen=True, slots=True)
class Outgoing:
    body: bytes
    headers: dict[str, str]


def snapshot(delivery: Delivery) -> dict:
    """The stored payload as a dict, for formats that build their own."""
    return json.loads(delivery.raw)


class WebhookFormat(Protocol):
    def render(self, delivery: Delivery) -> Outgoing | None:
        """The request to POST, or None when this dialect sends nothing for this event
        (the delivery is then settled without a request)."""


class NativeFormat:
    """modemgw's own: the JSON snapshot, signed as webhooks/signing.py says."""

    def render(self, delivery: Delivery) -> Outgoing:
        body = delivery.raw.encode()
        return Outgoing(body, signing.headers(delivery.secret, event_id=str(delivery.id),
                                              event=delivery.event, body=body,
                                              timestamp=delivery.timestamp, attempt=delivery.attempt))


NATIVE = NativeFormat()


class Silent:
    """For an edge that delivers its events itself (SMPP, over the session): the delivery
    is settled without a request."""

    def render(self, delivery: Delivery) -> None:
        return None


SILENT = Silent()
