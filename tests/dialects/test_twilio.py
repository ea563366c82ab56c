"""Twilio's Messages API (modemgw/dialects/twilio/) driven by the real `twilio` package.

Twilio's documented examples (github.com/TwilioDevEd/api-snippets, the code samples of
twilio.com/docs: rest/messages/*, rest/message/*, quickstart/python/sms/*) are run as
printed against a whole gateway on simulated modems: the Python ones with one line added
after `client = Client(...)`, pointing the client at the gateway (twilio-python's
`client.api.base_url`), the curl ones with curl (a ~/.curlrc of the test's own records the
HTTP status). Swapped: the base URL, the account SID and auth token, the SIDs of messages
(the documented ones are Twilio's) and the StatusCallback URL (a receiver on loopback).
Status callbacks and received messages are checked with twilio's own RequestValidator.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aiohttp import web
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from modemgw.config import Config, ConfigError, SimulatorConfig
from modemgw.core import (Core, CoreError, ErrorCode, Forbidden, Invalid, NoCapacity, NotFound, Problem,
                          RateLimited, Unauthenticated)
from modemgw.core.ratelimit import RateLimiter
from modemgw.dialects import DialectConfig
from modemgw.dialects.twilio import DIALECT, create_app, errors, requests, responses
from modemgw.dialects.twilio.errors import Refused
from modemgw.dialects.twilio.webhooks import Callbacks, sign
from modemgw.service import Gateway
from modemgw.sms import ConcatReferences
from modemgw.store import Store
from modemgw.store.ids import new_id
from modemgw.store.keys import Credentials, derive
from modemgw.web.edge import CORE, ServerFault
from modemgw.webhooks.formats import Delivery

from .live import ready

TWILIO = "https://api.twilio.com"
PLACEHOLDER_SID = "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
PLACEHOLDER_TOKEN = "your_auth_token"
DOCUMENTED_SID = "MM800f449d0399ed014aae2bcc0cc2f2ec"
REQUESTBIN = "http://requestb.in/1234abcd"
TIMEOUT = 20.0

# -- Twilio's examples, verbatim (TwilioDevEd/api-snippets) ---------------------------------

SEND_SMS = '''import os
from twilio.rest import Client

# put your own credentials here
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = os.environ['TWILIO_AUTH_TOKEN']

client = Client(account_sid, auth_token)

client.messages.create(
    to="+15558675310",
    from_="+15017122661",
    body="This is the ship that made the Kessel Run in fourteen parsecs?"
)
'''   # rest/messages/send-sms/send-sms.9.x.py

SEND_SMS_CALLBACK = '''import os
from twilio.rest import Client

# put your own credentials here
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = os.environ['TWILIO_AUTH_TOKEN']

client = Client(account_sid, auth_token)

client.messages.create(
    to="+15558675310",
    from_="+15017122661",
    body="McAvoy or Stewart? These timelines can get so confusing.",
    status_callback="http://requestb.in/1234abcd"
)
'''   # rest/messages/send-sms-callback/send-sms-callback.9.x.py

SEND_MMS = '''import os
from twilio.rest import Client

# put your own credentials here
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = os.environ['TWILIO_AUTH_TOKEN']

client = Client(account_sid, auth_token)

client.messages.create(
    to="+15558675310",
    from_="+15017122661",
    body="This is the ship that made the Kessel Run in fourteen parsecs?",
    media_url="https://c1.staticflickr.com/3/2899/14341091933_1e92e62d12_b.jpg"
)
'''   # rest/messages/send-message/example-1.9.x.py

QUICKSTART_SEND = '''# /usr/bin/env python
# Download the twilio-python library from twilio.com/docs/libraries/python
import os
from twilio.rest import Client

# Find these values at https://twilio.com/user/account
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = os.environ['TWILIO_AUTH_TOKEN']

client = Client(account_sid, auth_token)

client.api.account.messages.create(
    to="+12316851234",
    from_="+15555555555",
    body="Hello there!")
'''   # quickstart/python/sms/example-1/send_notifications.9.x.py

QUICKSTART_MMS = '''# /usr/bin/env python
# Download the twilio-python library from twilio.com/docs/libraries/python
import os
from twilio.rest import Client

# Find these values at https://twilio.com/user/account
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = "YYYYYYYYYYYYYYYYYY"
client = Client(account_sid, auth_token)

message = client.api.account.messages.create(
    to="+12316851234",
    from_="+15555555555",
    body="Hello there!",
    media_url=['https://demo.twilio.com/owl.png',
               'https://demo.twilio.com/logo.png'])
'''   # quickstart/python/sms/example-2/send_notifications.9.x.py

SENDING_MESSAGES = '''# Download the Python helper library from twilio.com/docs/python/install
import os
from twilio.rest import Client

# Your Account Sid and Auth Token from twilio.com/user/account
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = os.environ['TWILIO_AUTH_TOKEN']
client = Client(account_sid, auth_token)

message = client.messages.create(
    "+15558675310",
    body="Let's grab lunch at Milliways tomorrow!",
    from_="+14158141829",
    media_url="http://www.example.com/cheeseburger.png"
)

print(message.sid)
'''   # rest/sending-messages/example-1/example-1.9.x.py

FETCH = '''# Download the Python helper library from twilio.com/docs/python/install
import os
from twilio.rest import Client

# Your Account Sid and Auth Token from twilio.com/user/account
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = os.environ['TWILIO_AUTH_TOKEN']
client = Client(account_sid, auth_token)

message = client.messages("MM800f449d0399ed014aae2bcc0cc2f2ec") \\
                .fetch()

print(message.body)
'''   # rest/message/instance-get-example-1/instance-get-example-1.9.x.py

DELETE = '''# Download the Python helper library from twilio.com/docs/python/install
import os
from twilio.rest import Client

# Your Account Sid and Auth Token from twilio.com/user/account
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = os.environ['TWILIO_AUTH_TOKEN']
client = Client(account_sid, auth_token)

client.messages("MM800f449d0399ed014aae2bcc0cc2f2ec") \\
    .delete()  # Deletes entire message record
'''   # rest/message/instance-delete/example-1.9.x.py

REDACT = '''# Download the Python helper library from twilio.com/docs/python/install
import os
from twilio.rest import Client

# Your Account Sid and Auth Token from twilio.com/user/account
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = os.environ['TWILIO_AUTH_TOKEN']
client = Client(account_sid, auth_token)

client.messages("MMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX") \\
      .update(body="")
'''   # rest/message/instance-post-example-1/instance-post-example-1.9.x.py

LIST = '''# Download the Python helper library from twilio.com/docs/python/install
import os
from twilio.rest import Client

# Your Account Sid and Auth Token from twilio.com/user/account
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = os.environ['TWILIO_AUTH_TOKEN']
client = Client(account_sid, auth_token)

# A list of message objects with the properties described above
for message in client.messages.list():
    print(message.direction)
'''   # rest/message/list-get-example-1/list-get-example-1.9.x.py

LIST_FILTERED = '''# Download the Python helper library from twilio.com/docs/libraries/python
import os
from datetime import date
from twilio.rest import Client

# Your Account Sid and Auth Token from twilio.com/console
# To set up environmental variables, see http://twil.io/secure
account_sid = os.environ['TWILIO_ACCOUNT_SID']
auth_token = os.environ['TWILIO_AUTH_TOKEN']
client = Client(account_sid, auth_token)

# A list of message objects with filtering
messages = client.messages \\
                 .list(to='+15558675310',
                       from_='+15017122661',
                       date_sent=date(2016, 8, 31))

for message in messages:
    print(message.direction)
'''   # rest/message/list-get-example-2/list-get-example-2.9.x.py

CURL_SEND_SMS = r"""curl -X POST 'https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json' \
--data-urlencode 'To=+15558675310'  \
--data-urlencode 'From=+15017122661'  \
--data-urlencode 'Body=This is the ship that made the Kessel Run in fourteen parsecs?'  \
-u ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:your_auth_token"""   # rest/messages/send-sms/send-sms.json.curl

CURL_SEND_SMS_CALLBACK = r"""curl -X POST 'https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json' \
--data-urlencode 'To=+15558675310'  \
--data-urlencode 'From=+15017122661'  \
--data-urlencode 'Body=McAvoy or Stewart? These timelines can get so confusing.'  \
--data-urlencode 'StatusCallback=http://requestb.in/1234abcd'  \
-u ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:your_auth_token"""   # rest/messages/send-sms-callback/*.json.curl

CURL_SEND_MMS = r"""curl -X POST 'https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json' \
--data-urlencode 'To=+15558675310'  \
--data-urlencode 'From=+15017122661'  \
--data-urlencode 'Body=This is the ship that made the Kessel Run in fourteen parsecs?'  \
-d 'MediaUrl=https://c1.staticflickr.com/3/2899/14341091933_1e92e62d12_b.jpg' \
-u ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:your_auth_token"""   # rest/messages/send-message/example-1.json.curl

CURL_FETCH = r"""curl -G https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/MM800f449d0399ed014aae2bcc0cc2f2ec.json \
    -u 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:your_auth_token'"""   # rest/message/instance-get-example-1

