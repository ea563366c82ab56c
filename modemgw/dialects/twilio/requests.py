"""Twilio's request parameters in core terms (pure): a Messages POST as a `Submission`, a
Messages GET as a `Listing`.

Parameters Twilio documents that a SIM has no use for (MessagingServiceSid, MaxPrice,
ProvideFeedback, Attempt, SmartEncoded, ...) are accepted and ignored, and so, as Twilio
does, are names it does not know; docs/compat.md lists what is honoured.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from ...core import Invalid, Submission
from ...web.params import restore_plus
from .errors import Refused
from .responses import message_id, sid

MAX_BODY = 1600              # "The text content of the outgoing message. Can be up to 1,600 characters"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
NAMES = {"to": "To", "text": "Body", "sender": "From", "callback_url": "StatusCallback",
         "scheduled_at": "SendAt", "validity": "ValidityPeriod"}
# The filters of a listing, in the order the page URIs repeat them.
FILTERS = ("To", "From", "DateSent", "DateSent<", "DateSent>")
_TOKEN = re.compile(r"P([AB])(SM[0-9a-f]{32})")
_DIGITS = re.compile(r"[0-9]{1,9}")
_SPACED_OFFSET = re.compile(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$")
DAY = 86400
NO_MMS = "MediaUrl: this gateway sends SMS, not MMS: send the text without media"


def _given(params: Mapping[str, object], name: str) -> str | None:
    """A parameter's value; an empty one is not given (curl -d 'From=')."""
    value = params.get(name)
    return None if value in (None, "") else str(value)


def _number(params: Mapping[str, object], name: str) -> str | None:
    """A phone number parameter. Twilio's own curl examples send `-d "To=+15558675310"`
    unencoded, and a form reads that + as a space: a number that starts with a space and
    a digit had a + there (SendAt's offset likewise)."""
    value = _given(params, name)
    return None if value is None else restore_plus(value)


def submission(params: Mapping[str, object]) -> Submission:
    if "MediaUrl" in params:
        raise Refused(21621, NO_MMS)
    to = _number(params, "To")
    if to is None:
        raise Refused(21604, "A 'To' phone number is required.")
    kind, send_at = _given(params, "ScheduleType"), _given(params, "SendAt")
    if send_at is not None:           # an offset's + sent unencoded arrives as a space too
        send_at = _SPACED_OFFSET.sub(r"\1+\2", send_at)
    if kind is not None and kind != "fixed":
        raise Refused(35126, f"ScheduleType {kind!r} is not supported: the only one is 'fixed'")
    if kind == "fixed" and send_at is None:
        raise Refused(35111, "SendAt is required when ScheduleType is 'fixed'")
    return Submission(to=(to,), text=params.get("Body"), sender=_number(params, "From"),
                      callback_url=_given(params, "StatusCallback"), scheduled_at=send_at,
                      validity=_seconds(_given(params, "ValidityPeriod")), dialect="twilio",
                      max_characters=MAX_BODY, names=NAMES)


def _seconds(value: str | None) -> int | str | None:
    # A form value is text; one that is not a number is handed on for the core to refuse.
    return int(value) if value is not None and _DIGITS.fullmatch(value) else value


@dataclass(frozen=True, slots=True)
class Listing:
    to: str | None
    sender: str | None
    sent_since: float | None          # epoch seconds, inclusive
    sent_until: float | None          # exclusive
    size: int
    page: int
    token: str | None                 # as given, for the page's own URI
    after: str | None                 # the id this page continues after (older messages)
    before: str | None                # ... or before (newer messages: a previous page)
    filters: tuple[tuple[str, str], ...]


def listing(params: Mapping[str, object], number: Callable[[object, str], str]) -> Listing:
    """`number` normalises a phone number as the core does for a recipient."""
    filters = tuple((name, value) for name in FILTERS
                    if (value := _number(params, name) if name in ("To", "From") else _given(params, name)))
    given = dict(filters)
    since = until = None
    if "DateSent" in given:
        since = _day(given["DateSent"], "DateSent")
        until = since + DAY
    if "DateSent>" in given:           # on or after that day
        since = max(since or 0.0, _day(given["DateSent>"], "DateSent>"))
    if "DateSent<" in given:           # on or before that day
        end = _day(given["DateSent<"], "DateSent<") + DAY
        until = end if until is None else min(until, end)
    token = _given(params, "PageToken")
    after = before = None
    if token is not None:
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise Invalid("PageToken", "PageToken is not one this gateway gave in a page URI")
        after, before = (message_id(match[2]), None) if match[1] == "A" else (None, message_id(match[2]))
    return Listing(to=number(given["To"], "To") if "To" in given else None,
                   sender=given.get("From", "").strip() or None, sent_since=since, sent_until=until,
                   size=_count(params, "PageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
                   page=_count(params, "Page", 0, 0, 10**9 - 1), token=token, after=after,
                   before=before, filters=filters)


def _day(value: str, field: str) -> float:
    """Midnight GMT of a date. Twilio filters on dates; twilio-python sends a date object as
    "2016-08-31T00:00:00Z", so a time of day is read as its GMT date."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(field, f"{field} must be a date, YYYY-MM-DD (GMT)") from None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return float(calendar.timegm(when.date().timetuple()))


def _count(params: Mapping[str, object], name: str, default: int, low: int, high: int) -> int:
    value = _given(params, name)
    if value is None:
        return default
    if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise Invalid(name, f"{name} must be a whole number from {low} to {high}")
    return int(value)


def token(kind: str, identifier: str | None) -> str | None:
    """A PageToken: after (PA) or before (PB) the message `identifier`."""
    return None if identifier is None else f"P{kind}{sid(identifier)}"
