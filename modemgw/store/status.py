"""A message's status from its parts' statuses (pure).

queued → sent → delivered | failed | expired. A part whose submission had
an unknown outcome counts as sent: it may well have gone out.
"""

from __future__ import annotations

from enum import StrEnum

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


class ErrorCode(StrEnum):
    """Why a message failed or expired: `error_code` beside the text `error` (docs/api.md
    has the list; the dialects map these names, so they never change). `error_detail`
    carries the number behind a code where there is one."""
    # Never left the modem.
    NETWORK_REJECTED = "network_rejected"          # a permanent +CMS ERROR (detail: its number)
    RETRIES_EXHAUSTED = "retries_exhausted"        # temporary errors until no attempt was left (detail: the last)
    VALIDITY_EXPIRED = "validity_expired"          # not sent within validity_period (daily caps included)
    # Left the modem: the network took it.
    UNDELIVERED = "undelivered"                    # the status report says it failed (detail: TP-ST)
    REPORT_EXPIRED = "report_expired"              # the status report says its validity ran out (TP-ST 0x46)
    NO_REPORT = "no_report"                        # no status report came within the report window
    # May have left: the modem never answered the submission.
    DELIVERY_UNCONFIRMED = "delivery_unconfirmed"  # in doubt past unknown_window (delivery_policy)