CURL_REDACT = r"""curl -XPOST https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/MM800f449d0399ed014aae2bcc0cc2f2ec.json \
    -d "Body=" \
    -u 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:your_auth_token'"""   # rest/message/instance-post-example-1

CURL_DELETE = r"""curl -XDELETE https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/MM800f449d0399ed014aae2bcc0cc2f2ec.json """
# rest/message/instance-delete/example-1.json.curl (as printed, without credentials)

CURL_LIST = r"""curl -G https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json \
    -u 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:your_auth_token'"""   # rest/message/list-get-example-1

CURL_LIST_FILTERED = r"""curl -G https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json \
  -d "To=+15558675310" \
  -d "From=+15017122661" \
  -d "DateSent>=2016-08-31" \
  -u 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:your_auth_token'"""   # rest/message/list-get-example-2

# The documented Message resource (rest/messages/send-sms/output/send-sms.json): its keys.
RESOURCE_KEYS = {"sid", "date_created", "date_updated", "date_sent", "account_sid", "to", "from",
                 "messaging_service_sid", "body", "status", "num_segments", "num_media", "direction",
                 "api_version", "price", "price_unit", "error_code", "error_message", "uri",
                 "subresource_uris"}
PAGE_KEYS = {"page", "page_size", "uri", "first_page_uri", "next_page_uri", "previous_page_uri", "messages"}
ERROR_KEYS = {"code", "message", "more_info", "status"}
# The TwiML a quickstart's incoming-message webhook answers (quickstart/python/sms/example-3).
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hello, Mobile Monkey</Message></Response>'


# -- a gateway, its Twilio credentials, a receiver -------------------------------------------

@dataclass(frozen=True, slots=True)
class Post:
    url: str
    path: str
    form: dict[str, str]
    signature: str
    valid: bool                       # twilio's RequestValidator accepts its X-Twilio-Signature


