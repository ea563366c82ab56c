"""Twilio's Messages API (`https://api.twilio.com`), served at `/compat/twilio` over the
message core, so that the `twilio` package and code written for it work with only the base
URL changed (docs/compat.md has the mapping).

- HTTP Basic with the account SID and auth token `modemgw keys create` prints for a key;
  `{AccountSid}` in the path must be that account's (another one's answers 20404).
- `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`: To, From, Body, StatusCallback,
  ValidityPeriod, SendAt with ScheduleType=fixed; 201 with the Message resource.
- `GET .../Messages/{MessageSid}.json`, `GET .../Messages.json` (To, From, DateSent,
  DateSent<, DateSent>, PageSize, Page, PageToken), `POST .../Messages/{MessageSid}.json`
  with Status=canceled, `DELETE .../Messages/{MessageSid}.json`, `GET .../Media.json`.
- Errors `{code, message, more_info, status}` with Twilio's codes (errors.py).
- StatusCallback and received messages as Twilio's signed form POSTs (webhooks.py);
  `[dialects.twilio] inbound_account_sid` names the key whose auth token signs the latter.
"""

from __future__ import annotations

from .. import Dialect, DialectConfig
from .app import create_app
from .webhooks import Callbacks


def inbound_owner(config: DialectConfig) -> tuple[str, str] | None:
    """The key received messages are signed for: the one whose account SID the config names."""
    sid = config.options.get("inbound_account_sid")
    return None if sid is None else ("twilio", str(sid))


DIALECT = Dialect("twilio", "/compat/twilio", create_app, Callbacks(), inbound_owner=inbound_owner)
