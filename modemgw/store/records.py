"""What goes into the store and what the dispatcher gets back, as frozen values.

Guarantees: a value built here is never changed by the store (frozen), so a caller may
keep it after the call; message, key and event rows are still returned as `dict`s keyed
by column name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .status import ErrorCode


@dataclass(frozen=True, slots=True)
class NewPart:
    pdu: str
    tpdu_length: int


@dataclass(frozen=True, slots=True)
class NewMessage:
    to: str
    sender: str | None
    text: str
    encoding: str
    parts: tuple[NewPart, ...]
    reference: int | None = None
    callback_url: str | None = None
    scheduled_at: float | None = None
    validity: int | None = None
    expires_at: float | None = None
    priority: int = 0
    flash: bool = False
    policy: str = "at_most_once"
    dialect: str = "native"          # the edge that accepted it: its webhooks' format
    via: str | None = None           # pinned to this carrier (dispatch/routing.py)


@dataclass(frozen=True, slots=True)
class Created:
    messages: list[dict] = field(default_factory=list)
    replayed: bool = False     # an Idempotency-Key matched: these are the originals


@dataclass(frozen=True, slots=True)
class DuePart:
    message_id: str
    seq: int
    total: int
    pdu: str
    tpdu_length: int
    attempts: int
    to: str
    sender: str | None
    modem: str | None          # the modem the message's earlier parts went through
    priority: int
    via: str | None = None     # the carrier the message is pinned to (dispatch/routing.py)


@dataclass(frozen=True, slots=True)
class ReportUpdate:
    """What a status report does to its part."""
    part_status: str           # delivered, sent (still pending), failed, expired
    report_status: int         # TP-ST
    reason: str
    at: float | None           # discharge time (the network's clock)
    pdu: dict                  # mr and recipient, for the part's event
    submitted: float | None = None   # when the SC took the part (the network's clock)


@dataclass(frozen=True, slots=True)
class Why:
    """Why a message failed or expired: the text, its code and the number behind it."""
    error: str
    code: ErrorCode
    detail: int | None = None     # the +CMS ERROR number, or the status report's TP-ST
