"""The body of POST /v1/messages, checked field by field into a `SendRequest`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from yarl import URL

from ..sms import PduError, segment
from .body import reject_unknown
from .errors import invalid
from .numbers import recipient

FIELDS = {"to", "from", "text", "callback_url", "scheduled_at", "validity_period", "priority",
          "delivery_policy"}
POLICIES = ("at_most_once", "at_least_once")
MAX_RECIPIENTS = 100
MIN_VALIDITY = 300                   # TP-VP relative: 5 minutes ...
MAX_VALIDITY = 63 * 7 * 86400        # ... to 63 weeks
MAX_SCHEDULE_AHEAD = 366 * 86400
MAX_PRIORITY = 9
MAX_SENDER = 32
MAX_URL = 2048


@dataclass(frozen=True, slots=True)
class SendRequest:
    to: tuple[str, ...]              # E.164 (or allowed short codes), in request order, no duplicates
    many: bool                       # `to` was an array: the answer is {"data": [...]}
    text: str
    sender: str | None
    callback_url: str | None
    scheduled_at: float | None       # as requested; a past time means now
    validity: int | None
    priority: int
    delivery_policy: str | None = None   # None: the key's, else the gateway's

    def same_as(self, rows: list[dict]) -> bool:
        """Do the messages an Idempotency-Key replays come from this same request?"""
        if sorted(r["to_number"] for r in rows) != sorted(self.to):
            return False
        for r in rows:
            if (r["text"], r["sender"], r["callback_url"], r["validity"], r["priority"]) != \
                    (self.text, self.sender, self.callback_url, self.validity, self.priority):
                return False
            if self.delivery_policy is not None and r["policy"] != self.delivery_policy:
                return False
            # A time already past on the first request was stored as "now" (None).
            stored, asked = r["scheduled_at"], self.scheduled_at
            if stored != asked and not (stored is None and asked is not None and asked <= r["created_at"]):
                return False
        return True


def parse_send(body: dict, *, default_region: str | None, now: float,
               national_languages: tuple[str, ...] = (), short_codes: bool = False) -> SendRequest:
    reject_unknown(body, FIELDS)
    to, many = _recipients(body.get("to"), default_region, short_codes)
    return SendRequest(
        to=to, many=many, text=_text(body.get("text"), national_languages),
        sender=_sender(body.get("from")), callback_url=_url(body.get("callback_url")),
        scheduled_at=_scheduled(body.get("scheduled_at"), now),
        validity=_integer(body.get("validity_period"), "validity_period", MIN_VALIDITY, MAX_VALIDITY),
        priority=_integer(body.get("priority"), "priority", 0, MAX_PRIORITY) or 0,
        delivery_policy=policy(body.get("delivery_policy"), "delivery_policy"))


def policy(value: object, field: str) -> str | None:
    """What happens to a part whose outcome is unknown (see docs/api.md)."""
    if value is None:
        return None
    if value not in POLICIES:
        raise invalid(field, f"{field} must be one of {', '.join(POLICIES)}")
    return value  # type: ignore[return-value]


def _recipients(value: object, region: str | None,
                short_codes: bool) -> tuple[tuple[str, ...], bool]:
    if value is None:
        raise invalid("to", "to is required: a phone number or an array of up to "
                            f"{MAX_RECIPIENTS} phone numbers")
    if isinstance(value, str):
        return (recipient(value, "to", region, short_codes=short_codes),), False
    if not isinstance(value, list):
        raise invalid("to", "to must be a phone number or an array of phone numbers")
    if not 1 <= len(value) <= MAX_RECIPIENTS:
        raise invalid("to", f"to must hold 1 to {MAX_RECIPIENTS} numbers, not {len(value)}")
    seen: dict[str, int] = {}
    for i, item in enumerate(value):
        number = recipient(item, f"to[{i}]", region, short_codes=short_codes)
        if number in seen:
            # Refused, not merged, so that data[i] of the answer is always to[i].
            raise invalid(f"to[{i}]", f"to[{i}] is the same number as to[{seen[number]}] ({number})")
        seen[number] = i
    return tuple(seen), True


def _text(value: object, national_languages: tuple[str, ...]) -> str:
    if value is None:
        raise invalid("text", "text is required")
    if not isinstance(value, str):
        raise invalid("text", "text must be a string")
    if not value:
        raise invalid("text", "text must not be empty")
    try:
        segment(value, national_languages)
    except PduError as exc:
        raise invalid("text", f"text cannot be sent: {exc}") from None
    return value


def _sender(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= MAX_SENDER \
            or not value.isprintable():
        raise invalid("from", f"from must be a string of 1 to {MAX_SENDER} printable characters "
                              f"(a sender configured on a modem's route)")
    return value.strip()


def _url(value: object) -> str | None:
    if value is None:
        return None
    message = "callback_url must be an absolute http:// or https:// URL"
    if not isinstance(value, str) or len(value) > MAX_URL or not value.isprintable() or " " in value:
        raise invalid("callback_url", f"{message} of at most {MAX_URL} characters")
    try:
        url = URL(value)
    except (ValueError, TypeError):
        raise invalid("callback_url", message) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise invalid("callback_url", message)
    return value


def _scheduled(value: object, now: float) -> float | None:
    if value is None:
        return None
    message = "scheduled_at must be an ISO 8601 date and time with an offset, e.g. 2030-01-31T09:00:00Z"
    if not isinstance(value, str):
        raise invalid("scheduled_at", message)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise invalid("scheduled_at", message) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise invalid("scheduled_at", message + " (the offset is missing)")
    try:
        at = when.timestamp()
    except (OverflowError, ValueError):
        raise invalid("scheduled_at", message) from None
    if at > now + MAX_SCHEDULE_AHEAD:
        raise invalid("scheduled_at", "scheduled_at is more than a year ahead")
    return at


def _integer(value: object, field: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    # bool is an int in Python, not in JSON.
    if type(value) is not int or not low <= value <= high:
        raise invalid(field, f"{field} must be an integer from {low} to {high}")
    return value