@dataclass
class Receiver:
    """A status callback and incoming message endpoint on loopback, checking each POST as a
    Twilio app does (RequestValidator over the URL it was called at and the form)."""
    token: str
    posts: list[Post] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def handle(self, request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        valid = RequestValidator(self.token).validate(str(request.url), form, signature)
        self.posts.append(Post(str(request.url), request.path, form, signature, valid))
        async with self.changed:
            self.changed.notify_all()
        return web.Response(text=TWIML, content_type="text/xml")

    async def wait(self, predicate, timeout: float = TIMEOUT):
        async with asyncio.timeout(timeout):
            async with self.changed:
                return await self.changed.wait_for(lambda: predicate(self.posts))

    async def statuses(self, message_sid: str, final: str) -> list[Post]:
        """The callbacks of a message, once one says `final`."""
        mine = lambda posts: [p for p in posts if p.form.get("MessageSid") == message_sid]  # noqa: E731
        await self.wait(lambda posts: any(p.form["MessageStatus"] == final for p in mine(posts)))
        return mine(self.posts)


@dataclass
class Twilio:
    gateway: Gateway
    receiver: Receiver
    hooks: str
    credentials: Credentials
    home: Path

    @property
    def base(self) -> str:
        return self.gateway.url + "/compat/twilio"

    @property
    def sid(self) -> str:
        return self.credentials.twilio_account_sid

    def client(self, token: str | None = None) -> Client:
        client = Client(self.sid, token or self.credentials.twilio_auth_token)
        client.api.base_url = self.base
        return client

    async def call(self, fn, *args, **kwargs):
        """twilio-python is synchronous: it runs in a thread while the gateway serves."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def swap(self, text: str, **more: str) -> str:
        for old, new in {TWILIO: self.base, PLACEHOLDER_SID: self.sid,
                         PLACEHOLDER_TOKEN: self.credentials.twilio_auth_token, **more}.items():
            text = text.replace(old, new)
        return text

    async def replay(self, snippet: str, **swap: str) -> str:
        """A documented Python example, run as printed but for the added base URL line;
        what it printed."""
        lines = self.swap(snippet, **swap).splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("client = Client("))
        lines.insert(at + 1, f"client.api.base_url = {self.base!r}")

        def run() -> str:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile("\n".join(lines), "<example>", "exec"), {"__name__": "example"})
            return out.getvalue()
        return await asyncio.to_thread(run)

    async def curl(self, example: str, **swap: str) -> tuple[int, dict | None]:
        """A documented curl command, run by curl: (HTTP status, the JSON it printed)."""
        process = await asyncio.create_subprocess_exec(
            "bash", "-c", self.swap(example, **swap), stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env={"HOME": str(self.home), "PATH": os.environ["PATH"]})
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        body, _, status = out.decode().rpartition("\n")
        return int(status), json.loads(body) if body.strip() else None


async def on_loopback(app: web.Application) -> tuple[web.AppRunner, str]:
    """`app` served on a free loopback port: its runner and its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"


async def _new_key(path: str, name: str) -> Credentials:
    store = Store(path)
    await store.open()
    try:
        return derive((await store.create_key(name))[1])
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def twilio(tmp_path, database: str, *, per_day: int | None = None, owner: bool = True, **config):
    """A gateway whose [dialects.twilio] inbound_account_sid names the key made for the test
    (made first, so that the config can name it), and a receiver at /sms and /status."""
    credentials = await _new_key(database, "twilio")
    receiver = Receiver(credentials.twilio_auth_token)
    app = web.Application()
    app.router.add_post("/{tail:.*}", receiver.handle)
    runner, hooks = await on_loopback(app)
    table = {"inbound_url": hooks + "/sms"}
    if owner:
        table["inbound_account_sid"] = credentials.twilio_account_sid
    gateway = Gateway(Config(listen_port=0, database=database, dialect_settings={"twilio": table},
                             simulators=(SimulatorConfig("sim-a", report_delay=0.05, per_day=per_day),),
                             **config))
    await gateway.start()
    try:
        await ready(gateway)
        home = tmp_path / "home"
        home.mkdir()
        # curl reads ~/.curlrc before the command line: the status is recorded without
        # adding anything to the documented command.
        (home / ".curlrc").write_text('silent\nwrite-out = "\\n%{http_code}"\n')
        yield Twilio(gateway, receiver, hooks, credentials, home)
    finally:
        await gateway.stop()
        await runner.cleanup()


@pytest.fixture
def env(monkeypatch):
    """The examples read the credentials from the environment, as Twilio tells users to."""
    def set_for(t: Twilio) -> None:
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", t.sid)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", t.credentials.twilio_auth_token)
    return set_for


def texts(t: Twilio, number: str) -> list[str]:
    return t.gateway.simulators["sim-a"].handset(number)


async def reaches(t: Twilio, sid: str, status: str):
    """The message once it shows `status` (polled: the API is how a client learns it)."""
    async with asyncio.timeout(TIMEOUT):
        while (message := await t.call(t.client().messages(sid).fetch)).status != status:
            await asyncio.sleep(0.05)
    return message


async def delivered(t: Twilio, number: str, count: int = 1) -> list[str]:
    sim = t.gateway.simulators["sim-a"]
    await sim.wait_for(lambda: len(sim.handset(number)) >= count, timeout=TIMEOUT)
    return sim.handset(number)


# -- the examples -----------------------------------------------------------------------------

async def test_the_python_examples_send_fetch_and_list(tmp_path, database, env):
    async with twilio(tmp_path, database) as t:
        env(t)
        await t.replay(SEND_SMS)
        await t.replay(QUICKSTART_SEND)
        assert await delivered(t, "+15558675310") == ["This is the ship that made the Kessel Run in fourteen parsecs?"]
        assert await delivered(t, "+12316851234") == ["Hello there!"]
        [hello, ship] = await t.call(t.client().messages.list)
        assert (ship.to, ship.from_, hello.from_) == ("+15558675310", "+15017122661", "+15555555555")
        await reaches(t, ship.sid, "delivered")
        assert await t.replay(FETCH, **{DOCUMENTED_SID: ship.sid}) == ship.body + "\n"
        assert await t.replay(LIST) == "outbound-api\noutbound-api\n"
        # Sent in 2016: none of this gateway's messages; then the same filter on today.
        assert await t.replay(LIST_FILTERED) == ""
        today = datetime.now(timezone.utc).date()
        assert await t.replay(LIST_FILTERED, **{"date(2016, 8, 31)": f"date({today:%Y, %-m, %-d})"}) == \
            "outbound-api\n"


