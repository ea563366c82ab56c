"""Core rows as Twilio's Message resource: SIDs, statuses, error codes, RFC 2822 times and
list pages (pure: the caller passes the time).

A message's SID is `SM` + the 128 bits of its modemgw id in hex (core/ids.py), so it turns
back into the id without a lookup, in a request and in a status callback alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import urlencode

from ...core import ErrorCode
from ...core import ids

API_VERSION = "2010-04-01"
# Twilio prices every message; a SIM's price is not known to the gateway. The unit is the
# one Twilio shows US accounts, so that clients that format `price_unit` find one.
PRICE_UNIT = "USD"
_SID = re.compile(r"SM[0-9a-f]{32}")

# Why a message failed, as Twilio numbers it (https://www.twilio.com/docs/api/errors).
UNREACHABLE = 30003          # "Unreachable destination handset"
BLOCKED = 30004              # "Message blocked"
UNKNOWN_DESTINATION = 30005  # "Unknown destination handset"
LANDLINE = 30006             # "Landline or unreachable carrier"
FILTERED = 30007             # "Message filtered"
UNKNOWN_ERROR = 30008        # "Unknown error"
VALIDITY_EXPIRED = 30036     # "Validity Period Expired"

# +CMS ERROR numbers (3GPP TS 24.011 annex E) a network gives when it refuses a message.
_CMS = {1: UNKNOWN_DESTINATION,       # unassigned (unallocated) number
        8: BLOCKED, 10: BLOCKED,      # operator determined barring, call barred
        21: FILTERED,                 # short message transfer rejected
        27: UNREACHABLE,              # destination out of service
        28: UNKNOWN_DESTINATION, 30: UNKNOWN_DESTINATION}   # unidentified / unknown subscriber
# TP-ST values of a status report that ends a message (3GPP TS 23.040 9.2.3.15).
_TP_ST = {0x41: LANDLINE,             # incompatible destination: it cannot take an SMS
          0x42: FILTERED,             # connection rejected by the SME
          0x43: UNKNOWN_DESTINATION,  # not obtainable
          0x46: UNREACHABLE,          # the SC's validity period ran out: the handset never answered
          0x48: FILTERED,             # deleted by the SC's administration
          0x61: UNREACHABLE, 0x62: UNREACHABLE,   # SME busy, no response from the SME
          0x63: FILTERED}             # service rejected
# The network said it could not deliver: Twilio's "undelivered", not "failed".
_REPORTED = {ErrorCode.UNDELIVERED.value, ErrorCode.REPORT_EXPIRED.value}
_STATUS = {"sent": "sent", "delivered": "delivered", "cancelled": "canceled"}


def sid(identifier: str, prefix: str = "msg") -> str:
    number = ids.number(identifier, prefix)
    assert number is not None, identifier
    return f"SM{number:032x}"


def message_id(value: str) -> str | None:
    """The id of a message SID; None for anything that is not one of this gateway's."""
    if not _SID.fullmatch(value):
        return None
    return ids.from_number("msg", int(value[2:], 16))


def rfc2822(ts: float | None) -> str | None:
    """"Mon, 16 Aug 2010 03:45:01 +0000", whatever the locale."""
    if ts is None:
        return None
    return format_datetime(datetime.fromtimestamp(int(ts), timezone.utc))


def error_code(status: str, code: str | None, detail: int | None) -> int | None:
    """Twilio's number for why a message failed or expired (None when it did not)."""
    if status not in ("failed", "expired"):
        return None
    if code == ErrorCode.NETWORK_REJECTED:
        return _CMS.get(detail, UNKNOWN_ERROR)
    if code in _REPORTED:
        return _TP_ST.get(detail, UNREACHABLE if code == ErrorCode.REPORT_EXPIRED else UNKNOWN_ERROR)
    if code == ErrorCode.VALIDITY_EXPIRED or (code is None and status == "expired"):
        return VALIDITY_EXPIRED
    return UNKNOWN_ERROR


def status(row: dict, now: float, parts: Sequence[dict] | None = None) -> str:
    """Twilio's status of a message row (a snapshot's fields will do: status, error_code)."""
    core = row["status"]
    if core == "queued":
        if (row.get("scheduled_at") or 0) > now:
            return "scheduled"
        # A part handed to a modem (or past it) while the message is still queued.
        return "sending" if any(p["status"] != "queued" for p in parts or ()) else "queued"
    if core in ("failed", "expired"):
        return "undelivered" if row.get("error_code") in _REPORTED else "failed"
    return _STATUS[core]


def message_uri(account: str, message_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account}/Messages/{message_sid}"


def message(row: dict, account: str, now: float, parts: Sequence[dict] | None = None) -> dict:
    """The Message resource, with Twilio's field names and formats."""
    message_sid = sid(row["id"])
    base = message_uri(account, message_sid)
    code = error_code(row["status"], row.get("error_code"), row.get("error_detail"))
    return {
        "account_sid": account,
        "api_version": API_VERSION,
        "body": row["text"],
        "date_created": rfc2822(row["created_at"]),
        "date_sent": rfc2822(row["sent_at"]),
        "date_updated": rfc2822(row.get("updated_at") or row["created_at"]),
        "direction": "outbound-api",
        "error_code": code,
        "error_message": row.get("error") if code is not None else None,
        "from": row["sender"],
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": str(row["segments"]),
        "price": None,
        "price_unit": PRICE_UNIT,
        "sid": message_sid,
        "status": status(row, now, parts),
        "subresource_uris": {"media": base + "/Media.json"},
        "to": row["to_number"],
        "uri": base + ".json",
    }


def page(key: str, items: list[dict], path: str, filters: Sequence[tuple[str, str]], size: int,
         number: int, *, token: str | None = None, next_token: str | None = None,
         previous_token: str | None = None) -> dict:
    """A list page: `items` under `key`, and the URIs (relative to the base URL, as Twilio's
    are to https://api.twilio.com) of this page, the first, the next and the previous."""
    def uri(page_number: int, token: str | None = None) -> str:
        query = [*filters, ("PageSize", str(size)), ("Page", str(page_number))]
        return f"{path}?{urlencode(query + ([('PageToken', token)] if token else []))}"
    return {
        key: items,
        "first_page_uri": uri(0),
        "next_page_uri": uri(number + 1, next_token) if next_token else None,
        "page": number,
        "page_size": size,
        "previous_page_uri": uri(max(number - 1, 0), previous_token) if previous_token else None,
        "uri": uri(number, token),
    }
