"""Status callbacks and received messages as Twilio POSTs them: a form, signed in
`X-Twilio-Signature` so that twilio's `RequestValidator(auth_token).validate(url, params,
signature)` accepts it.

The signature is Twilio's (https://www.twilio.com/docs/usage/security): base64 of the
HMAC-SHA1, keyed with the auth token, of the full URL followed by each parameter's name and
value, in name order. The URL is the one the request goes to, which is what a receiver
rebuilds from the request it gets: as aiohttp (yarl) sends it, without the user and
password (they go in an Authorization header) or the fragment, percent-escapes normalised
(`%7E` as `~`, `|` as `%7C`, non-ASCII escaped). The token is the one of the key the
message was sent with; a received message belongs to no key, and is signed with the token
of the key `[dialects.twilio] inbound_account_sid` names, or (none named, or that key
revoked) with the gateway's webhook secret (`modemgw keys secret`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import urlencode

from yarl import URL

from ...webhooks.formats import Delivery, Outgoing, snapshot
from . import responses
from .responses import API_VERSION

STATUS_EVENTS = ("message.sent", "message.delivered", "message.failed", "message.expired")


def sign(token: str, url: str, params: Mapping[str, str]) -> str:
    data = requested(url) + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def requested(url: str) -> str:
    """The URL as the webhook sender requests it: the callback URL as given would not match
    what the receiver sees when yarl re-quotes it or moves credentials out of it."""
    try:
        return str(URL(url).with_user(None).with_password(None).with_fragment(None))
    except (ValueError, TypeError):
        return url                  # the sender cannot request it either: it fails there


def _status(event: dict, account: str) -> dict[str, str]:
    message_sid = responses.sid(event["id"])
    state = responses.status(event, now=0.0)
    params = {"AccountSid": account, "ApiVersion": API_VERSION, "From": event["from"] or "",
              "MessageSid": message_sid, "MessageStatus": state, "SmsSid": message_sid,
              "SmsStatus": state, "To": event["to"]}
    code = responses.error_code(event["status"], event.get("error_code"), event.get("error_detail"))
    if code is not None:
        params["ErrorCode"] = str(code)
    return params


def _received(event: dict, account: str) -> dict[str, str]:
    message_sid = responses.sid(event["id"], "in")
    # The gateway does not know its SIMs' own numbers: `To` names the modem that received it.
    return {"AccountSid": account, "ApiVersion": API_VERSION, "Body": event["text"],
            "From": event["from"], "MessageSid": message_sid, "NumMedia": "0",
            "NumSegments": str(event["parts"]), "SmsMessageSid": message_sid, "SmsSid": message_sid,
            "SmsStatus": "received", "To": event["modem"]}


class Callbacks:
    """Twilio's form POSTs. The answer's body (TwiML, for a received message) is not read:
    a reply is sent through the API like any other message."""

    def render(self, delivery: Delivery) -> Outgoing | None:
        key = delivery.key or {}
        account = key.get("twilio_account_sid") or ""
        if delivery.event == "message.received":
            params = _received(snapshot(delivery), account)
        elif delivery.event in STATUS_EVENTS:
            params = _status(snapshot(delivery), account)
        else:
            return None
        token = key.get("twilio_auth_token") or delivery.secret
        return Outgoing(urlencode(params).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded",
                         "X-Twilio-Signature": sign(token, delivery.url, params)})