async def test_the_curl_examples_get_the_documented_shapes(tmp_path, database):
    async with twilio(tmp_path, database) as t:
        status, sent = await t.curl(CURL_SEND_SMS)
        assert status == 201 and sent.keys() == RESOURCE_KEYS
        assert (sent["status"], sent["num_segments"], sent["num_media"], sent["direction"]) == \
            ("queued", "1", "0", "outbound-api")
        assert (sent["to"], sent["from"], sent["account_sid"]) == ("+15558675310", "+15017122661", t.sid)
        assert sent["uri"] == f"/2010-04-01/Accounts/{t.sid}/Messages/{sent['sid']}.json"
        await reaches(t, sent["sid"], "delivered")
        status, got = await t.curl(CURL_FETCH, **{DOCUMENTED_SID: sent["sid"]})
        assert status == 200 and got.keys() == RESOURCE_KEYS and got["sid"] == sent["sid"]
        assert got["status"] == "delivered" and got["date_sent"].endswith(" +0000")
        status, page = await t.curl(CURL_LIST)
        assert status == 200 and page.keys() == PAGE_KEYS
        assert [m["sid"] for m in page["messages"]] == [sent["sid"]]
        assert (page["page"], page["page_size"], page["next_page_uri"], page["previous_page_uri"]) == \
            (0, 50, None, None)
        assert page["first_page_uri"] == f"/2010-04-01/Accounts/{t.sid}/Messages.json?PageSize=50&Page=0"
        status, page = await t.curl(CURL_LIST_FILTERED)
        assert status == 200 and [m["sid"] for m in page["messages"]] == [sent["sid"]]
        assert page["uri"].endswith("Messages.json?To=%2B15558675310&From=%2B15017122661&"
                                    "DateSent%3E=2016-08-31&PageSize=50&Page=0")
        status, error = await t.curl(CURL_SEND_MMS)
        assert (status, error) == (400, {**error, "code": 21621, "status": 400}) and error.keys() == ERROR_KEYS
        status, error = await t.curl(CURL_DELETE, **{DOCUMENTED_SID: sent["sid"]})
        assert (status, error["code"], error["status"]) == (401, 20003, 401)
        status, error = await t.curl(CURL_REDACT, **{DOCUMENTED_SID: sent["sid"]})
        assert (status, error["code"]) == (400, errors.BAD_REQUEST) and "Body" in error["message"]
        status, error = await t.curl(CURL_FETCH)               # Twilio's own SID: not here
        assert (status, error["code"]) == (404, 20404)
        assert error["message"] == (f"The requested resource /2010-04-01/Accounts/{t.sid}/Messages/"
                                    f"{DOCUMENTED_SID}.json was not found")


async def test_the_examples_with_media_get_twilios_error_for_no_mms(tmp_path, database, env):
    async with twilio(tmp_path, database) as t:
        env(t)
        for example, swap in ((SEND_MMS, {}), (SENDING_MESSAGES, {}),
                              (QUICKSTART_MMS, {"YYYYYYYYYYYYYYYYYY": t.credentials.twilio_auth_token})):
            with pytest.raises(TwilioRestException) as raised:
                await t.replay(example, **swap)
            assert (raised.value.status, raised.value.code) == (400, 21621)
        assert await t.call(t.client().messages.list) == []


# -- status callbacks: delivered, failed, undelivered, expired ---------------------------

async def test_status_callbacks_are_signed_as_twilio_signs_them(tmp_path, database, env):
    async with twilio(tmp_path, database) as t:
        env(t)
        await t.replay(SEND_SMS_CALLBACK, **{REQUESTBIN: t.hooks + "/status?from=example"})
        status, sent = await t.curl(CURL_SEND_SMS_CALLBACK, **{REQUESTBIN: t.hooks + "/status"})
        [first] = [m for m in await t.call(t.client().messages.list) if m.sid != sent["sid"]]
        for sid in (first.sid, sent["sid"]):
            posts = await t.receiver.statuses(sid, "delivered")
            assert [p.form["MessageStatus"] for p in posts] == ["sent", "delivered"]
            assert all(p.valid for p in posts)
            # What Twilio's own handler reads (rest/messages/sms-handle-callback): MessageSid, MessageStatus.
            assert posts[-1].form == {
                "AccountSid": t.sid, "ApiVersion": "2010-04-01", "From": "+15017122661",
                "MessageSid": sid, "MessageStatus": "delivered", "SmsSid": sid, "SmsStatus": "delivered",
                "To": "+15558675310"}
        assert {p.path for p in t.receiver.posts} == {"/status"}
        # Over the URL as given, query included, with this key's auth token and no other.
        post = t.receiver.posts[0]
        assert post.url == t.hooks + "/status?from=example"
        assert not RequestValidator("0" * 32).validate(post.url, post.form, post.signature)
        assert not RequestValidator(t.credentials.twilio_auth_token).validate(
            t.hooks + "/status", post.form, post.signature)


async def test_callbacks_validate_at_the_url_the_receiver_is_called_at(tmp_path, database):
    """Signed over the URL as requested, which is what a receiver rebuilds (Flask's and
    aiohttp's request.url): escapes normalised, credentials and fragment left out."""
    async with twilio(tmp_path, database) as t:
        port = t.hooks.rsplit(":", 1)[1]
        urls = [t.hooks + "/status/", t.hooks + "/status?next=%2Fhome&tilde=%7e&bar=a|b&name=J%C3%BCrgen",
                f"http://user:secret@127.0.0.1:{port}/status?id=7", t.hooks + "/status#top",
                t.hooks + "/status?q=ä"]
        sids = [(await t.call(t.client().messages.create, to="+15558675310", body="where to",
                              status_callback=url)).sid for url in urls]
        for sid in sids:
            posts = await t.receiver.statuses(sid, "delivered")
            assert posts and all(p.valid for p in posts), [(p.url, p.valid) for p in posts]
        called = {p.url for p in t.receiver.posts}
        assert {t.hooks + "/status/", t.hooks + "/status?next=/home&tilde=~&bar=a%7Cb&name=J%C3%BCrgen",
                t.hooks + "/status?id=7", t.hooks + "/status", t.hooks + "/status?q=%C3%A4"} == called


@pytest.mark.parametrize("fault, status, code", [
    ({"cms": 28}, "failed", 30005),            # the network refused it: unidentified subscriber
    ({"tp_st": 0x43}, "undelivered", 30005),   # the status report: not obtainable
    ({"tp_st": 0x46}, "undelivered", 30003),   # the report: its validity expired (core: expired)
])
async def test_failed_undelivered_and_expired_messages(tmp_path, database, fault, status, code):
    async with twilio(tmp_path, database) as t:
        sim = t.gateway.simulators["sim-a"]
        number = "+15551230301"
        if "cms" in fault:
            sim.faults.cms_error_destinations[number] = fault["cms"]
        else:
            sim.network.report_status[number] = fault["tp_st"]
        message = await t.call(t.client().messages.create, to=number, body="anyone there?",
                               status_callback=t.hooks + "/status")
        posts = await t.receiver.statuses(message.sid, status)
        assert posts[-1].valid and posts[-1].form["ErrorCode"] == str(code)
        got = await t.call(t.client().messages(message.sid).fetch)
        assert (got.status, got.error_code) == (status, code) and got.error_message


