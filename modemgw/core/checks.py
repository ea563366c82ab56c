"""The values of a message to send, checked once for every edge.

Each check takes the caller's name for the field, so that an error names the field as
the caller sent it ("from", "Body", "to[3]"), and raises only `Invalid`.
"""

from __future__ import annotations

from datetime import datetime

from yarl import URL

from ..dispatch.routing import ICCID, VIA_KINDS
from ..sms import PduError, Segmentation, segment
from .errors import Invalid, Problem

POLICIES = ("at_most_once", "at_least_once")
MAX_RECIPIENTS = 100
MIN_VALIDITY = 300                   # TP-VP relative: 5 minutes ...
MAX_VALIDITY = 63 * 7 * 86400        # ... to 63 weeks
MAX_SCHEDULE_AHEAD = 366 * 86400
MAX_PRIORITY = 9
MAX_SENDER = 32
MAX_URL = 2048


def text(value: object, field: str, national_languages: tuple[str, ...] = (),
         max_characters: int | None = None) -> str:
    segmented_text(value, field, national_languages, max_characters)
    return value  # type: ignore[return-value]


def segmented_text(value: object, field: str, national_languages: tuple[str, ...] = (),
                   max_characters: int | None = None) -> Segmentation:
    """`text`'s checks; the text's segmentation, for `compose` (`segmentation=`), which
    then does not segment it again."""
    if value is None:
        raise Invalid(field, f"{field} is required")
    if not isinstance(value, str):
        raise Invalid(field, f"{field} must be a string")
    if not value:
        raise Invalid(field, f"{field} must not be empty")
    if max_characters is not None and len(value) > max_characters:
        raise Invalid(field, f"{field} is longer than {max_characters} characters", Problem.TOO_LONG)
    try:
        return segment(value, national_languages)
    except PduError as exc:
        raise Invalid(field, f"{field} cannot be sent: {exc}",
                      Problem.TOO_LONG if "parts" in str(exc) else Problem.OTHER) from None


def sender(value: object, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= MAX_SENDER \
            or not value.isprintable():
        raise Invalid(field, f"{field} must be a string of 1 to {MAX_SENDER} printable characters "
                             f"(a sender configured on a modem's route)", Problem.SENDER)
    return value.strip()


def url(value: object, field: str) -> str | None:
    if value is None:
        return None
    message = f"{field} must be an absolute http:// or https:// URL"
    if not isinstance(value, str) or len(value) > MAX_URL or not value.isprintable() or " " in value:
        raise Invalid(field, f"{message} of at most {MAX_URL} characters")
    try:
        parsed = URL(value)
    except (ValueError, TypeError):
        raise Invalid(field, message) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise Invalid(field, message)
    return value


def scheduled(value: object, field: str, now: float) -> float | None:
    """An ISO 8601 time with an offset, as epoch seconds."""
    if value is None:
        return None
    message = f"{field} must be an ISO 8601 date and time with an offset, e.g. 2030-01-31T09:00:00Z"
    if not isinstance(value, str):
        raise Invalid(field, message)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(field, message) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise Invalid(field, message + " (the offset is missing)")
    try:
        at = when.timestamp()
    except (OverflowError, ValueError):
        raise Invalid(field, message) from None
    return schedule_time(at, field, now)


def schedule_time(at: float, field: str, now: float) -> float:
    if at > now + MAX_SCHEDULE_AHEAD:
        raise Invalid(field, f"{field} is more than a year ahead")
    return at


def integer(value: object, field: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    # bool is an int in Python, not in JSON.
    if type(value) is not int or not low <= value <= high:
        raise Invalid(field, f"{field} must be an integer from {low} to {high}")
    return value


def policy(value: object, field: str) -> str | None:
    """What happens to a part whose outcome is unknown (docs/api.md)."""
    if value is None:
        return None
    if value not in POLICIES:
        raise Invalid(field, f"{field} must be one of {', '.join(POLICIES)}")
    return value  # type: ignore[return-value]


MAX_VIA_NAME = 64


def via(value: object, field: str) -> tuple[str, str] | None:
    """A message's own pin, {"modem": name} or {"sim": ICCID} or {"node": name}: the
    (kind, name) it names (docs/api.md, "Pinning a message")."""
    if value is None:
        return None
    shape = f"{field} must be an object with one of {', '.join(VIA_KINDS)}: a name (an ICCID for sim)"
    if not isinstance(value, dict) or len(value) != 1:
        raise Invalid(field, shape)
    ((kind, name),) = value.items()
    if kind not in VIA_KINDS or not isinstance(name, str) or not 1 <= len(name) <= MAX_VIA_NAME \
            or not name.isprintable():
        raise Invalid(field, shape)
    if kind == "sim" and not ICCID.fullmatch(name):
        raise Invalid(f"{field}.sim", f"{field}.sim must be an ICCID: 18 to 22 digits, as GET /v1/modems shows it")
    return kind, name
