"""The routes of Twilio's Messages resource over the core, behind HTTP Basic with a key's
account SID and auth token; the account in the path must be that key's."""

from __future__ import annotations

import base64
import binascii
import re

from aiohttp import web

from ...config import ConfigError
from ...core import Core, Forbidden, Invalid, NotFound, Unauthenticated
from ...web.edge import admit, core_of, sub_app
from ...web.params import read_params
from .. import DialectConfig
from . import errors, requests, responses
from .errors import Refused

MAX_BODY = 256 * 1024
ACCOUNT = "/2010-04-01/Accounts/{account}"
OPTIONS = ("inbound_account_sid",)
_ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")


async def _account(request: web.Request) -> tuple[dict, str]:
    """The key (admitted against its rate limit) and its account SID."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    sid = token = ""
    if scheme.lower() == "basic":
        try:
            sid, _, token = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            pass
    if not sid or not token:
        raise Unauthenticated("Authenticate: HTTP Basic with the account SID and the auth token")
    key = await admit(request, await core_of(request).authenticate_credential("twilio", sid, token))
    account = key["twilio_account_sid"]
    # Another account's resources do not exist for this one, as Twilio answers.
    if request.match_info["account"] != account:
        raise _missing(request)
    return key, account


def _missing(request: web.Request) -> NotFound:
    path = request.path
    return NotFound(f"The requested resource {path[path.find('/2010-04-01/'):]} was not found")


async def _message(request: web.Request, key: dict) -> dict:
    """The message the path names, with its parts, if it is this key's."""
    message_id = responses.message_id(request.match_info["message"])
    if message_id is None:
        raise _missing(request)
    try:
        return await core_of(request).get(message_id, key=key)
    except (NotFound, Forbidden):
        raise _missing(request) from None


async def _params(request: web.Request) -> dict[str, object]:
    """The query's and the form's parameters. One that cannot be read (given twice, not
    UTF-8, a body that is not a form) is a plain bad request, not a bad value of it."""
    try:
        return await read_params(request, MAX_BODY)
    except Invalid as err:
        if err.field == "MediaUrl":          # several media: refused as one is
            raise Refused(21621, requests.NO_MMS) from None
        raise Refused(errors.BAD_REQUEST, err.message) from None


def _cancel_error(code: int, err: Invalid) -> Refused:
    return Refused(code, f"This message cannot be canceled: {err.message}")


async def create(request: web.Request) -> web.Response:
    key, account = await _account(request)
    core = core_of(request)
    accepted = await core.send(requests.submission(await _params(request)), key=key)
    return web.json_response(responses.message(accepted.messages[0], account, core.wall_clock()), status=201)


async def fetch(request: web.Request) -> web.Response:
    key, account = await _account(request)
    row = await _message(request, key)
    return web.json_response(responses.message(row, account, core_of(request).wall_clock(), row["parts"]))


async def update(request: web.Request) -> web.Response:
    """`Status=canceled` cancels a message none of whose parts has gone to a modem."""
    key, account = await _account(request)
    core = core_of(request)
    row = await _message(request, key)
    params = await _params(request)
    if "Body" in params:
        raise Refused(errors.BAD_REQUEST, "Body: redacting a message is not supported: the gateway "
                                          "keeps the text of the messages it sent")
    if params.get("Status") != "canceled":
        raise Invalid("Status", "Status must be 'canceled' (the only change a message takes)")
    try:
        row = await core.cancel(row["id"], key=key)
    except Invalid as err:
        raise _cancel_error(30409, err) from None
    return web.json_response(responses.message(row, account, core.wall_clock(), row["parts"]))


async def delete(request: web.Request) -> web.Response:
    """Cancels a message none of whose parts has gone to a modem; a message that went is
    kept (Twilio's "cannot delete this resource before it is complete")."""
    key, _ = await _account(request)
    row = await _message(request, key)
    try:
        await core_of(request).cancel(row["id"], key=key)
    except Invalid as err:
        raise _cancel_error(20009, err) from None
    return web.Response(status=204)


async def index(request: web.Request) -> web.Response:
    """Outbound messages of this key, newest first, a page at a time."""
    key, account = await _account(request)
    core = core_of(request)
    q = requests.listing(await _params(request), core.number)
    rows = await core.store.list_messages(
        api_key_id=key["id"], to=q.to, sender=q.sender, sent_since=q.sent_since, sent_until=q.sent_until,
        after=q.after, before=q.before, limit=q.size + 1)
    if q.before is not None:
        # The page just newer than a message: the extra row is the first of a newer page still.
        items, newer, older = rows[-q.size:], len(rows) > q.size, True
    else:
        items, newer, older = rows[:q.size], q.after is not None, len(rows) > q.size
    now = core.wall_clock()
    return web.json_response(responses.page(
        "messages", [responses.message(r, account, now) for r in items],
        f"/2010-04-01/Accounts/{account}/Messages.json", q.filters, q.size, q.page, token=q.token,
        next_token=requests.token("A", items[-1]["id"]) if older and items else None,
        previous_token=requests.token("B", items[0]["id"]) if newer and items else None))


async def media(request: web.Request) -> web.Response:
    """A message's media: none, an SMS has no attachments."""
    key, account = await _account(request)
    row = await _message(request, key)
    path = responses.message_uri(account, responses.sid(row["id"])) + "/Media.json"
    return web.json_response(responses.page("media_list", [], path, (), requests.DEFAULT_PAGE_SIZE, 0))


def create_app(core: Core, config: DialectConfig) -> web.Application:
    unknown = sorted(set(config.options) - set(OPTIONS))
    if unknown:
        raise ConfigError(f"[dialects.twilio] {unknown[0]}: unknown key (known: inbound_url, "
                          f"{', '.join(OPTIONS)})")
    sid = config.options.get("inbound_account_sid")
    if sid is not None and not _ACCOUNT_SID.fullmatch(str(sid)):
        raise ConfigError("[dialects.twilio] inbound_account_sid: an account SID, AC and 32 hex digits, "
                          "as `modemgw keys create` prints it")
    return sub_app(errors.render, [
        ("POST", ACCOUNT + "/Messages.json", create),
        ("GET", ACCOUNT + "/Messages.json", index),
        ("GET", ACCOUNT + "/Messages/{message}.json", fetch),
        ("POST", ACCOUNT + "/Messages/{message}.json", update),
        ("DELETE", ACCOUNT + "/Messages/{message}.json", delete),
        ("GET", ACCOUNT + "/Messages/{message}/Media.json", media),
    ])