async def test_a_message_not_sent_within_its_validity_period_fails_with_30036(tmp_path, database):
    async with twilio(tmp_path, database, per_day=0) as t:           # the daily cap holds everything back
        message = await t.call(t.client().messages.create, to="+15551230302", body="too late",
                               validity_period=300, status_callback=t.hooks + "/status")
        assert message.status == "queued"
        # Five minutes on, for the dispatcher and for the webhook sender (the callback is due
        # at the time the message expired).
        t.gateway.dispatcher.clock = t.gateway.webhooks.clock = lambda: time.time() + 301
        t.gateway.dispatcher.notify()
        [post] = await t.receiver.statuses(message.sid, "failed")
        assert post.valid and post.form["ErrorCode"] == "30036"
        got = await t.call(t.client().messages(message.sid).fetch)
        assert (got.status, got.error_code) == ("failed", 30036)


# -- received messages ------------------------------------------------------------------

async def test_a_received_message_is_posted_as_twilio_posts_one(tmp_path, database):
    async with twilio(tmp_path, database) as t:
        text = "Ahoy! 👋 " * 20                                # three parts
        t.gateway.simulators["sim-a"].inject_sms("+447700900123", text)
        [post] = await t.receiver.wait(lambda posts: [p for p in posts if p.path == "/sms"])
        assert post.valid                                   # the inbound_account_sid key's token
        sid = post.form["MessageSid"]
        assert post.form == {"AccountSid": t.sid, "ApiVersion": "2010-04-01", "Body": text,
                             "From": "+447700900123", "MessageSid": sid, "NumMedia": "0",
                             "NumSegments": "3", "SmsMessageSid": sid, "SmsSid": sid,
                             "SmsStatus": "received", "To": "sim-a"}
        assert sid.startswith("SM") and len(sid) == 34
        # The TwiML answer is not read: nothing was sent back.
        assert await t.call(t.client().messages.list) == []


async def test_without_an_inbound_account_the_gateways_secret_signs(tmp_path, database):
    async with twilio(tmp_path, database, owner=False) as t:
        t.gateway.simulators["sim-a"].inject_sms("+447700900124", "hi")
        [post] = await t.receiver.wait(lambda posts: posts)
        assert not post.valid and post.form["AccountSid"] == ""
        secret = await t.gateway.store.webhook_secret(None)
        assert RequestValidator(secret).validate(f"{t.hooks}/sms", post.form, sign(
            secret, f"{t.hooks}/sms", post.form))


async def test_received_messages_are_signed_for_the_named_key_while_it_is_active(database):
    store = Store(database, inbound_webhooks=[("http://127.0.0.1:9/sms", "twilio")],
                  inbound_owners={"twilio": ("twilio", "AC" + "0" * 32)})
    await store.open()
    try:
        key_id, key = await store.create_key("owner")
        store.inbound_owners["twilio"] = ("twilio", derive(key).twilio_account_sid)
        await store.store_inbound("sim-a", "+447700900125", "one", 1, True, None, [])
        await store.revoke_key(key_id)
        await store.store_inbound("sim-a", "+447700900125", "two", 1, True, None, [])
        rows = await store.webhook_deliveries()
        assert [(json.loads(r["body"])["text"], r["api_key_id"]) for r in rows] == [("two", None), ("one", key_id)]
    finally:
        await store.close()


# -- listing, scheduling, cancelling -------------------------------------------------------

async def test_listing_in_pages_forwards_and_back_with_filters(tmp_path, database):
    async with twilio(tmp_path, database) as t:
        client = t.client()
        sent = [await t.call(client.messages.create, to=f"+1555123040{i}", body=f"number {i}",
                             from_="+15017122661" if i % 2 else None) for i in range(5)]
        newest_first = [m.sid for m in reversed(sent)]
        assert [m.sid for m in await t.call(client.messages.list, page_size=2)] == newest_first
        assert [m.sid for m in await t.call(client.messages.list, limit=3)] == newest_first[:3]
        first = await t.call(client.messages.page, page_size=2)
        second = await t.call(first.next_page)
        third = await t.call(second.next_page)
        assert [[m.sid for m in p] for p in (first, second, third)] == \
            [newest_first[:2], newest_first[2:4], newest_first[4:]]
        assert third.next_page_url is None and first.previous_page_url is None
        back = await t.call(third.previous_page)
        assert [m.sid for m in back] == newest_first[2:4]
        assert [m.sid for m in await t.call(back.previous_page)] == newest_first[:2]
        assert [m.sid for m in await t.call(client.messages.list, to="+15551230403")] == [sent[3].sid]
        assert [m.sid for m in await t.call(client.messages.list, from_="+15017122661")] == \
            [sent[3].sid, sent[1].sid]
        await until_sent(t, 5)
        today = datetime.now(timezone.utc)
        for filters, expected in (({"date_sent": today.date()}, newest_first),
                                  ({"date_sent_after": today}, newest_first),
                                  ({"date_sent_before": today}, newest_first),
                                  ({"date_sent_before": today - timedelta(days=1)}, []),
                                  ({"date_sent_after": today + timedelta(days=1)}, []),
                                  ({"date_sent": date(2016, 8, 31)}, [])):
            assert [m.sid for m in await t.call(client.messages.list, **filters)] == expected, filters


async def until_sent(t: Twilio, count: int) -> None:
    """Until `count` messages have a date_sent (the listing's DateSent filters on it)."""
    async with asyncio.timeout(TIMEOUT):
        while sum(m.date_sent is not None for m in await t.call(t.client().messages.list)) < count:
            await asyncio.sleep(0.05)


