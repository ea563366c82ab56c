"""The body of POST /v1/messages as a core `Submission`: the JSON's shape is checked here,
its values by the core (modemgw/core/checks.py), under the native field names."""

from __future__ import annotations

from ..core import Submission
from ..core.checks import MAX_RECIPIENTS
from ..web.body import reject_unknown
from .errors import invalid

FIELDS = {"to", "from", "text", "callback_url", "scheduled_at", "validity_period", "priority",
          "delivery_policy", "via"}
# The core's names for the fields whose native names differ.
NAMES = {"sender": "from", "validity": "validity_period"}


def parse_send(body: dict, *, idempotency_key: str | None = None) -> tuple[Submission, bool]:
    """The submission, and whether `to` was an array (the answer is then {"data": [...]})."""
    reject_unknown(body, FIELDS)
    to = body.get("to")
    if to is None:
        raise invalid("to", "to is required: a phone number or an array of up to "
                            f"{MAX_RECIPIENTS} phone numbers")
    if not isinstance(to, (str, list)):
        raise invalid("to", "to must be a phone number or an array of phone numbers")
    many = isinstance(to, list)
    return Submission(
        to=tuple(to) if many else (to,), text=body.get("text"), sender=body.get("from"),
        callback_url=body.get("callback_url"), scheduled_at=body.get("scheduled_at"),
        validity=body.get("validity_period"), priority=body.get("priority"),
        delivery_policy=body.get("delivery_policy"), via=body.get("via"), idempotency_key=idempotency_key,
        to_is_list=many, names=NAMES), many
