"""Webhook signatures: HMAC-SHA256 over `timestamp + "." + body`.

The timestamp is signed with the body so that a captured request cannot be
replayed later: the receiver checks the signature and that the timestamp is
recent. The signature header may carry several `v1=` values (one per secret
while a secret is being rotated); any one matching is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Modemgw-Timestamp"
SIGNATURE_HEADER = "X-Modemgw-Signature"
EVENT_ID_HEADER = "X-Modemgw-Event-Id"     # the same on every retry: de-duplicate on it
EVENT_HEADER = "X-Modemgw-Event"
ATTEMPT_HEADER = "X-Modemgw-Attempt"
SCHEME = "v1"
TOLERANCE = 300.0                          # seconds either side of the receiver's clock


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The hex HMAC-SHA256 of `timestamp.body` under `secret`."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def headers(secret: str, *, event_id: str, event: str, body: bytes, timestamp: int,
            attempt: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"{SCHEME}={signature(secret, timestamp, body)}",
        EVENT_ID_HEADER: event_id,
        EVENT_HEADER: event,
        ATTEMPT_HEADER: str(attempt),
    }


def verify(secret: str, body: bytes, timestamp: str | None, signature_header: str | None, *,
           tolerance: float = TOLERANCE, now: float | None = None) -> bool:
    """True if one `v1=` signature matches and the timestamp is within `tolerance`."""
    if not timestamp or not signature_header or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    expected = signature(secret, timestamp, body).encode("ascii")
    matched = False
    for item in signature_header.replace(",", " ").split():
        scheme, _, value = item.partition("=")
        # Compare every candidate, in constant time each, without stopping early.
        if scheme == SCHEME and hmac.compare_digest(value.encode("ascii", "replace"), expected):
            matched = True
    return matched