async def test_scheduled_messages_are_scheduled_and_can_be_canceled(tmp_path, database, env):
    async with twilio(tmp_path, database) as t:
        env(t)
        client = t.client()
        later = datetime.now(timezone.utc) + timedelta(hours=1)
        # As Twilio's Message Scheduling page sends one (a Messaging Service SID is ignored).
        scheduled = [await t.call(client.messages.create, messaging_service_sid="MG" + "0" * 32,
                                  to="+15558675310", body="This is a scheduled message",
                                  schedule_type="fixed", send_at=later) for _ in range(2)]
        assert [m.status for m in scheduled] == ["scheduled", "scheduled"]
        canceled = await t.call(client.messages(scheduled[0].sid).update, status="canceled")
        assert canceled.status == "canceled"
        await t.replay(DELETE, **{DOCUMENTED_SID: scheduled[1].sid})
        assert (await t.call(client.messages(scheduled[1].sid).fetch)).status == "canceled"
        # One that went cannot be canceled, nor deleted.
        sent = await reaches(t, (await t.call(client.messages.create, to="+15558675311", body="gone")).sid,
                             "delivered")
        for call, code in ((client.messages(sent.sid).update, 30409), (client.messages(sent.sid).delete, 20009)):
            with pytest.raises(TwilioRestException) as raised:
                await t.call(call, **({"status": "canceled"} if code == 30409 else {}))
            assert (raised.value.status, raised.value.code) == (400, code)
        with pytest.raises(TwilioRestException) as raised:
            await t.replay(REDACT, MMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=sent.sid)
        assert (raised.value.status, raised.value.code) == (400, errors.BAD_REQUEST)
        assert await t.call(client.messages(sent.sid).media.list) == []


# -- refusals ----------------------------------------------------------------------------

@pytest.mark.parametrize("params, status, code", [
    ({"to": "+1", "body": "x"}, 400, 21211),
    ({"to": "", "body": "x"}, 400, 21604),
    ({"to": "+15558675310"}, 400, 21602),
    ({"to": "+15558675310", "body": ""}, 400, 21602),
    ({"to": "+15558675310", "body": "x" * 1601}, 400, 21617),
    ({"to": "+15558675310", "body": "x", "from_": "x" * 40}, 400, 21606),
    ({"to": "+15558675310", "body": "x", "status_callback": "ftp://example.com/"}, 400, 21609),
    ({"to": "+15558675310", "body": "x", "validity_period": 60}, 400, 21624),
    ({"to": "+15558675310", "body": "x", "schedule_type": "fixed"}, 400, 35111),
    ({"to": "+15558675310", "body": "x", "schedule_type": "fixed", "send_at": "soon"}, 400, 35114),
    ({"to": "+15558675310", "body": "x", "media_url": ["https://a/1.png", "https://a/2.png"]}, 400, 21621),
])
async def test_bad_requests_get_twilios_codes(tmp_path, database, params, status, code):
    async with twilio(tmp_path, database) as t:
        with pytest.raises(TwilioRestException) as raised:
            await t.call(t.client().messages.create, **params)
        assert (raised.value.status, raised.value.code) == (status, code)


async def test_credentials_and_accounts(tmp_path, database):
    async with twilio(tmp_path, database) as t:
        mine = await t.call(t.client().messages.create, to="+15558675310", body="mine")
        other = derive((await t.gateway.store.create_key("other"))[1])
        cases = [
            (lambda: t.client("0" * 32).messages.list(), 401, 20003),
            (lambda: t.client().api.v2010.accounts(other.twilio_account_sid).messages.list(), 404, 20404),
            (lambda: t.client().messages("SM" + "0" * 32).fetch(), 404, 20404),
            (lambda: t.client().messages("SMnothex").fetch(), 404, 20404),
        ]
        theirs = Client(other.twilio_account_sid, other.twilio_auth_token)
        theirs.api.base_url = t.base
        cases.append((lambda: theirs.messages(mine.sid).fetch(), 404, 20404))
        for call, status, code in cases:
            assert await refused(t, call) == (status, code)
        assert await t.call(theirs.messages.list) == []


async def refused(t: Twilio, call) -> tuple[int, int]:
    """(HTTP status, Twilio code) of a call twilio-python raises for: a TwilioRestException,
    or for a list page the TwilioException carrying the response."""
    try:
        await t.call(call)
    except TwilioRestException as exc:
        return exc.status, exc.code
    except TwilioException as exc:
        response = exc.args[1]
        return response.status_code, json.loads(response.text)["code"]
    raise AssertionError("not refused")


async def test_no_answer_is_a_500_or_a_traceback(tmp_path, database):
    async with twilio(tmp_path, database) as t:
        basic = base64.b64encode(f"{t.sid}:{t.credentials.twilio_auth_token}".encode()).decode()
        messages = f"{t.base}/2010-04-01/Accounts/{t.sid}/Messages"
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        cases = [
            ("POST", messages + ".json", {"data": b"To=%FF&Body=x", "headers": form}, 400),
            ("POST", messages + ".json", {"json": {"To": "+15558675310", "Body": "x"}}, 400),
            ("POST", messages + ".json", {"data": "To=%2B15558675310&To=%2B15558675311&Body=x",
                                          "headers": form}, 400),
            ("GET", messages + ".json?PageToken=PA123", {}, 400),
            ("GET", messages + ".json?PageSize=0", {}, 400),
            ("GET", messages + ".json?PageSize=abc", {}, 400),
            ("GET", messages + ".json?Page=-1", {}, 400),
            ("GET", messages + ".json?DateSent=yesterday", {}, 400),
            ("GET", messages + ".json?To=abc", {}, 21211),
            ("POST", messages + "/SM" + "0" * 32 + ".json", {"data": {"Status": "sent"}}, 20404),
            ("PUT", messages + ".json", {}, 20404),
            ("GET", f"{t.base}/2010-04-01/Accounts/{t.sid}/Calls.json", {}, 20404),
        ]
        async with aiohttp.ClientSession() as http:
            for method, url, kwargs, code in cases:
                headers = {"Authorization": f"Basic {basic}", **kwargs.pop("headers", {})}
                async with http.request(method, url, headers=headers, **kwargs) as resp:
                    body = await resp.json()
                assert body.keys() == ERROR_KEYS and body["code"] == code, (method, url, body)
                assert body["status"] == resp.status and 400 <= resp.status < 500
                assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
            for header in ("Basic !!!", "Bearer " + basic, f"Basic {base64.b64encode(t.sid.encode()).decode()}"):
                async with http.get(messages + ".json", headers={"Authorization": header}) as resp:
                    assert resp.status == 401 and resp.headers["WWW-Authenticate"] == 'Basic realm="Twilio API"'


