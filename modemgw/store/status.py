"""A message's status from its parts' statuses (pure).

queued → sent → delivered | failed | expired. A part whose submission had
an unknown outcome counts as sent: it may well have gone out.
"""

from __future__ import annotations

FINAL = frozenset({"delivered", "failed", "expired", "cancelled"})
SUBMITTED = frozenset({"sent", "unknown", "delivered"})


def aggregate(part_statuses: list[str]) -> str:
    if not part_statuses:
        return "queued"
    if any(s == "failed" for s in part_statuses):
        return "failed"
    if any(s == "expired" for s in part_statuses):
        return "expired"
    if all(s == "delivered" for s in part_statuses):
        return "delivered"
    if all(s in SUBMITTED for s in part_statuses):
        return "sent"
    return "queued"
