"""What edges hand the core and get back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import Invalid


@dataclass(frozen=True, slots=True)
class Submission:
    """A request to send, in core terms, with the values as the client gave them: the
    core checks them. `names` maps the core's field names to the edge's, so that an
    error names the field as the client sent it (native: {"sender": "from", ...})."""
    to: tuple[object, ...]                 # one or more numbers, not yet normalised
    text: object
    sender: object = None
    callback_url: object = None
    scheduled_at: object = None            # ISO 8601 text, or epoch seconds with `epoch_times`
    validity: object = None                # seconds
    priority: object = None
    delivery_policy: object = None
    via: object = None                     # the carrier the message is pinned to, {"modem": name}, ...
    idempotency_key: str | None = None
    dialect: str = "native"                # who accepted it: picks the webhook format
    max_characters: int | None = None      # an edge's own limit on the text
    partial: bool = False                  # send to the good numbers, report the bad ones
    to_is_list: bool = False               # errors name to[i] even for one number
    e164_shape: bool = False               # any E.164-shaped number (core/numbers.py says when)
    epoch_times: bool = False              # the edge's contract (or its own parser) gives epoch seconds
    within_capacity: bool = False          # refuse (NoCapacity) what the daily caps cannot send today
    message_id: str | None = None          # the (first) message's id, from ids.new_id("msg"): for an
                                           # edge that named it before the send (SMPP's long messages)
    names: Mapping[str, str] = field(default_factory=dict)

    def name(self, core_field: str) -> str:
        return self.names.get(core_field, core_field)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A recipient left out of a `partial` submission."""
    index: int
    number: object
    error: Invalid


@dataclass(frozen=True, slots=True)
class Accepted:
    messages: tuple[dict, ...]             # the stored rows, in the order of `to` (rejected left out)
    replayed: bool = False                 # an idempotency key matched: these are the originals
    rejected: tuple[Rejected, ...] = ()

    @property
    def parts(self) -> int:
        return sum(m["segments"] for m in self.messages)