async def test_the_auth_token_never_reaches_the_log(tmp_path, database, caplog):
    caplog.set_level(logging.DEBUG)
    async with twilio(tmp_path, database) as t:
        await t.call(t.client().messages.create, to="+15558675310", body="quiet",
                     status_callback=t.hooks + "/status")
        with pytest.raises(TwilioRestException):
            await t.call(t.client().messages("SM" + "f" * 32).fetch)
        await delivered(t, "+15558675310")
    assert t.credentials.twilio_auth_token not in caplog.text


async def test_the_rate_limit_is_20429_with_retry_after(database):
    store = Store(database)
    await store.open()
    app = web.Application()
    core = Core(store, references=ConcatReferences(), limiter=RateLimiter(2))
    app[CORE] = core
    app.add_subapp(DIALECT.prefix, create_app(core, DialectConfig()))
    runner, base = await on_loopback(app)
    try:
        credentials = derive((await store.create_key("limited"))[1])
        client = Client(credentials.twilio_account_sid, credentials.twilio_auth_token)
        client.api.base_url = base + DIALECT.prefix
        for _ in range(2):
            assert await asyncio.to_thread(client.messages.list) == []
        with pytest.raises(TwilioRestException) as raised:
            await asyncio.to_thread(client.messages("SM" + "0" * 32).fetch)
        assert (raised.value.status, raised.value.code) == (429, 20429)
        basic = base64.b64encode(f"{credentials.twilio_account_sid}:{credentials.twilio_auth_token}".encode())
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{client.api.base_url}/2010-04-01/Accounts/{credentials.twilio_account_sid}"
                                f"/Messages.json", headers={"Authorization": "Basic " + basic.decode()}) as resp:
                assert resp.status == 429 and int(resp.headers["Retry-After"]) >= 1
                assert (await resp.json())["code"] == 20429
    finally:
        await runner.cleanup()
        await store.close()


# -- the tables -----------------------------------------------------------------------------

NOW = 1_700_000_000.0


@pytest.mark.parametrize("row, parts, expected", [
    ({"status": "queued"}, None, "queued"),
    ({"status": "queued", "scheduled_at": NOW + 60}, None, "scheduled"),      # SendAt ahead
    ({"status": "queued", "scheduled_at": NOW - 60}, None, "queued"),
    ({"status": "queued"}, [{"status": "queued"}, {"status": "sending"}], "sending"),
    ({"status": "queued"}, [{"status": "sent"}, {"status": "queued"}], "sending"),
    ({"status": "sent"}, None, "sent"),
    ({"status": "delivered"}, None, "delivered"),
    ({"status": "failed", "error_code": "undelivered"}, None, "undelivered"),   # a status report said so
    ({"status": "expired", "error_code": "report_expired"}, None, "undelivered"),
    ({"status": "failed", "error_code": "network_rejected"}, None, "failed"),
    ({"status": "failed", "error_code": "retries_exhausted"}, None, "failed"),
    ({"status": "failed", "error_code": "delivery_unconfirmed"}, None, "failed"),
    ({"status": "expired", "error_code": "validity_expired"}, None, "failed"),
    ({"status": "expired", "error_code": "no_report"}, None, "failed"),
    ({"status": "cancelled"}, None, "canceled"),
])
def test_status_table(row, parts, expected):
    assert responses.status(row, NOW, parts) == expected


@pytest.mark.parametrize("status, code, detail, expected", [
    ("failed", "network_rejected", 1, 30005), ("failed", "network_rejected", 28, 30005),
    ("failed", "network_rejected", 8, 30004), ("failed", "network_rejected", 21, 30007),
    ("failed", "network_rejected", 27, 30003), ("failed", "network_rejected", 500, 30008),
    ("failed", "retries_exhausted", 512, 30008),
    ("expired", "validity_expired", None, 30036),
    ("failed", "undelivered", 0x41, 30006), ("failed", "undelivered", 0x43, 30005),
    ("failed", "undelivered", 0x62, 30003), ("failed", "undelivered", 0x63, 30007),
    ("failed", "undelivered", 0x40, 30008),
    ("expired", "report_expired", 0x46, 30003),
    ("expired", "no_report", None, 30008), ("failed", "delivery_unconfirmed", None, 30008),
    ("failed", None, None, 30008), ("expired", None, None, 30036),
    ("delivered", None, None, None), ("sent", None, None, None), ("cancelled", None, None, None),
])
def test_error_code_table(status, code, detail, expected):
    assert responses.error_code(status, code, detail) == expected


def test_every_core_error_code_is_mapped():
    assert {c.value for c in ErrorCode} <= {
        "network_rejected", "retries_exhausted", "validity_expired", "undelivered", "report_expired",
        "no_report", "delivery_unconfirmed"}


@pytest.mark.parametrize("error, status, code", [
    (Unauthenticated("no"), 401, 20003),
    (NotFound("no"), 404, 20404),
    (Forbidden("not yours"), 404, 20404),
    (RateLimited("slow down", 3), 429, 20429),
    (NoCapacity("caps"), 400, 21611),
    (Invalid("To", "bad", Problem.NUMBER), 400, 21211),
    (Invalid("From", "bad", Problem.SENDER), 400, 21606),
    (Invalid("Body", "Body is required"), 400, 21602),
    (Invalid("Body", "too long", Problem.TOO_LONG), 400, 21617),
    (Invalid("StatusCallback", "bad"), 400, 21609),
    (Invalid("ValidityPeriod", "bad"), 400, 21624),
    (Invalid("SendAt", "bad"), 400, 35114),
    (Invalid("PageSize", "bad"), 400, 400),
    (Invalid(None, "bad"), 400, 400),
    (Refused(21604, "To?"), 400, 21604),
    (ServerFault("oops"), 500, 20500),
    (CoreError("anything else"), 500, 20500),
])
def test_error_table(error, status, code):
    response = errors.render(error)
    body = json.loads(response.body)
    assert (response.status, body) == (status, {"code": code, "message": error.message,
                                                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                                                "status": status})


@pytest.mark.parametrize("params", [
    {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered"},
    {"Body": "Grüße 👋 & more = +1 %20", "From": "+447700900123", "To": "sim-a"},
    {"B": "1", "A": "2", "AB": "3", "a": "4"},           # sorted by name, byte order
    {},
])
def test_signatures_are_the_ones_twilios_validator_accepts(params):
    url = "https://example.com:8443/hooks/status?id=42&x=a+b"
    signature = sign("12345", url, params)
    validator = RequestValidator("12345")
    assert signature == validator.compute_signature(url, params)
    assert validator.validate(url, params, signature)
    assert not validator.validate(url, {**params, "Extra": "1"}, signature)
    assert not RequestValidator("54321").validate(url, params, signature)


@pytest.mark.parametrize("given, requested", [
    ("https://example.com/hooks/status", "https://example.com/hooks/status"),
    ("https://user:pw@example.com:8443/s?x=1#frag", "https://example.com:8443/s?x=1"),
    ("http://example.com/s?a=%7e&b=a|b&c=%2F", "http://example.com/s?a=~&b=a%7Cb&c=/"),
])
def test_the_signed_url_is_the_one_requested(given, requested):
    signature = sign("12345", given, {"A": "1"})
    assert RequestValidator("12345").validate(requested, {"A": "1"}, signature)


def test_the_callback_format_signs_received_messages_with_the_gateways_secret_without_an_owner():
    body = {"event": "message.received", "id": new_id("in"), "direction": "inbound", "from": "+447700900123",
            "text": "hi", "modem": "sim-a", "parts": 1, "complete": True, "sent_at": None, "received_at": None}
    out = Callbacks().render(Delivery(1, "message.received", "http://h/sms", json.dumps(body), 1, 0, None, "whsec_x"))
    form = dict(parse_qsl(out.body.decode(), keep_blank_values=True))
    assert form["From"] == "+447700900123" and form["AccountSid"] == ""
    assert RequestValidator("whsec_x").validate("http://h/sms", form, out.headers["X-Twilio-Signature"])
    assert Callbacks().render(Delivery(1, "message.queued", "http://h", "{}", 1, 0, None, "s")) is None


def test_sids_are_the_ids_own_bits():
    for _ in range(50):
        identifier = new_id("msg")
        sid = responses.sid(identifier)
        assert len(sid) == 34 and responses.message_id(sid) == identifier
    for bad in ("SM" + "A" * 32, "MM" + "a" * 32, "SM" + "a" * 31, "SMg" + "a" * 31, "", "SM"):
        assert responses.message_id(bad) is None


@pytest.mark.parametrize("params, expected", [
    ({"To": "+15558675310", "From": "+15017122661", "Body": "Hi"},
     {"to": ("+15558675310",), "sender": "+15017122661", "text": "Hi"}),
    # A + sent unencoded (curl -d "To=+1...") arrives as a space.
    ({"To": " 15558675310", "From": " 15017122661", "Body": "Hi"},
     {"to": ("+15558675310",), "sender": "+15017122661"}),
    ({"To": "+15558675310", "From": "", "Body": "Hi", "StatusCallback": ""},
     {"sender": None, "callback_url": None}),
    ({"To": "+15558675310", "Body": "Hi", "ValidityPeriod": "600"}, {"validity": 600}),
    ({"To": "+15558675310", "Body": "Hi", "ValidityPeriod": "ten"}, {"validity": "ten"}),   # the core refuses it
    ({"To": "+15558675310", "Body": "Hi", "SendAt": "2030-01-31T09:00:00Z", "ScheduleType": "fixed"},
     {"scheduled_at": "2030-01-31T09:00:00Z"}),
    ({"To": "+15558675310", "Body": "Hi", "SendAt": "2030-01-31T09:00:00 01:00"},
     {"scheduled_at": "2030-01-31T09:00:00+01:00"}),
    # Documented parameters a SIM has no use for, and unknown ones: ignored, as Twilio ignores those.
    ({"To": "+15558675310", "Body": "Hi", "MessagingServiceSid": "MG" + "0" * 32, "MaxPrice": "0.5",
      "ProvideFeedback": "true", "Attempt": "1", "SmartEncoded": "false", "Colour": "blue"},
     {"to": ("+15558675310",), "text": "Hi", "sender": None, "scheduled_at": None, "validity": None}),
])
def test_a_send_in_core_terms(params, expected):
    submission = requests.submission(params)
    assert {name: getattr(submission, name) for name in expected} == expected
    assert (submission.dialect, submission.max_characters) == ("twilio", 1600)


@pytest.mark.parametrize("params, since, until", [
    ({"DateSent": "2016-08-31"}, "2016-08-31", "2016-09-01"),
    ({"DateSent": "2016-08-31T00:00:00Z"}, "2016-08-31", "2016-09-01"),   # twilio-python's date
    ({"DateSent>": "2016-08-31"}, "2016-08-31", None),
    ({"DateSent<": "2016-08-31"}, None, "2016-09-01"),                     # on or before
    ({"DateSent>": "2016-08-01", "DateSent<": "2016-08-31"}, "2016-08-01", "2016-09-01"),
    ({"DateSent": "2016-08-31T23:30:00-02:00"}, "2016-09-01", "2016-09-02"),   # its GMT date
])
def test_date_filters_are_gmt_days(params, since, until):
    def day(text):
        return None if text is None else datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()
    q = requests.listing(params, lambda value, name: value)
    assert (q.sent_since, q.sent_until) == (day(since), day(until))


@pytest.mark.parametrize("options", [{"inbound_acount_sid": "AC" + "0" * 32}, {"inbound_account_sid": "AC123"}])
def test_a_bad_option_stops_the_start(options):
    with pytest.raises(ConfigError):
        create_app(None, DialectConfig(options=options))
