"""SMS Provider's API (modemgw/dialects/smsprovider.py) as its documentation shows it.

Every example of the provider's documentation is run as printed: the curl commands with
curl (only the base URL and the key swapped; a ~/.curlrc of the test's own records the
status and headers, so the command line stays the provider's), against a whole gateway
on simulated modems. Webhooks are checked with the provider's own Node `verifyWebhook`,
run by node as printed. The provider documents no inbound messages, so there is none
here (docs/compat.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from modemgw.config import Config, SimulatorConfig
from modemgw.core import Forbidden, Invalid, NoCapacity, NotFound, Problem, RateLimited, Unauthenticated
from modemgw.dialects.smsprovider import render
from modemgw.service import Gateway
from modemgw.web.edge import ServerFault
from test_dispatch import until
from test_gateway_e2e import ready, start_receiver

PROVIDER_BASE = "https://api.smsprovider.com/v1"
DOCUMENTED_ID = "msg_5f8d2b38c4a7f"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "compat.md"

# -- the provider's documentation, verbatim -----------------------------------------

ACCOUNT = r'''curl -X GET https://api.smsprovider.com/v1/account \
-H "Authorization: Bearer YOUR_API_KEY"'''

SEND = r'''curl -X POST https://api.smsprovider.com/v1/messages \
-H "Authorization: Bearer YOUR_API_KEY" \
-H "Content-Type: application/json" \
-d '{
"to": "+1234567890",
"message": "Hello from SMS Provider!",
"from": "YourBrand"
}' '''.rstrip()

SEND_RESPONSE = '''{
"success": true,
"message_id": "msg_5f8d2b38c4a7f",
"credits_used": 1,
"credits_remaining": 1229,
"status": "queued"
}'''

BULK = r'''curl -X POST https://api.smsprovider.com/v1/messages \
-H "Authorization: Bearer YOUR_API_KEY" \
-H "Content-Type: application/json" \
-d '{
"to": ["+1234567890", "+9876543210"],
"message": "Bulk message from SMS Provider!"
}' '''.rstrip()

STATUS = r'''curl -X GET https://api.smsprovider.com/v1/messages/msg_5f8d2b38c4a7f \
-H "Authorization: Bearer YOUR_API_KEY"'''

STATUS_RESPONSE = '''{
"message_id": "msg_5f8d2b38c4a7f",
"to": "+1234567890",
"from": "YourBrand",
"message": "Hello from SMS Provider!",
"status": "delivered",
"sent_at": "2023-12-01T15:23:45Z",
"delivered_at": "2023-12-01T15:23:48Z"
}'''

ERROR_RESPONSE = '''{
"success": false,
"error": {
"code": "insufficient_credits",
"message": "Your account has insufficient credits"
}
}'''

WEBHOOKS = r'''curl -X POST https://api.smsprovider.com/v1/webhooks \
-H "Authorization: Bearer YOUR_API_KEY" \
-H "Content-Type: application/json" \
-d '{
"url": "https://your-server.com/sms-webhook",
"events": ["message.delivered", "message.failed"]
}' '''.rstrip()

WEBHOOK_PAYLOAD = '''{
"event": "message.delivered",
"message_id": "msg_5f8d2b38c4a7f",
"to": "+1234567890",
"status": "delivered",
"delivered_at": "2023-12-01T15:23:48Z",
"timestamp": 1701446628
}'''

VERIFY_WEBHOOK = '''// Example verification in Node.js
const crypto = require('crypto');
function verifyWebhook(payload, signature, secret) {
const expectedSignature = crypto
.createHmac('sha256', secret)
.update(JSON.stringify(payload))
.digest('hex');
return crypto.timingSafeEqual(
Buffer.from(signature),
Buffer.from(expectedSignature)
);
}'''

STATUSES = {"queued", "sent", "delivered", "failed", "expired"}   # "Status Codes"


# -- running them -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]          # lower-case names
    body: dict


@dataclass(frozen=True, slots=True)
class Key:
    id: int
    key: str
    webhook_secret: str


class Provider:
    """The gateway with SMS Provider's base URL swapped in, and curl to call it."""

    def __init__(self, gateway: Gateway, home: Path) -> None:
        self.gateway = gateway
        self.base = f"{gateway.url}/compat/smsprovider/v1"
        self.home = home
        self.dumped = home / "headers"
        # curl reads ~/.curlrc before the command line: the status and headers are
        # recorded without adding anything to the documented command.
        (home / ".curlrc").write_text(f'silent\ndump-header = "{self.dumped}"\n'
                                      f'write-out = "\\n%{{http_code}}"\n')

    async def curl(self, example: str, key: str, **swap: str) -> Reply:
        command = example.replace(PROVIDER_BASE, self.base).replace("YOUR_API_KEY", key)
        for old, new in swap.items():
            command = command.replace(old, new)
        process = await asyncio.create_subprocess_exec(
            "bash", "-c", command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={"HOME": str(self.home), "PATH": os.environ["PATH"]})
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        body, _, status = out.decode().rpartition("\n")
        lines = self.dumped.read_text().splitlines()[1:]
        headers = {n.strip().lower(): v.strip() for n, _, v in (h.partition(":") for h in lines if h)}
        return Reply(int(status), headers, json.loads(body))

    async def key(self, name: str) -> Key:
        key_id, key = await self.gateway.store.create_key(name)
        return Key(key_id, key, await self.gateway.store.key_secret(key_id))


@contextlib.asynccontextmanager
async def provider(tmp_path, database: str, *, rate_limit=600, per_day=None):
    config = Config(listen_port=0, database=database, rate_limit_per_minute=rate_limit,
                    dialects=("smsprovider",),
                    simulators=(SimulatorConfig("sim-a", report_delay=0.05, per_day=per_day),))
    gateway = Gateway(config)
    await gateway.start()
    try:
        async with aiohttp.ClientSession(gateway.url) as http:
            await ready(http)
        home = tmp_path / "home"
        home.mkdir()
        yield Provider(gateway, home)
    finally:
        await gateway.stop()


def same_shape(got: object, documented: object, nullable: tuple[str, ...] = ()) -> bool:
    """The same keys, recursively, and values of the same JSON types (or null for the
    `nullable` keys: the times of what has not happened)."""
    if isinstance(documented, dict):
        return isinstance(got, dict) and got.keys() == documented.keys() and all(
            (k in nullable and got[k] is None) or same_shape(got[k], documented[k]) for k in documented)
    return type(got) is type(documented)


async def verify_webhooks(tmp_path, cases: list[tuple[bytes, str, str]]) -> list[bool]:
    """The provider's verifyWebhook, run by node as printed, on (body, signature, secret):
    the payload it is given is the JSON.parse of the body we sent."""
    script = tmp_path / "verify.js"
    script.write_text(VERIFY_WEBHOOK + "\n" + """
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(cases.map(c => verifyWebhook(JSON.parse(c.body), c.signature, c.secret))));
""")
    process = await asyncio.create_subprocess_exec(
        "node", str(script), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    payload = json.dumps([{"body": b.decode(), "signature": s, "secret": k} for b, s, k in cases])
    out, _ = await process.communicate(payload.encode())
    assert process.returncode == 0
    return json.loads(out)


def error_of(reply: Reply) -> str:
    assert same_shape(reply.body, json.loads(ERROR_RESPONSE)), reply.body
    assert reply.body["success"] is False and reply.body["error"]["message"]
    return reply.body["error"]["code"]


async def status_is(p: Provider, key: str, message_id: str, status: str) -> Reply | None:
    reply = await p.curl(STATUS, key, **{DOCUMENTED_ID: message_id})
    return reply if reply.body.get("status") == status else None


# -- the examples ------------------------------------------------------------------

async def test_the_documented_examples_get_the_documented_answers(tmp_path, database):
    async with provider(tmp_path, database) as p:
        key = (await p.key("docs")).key

        account = await p.curl(ACCOUNT, key)
        assert account.status == 200
        assert account.body == {"success": True, "account": {
            "name": "docs", "credits_remaining": 1_000_000, "rate_limit_per_minute": 600}}

        sent = await p.curl(SEND, key)
        assert sent.status == 200 and same_shape(sent.body, json.loads(SEND_RESPONSE))
        assert sent.body["success"] is True and sent.body["status"] == "queued"
        assert sent.body["message_id"].startswith("msg_")
        assert (sent.body["credits_used"], sent.body["credits_remaining"]) == (1, 1_000_000)

        delivered = await until(lambda: status_is(p, key, sent.body["message_id"], "delivered"))
        assert delivered.status == 200 and same_shape(delivered.body, json.loads(STATUS_RESPONSE))
        documented = json.loads(STATUS_RESPONSE)
        for field in ("to", "from", "message"):
            assert delivered.body[field] == documented[field]
        assert delivered.body["message_id"] == sent.body["message_id"]
        for field in ("sent_at", "delivered_at"):
            assert len(delivered.body[field]) == len(documented[field]) and delivered.body[field][-1] == "Z"
        assert delivered.body["sent_at"] <= delivered.body["delivered_at"]
        assert p.gateway.simulators["sim-a"].handset("+1234567890") == ["Hello from SMS Provider!"]

        bulk = await p.curl(BULK, key)
        assert bulk.status == 200 and bulk.body["success"] is True and bulk.body["credits_used"] == 2
        assert [m["to"] for m in bulk.body["messages"]] == ["+1234567890", "+9876543210"]
        assert bulk.body["message_id"] == bulk.body["messages"][0]["message_id"]
        for m in bulk.body["messages"]:
            assert await until(lambda m=m: status_is(p, key, m["message_id"], "delivered"))

        # Kept for the key: listed, then removed (nothing is ever sent to your-server.com:
        # this key's messages were sent before it existed and no more are).
        hook = await p.curl(WEBHOOKS, key)
        assert hook.status == 201 and hook.body["success"] is True
        assert hook.body["webhook"]["url"] == "https://your-server.com/sms-webhook"
        assert hook.body["webhook"]["events"] == ["message.delivered", "message.failed"]
        headers = {"Authorization": f"Bearer {key}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.get(f"{p.base}/webhooks") as resp:
                assert (await resp.json())["webhooks"] == [hook.body["webhook"]]
            async with http.delete(f"{p.base}/webhooks/{hook.body['webhook']['id']}") as resp:
                assert (resp.status, await resp.json()) == (200, {"success": True})
            async with http.get(f"{p.base}/webhooks") as resp:
                assert (await resp.json())["webhooks"] == []


async def test_webhooks_verify_with_the_providers_own_code(tmp_path, database):
    """callback_url gets every status change; a subscription (the documented request,
    its URL swapped for a receiver's) only the events it names. A delivered, a failed
    (the network refused it) and an expired message (its validity ran out at the SC)."""
    callbacks, callbacks_runner, callback_url = await start_receiver()
    subscribed, subscribed_runner, subscription_url = await start_receiver()
    try:
        async with provider(tmp_path, database) as p:
            hooks = await p.key("hooks")
            key, secret = hooks.key, hooks.webhook_secret
            sim = p.gateway.simulators["sim-a"]
            sim.faults.cms_error_destinations["+15551230902"] = 21        # rejected: never left
            sim.network.report_status["+15551230903"] = 0x46              # the SC gave up on it
            hook = await p.curl(WEBHOOKS, key, **{"https://your-server.com/sms-webhook": subscription_url})
            assert hook.status == 201
            ids = {}
            async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as http:
                for number in ("+15551230901", "+15551230902", "+15551230903"):
                    async with http.post(f"{p.base}/messages", json={
                            "to": number, "message": "Webhook test", "callback_url": callback_url}) as resp:
                        ids[number] = (await resp.json())["message_id"]
            finals = {ids["+15551230901"]: "message.delivered", ids["+15551230902"]: "message.failed",
                      ids["+15551230903"]: "message.expired"}
            await callbacks.wait(lambda calls: {(b["message_id"], b["event"]) for b, _, _ in calls}
                                 >= set(finals.items()))
            await subscribed.wait(lambda calls: len(calls) == 2)

            for body, _, _ in callbacks.calls + subscribed.calls:
                assert same_shape(body, json.loads(WEBHOOK_PAYLOAD), nullable=("delivered_at",)), body
                assert body["status"] in STATUSES and body["event"] == f"message.{body['status']}"
            by_event = {(b["message_id"], b["event"]): b for b, _, _ in callbacks.calls}
            delivered = by_event[(ids["+15551230901"], "message.delivered")]
            assert delivered["to"] == "+15551230901" and delivered["delivered_at"].endswith("Z")
            assert by_event[(ids["+15551230902"], "message.failed")]["status"] == "failed"
            assert by_event[(ids["+15551230903"], "message.expired")]["status"] == "expired"
            # Per message in order: sent before delivered or expired.
            for mid in (ids["+15551230901"], ids["+15551230903"]):
                assert [b["event"] for b, _, _ in callbacks.calls if b["message_id"] == mid][0] == "message.sent"
            # The subscription asked for message.delivered and message.failed only.
            assert sorted((b["message_id"], b["event"]) for b, _, _ in subscribed.calls) == sorted(
                [(ids["+15551230901"], "message.delivered"), (ids["+15551230902"], "message.failed")])

            calls = callbacks.calls + subscribed.calls
            cases = [(raw, headers["X-SMSProvider-Signature"], secret) for _, raw, headers in calls]
            assert all(headers["Content-Type"] == "application/json" for _, _, headers in calls)
            assert await verify_webhooks(tmp_path, cases) == [True] * len(cases)
            # ...and it tells a wrong secret or a changed body apart.
            raw, signature, _ = cases[0]
            wrong = "whsec_" + "x" * (len(secret) - 6)
            changed = raw.replace(b'"to":"', b'"to":"+1')
            assert await verify_webhooks(tmp_path, [(raw, signature, wrong), (changed, signature, secret)]) \
                == [False, False]

            for number, status in (("+15551230902", "failed"), ("+15551230903", "expired")):
                reply = await p.curl(STATUS, key, **{DOCUMENTED_ID: ids[number]})
                assert reply.status == 200 and reply.body["status"] == status
                # No `from` was given: null (the recipient saw the SIM's number).
                assert same_shape(reply.body, json.loads(STATUS_RESPONSE),
                                  nullable=("from", "sent_at", "delivered_at"))
                assert reply.body["delivered_at"] is None
            assert (await p.curl(STATUS, key, **{DOCUMENTED_ID: ids["+15551230902"]})).body["sent_at"] is None
    finally:
        await callbacks_runner.cleanup()
        await subscribed_runner.cleanup()


# -- errors ------------------------------------------------------------------------

async def test_a_missing_or_wrong_key_is_authentication_failed(tmp_path, database):
    async with provider(tmp_path, database) as p:
        verbatim = await p.curl(ACCOUNT, "YOUR_API_KEY")          # as printed, no key swapped in
        assert verbatim.status == 401 and error_of(verbatim) == "authentication_failed"
        revoked = await p.key("revoked")
        await p.gateway.store.revoke_key(revoked.id)
        for example in (ACCOUNT, SEND, BULK, STATUS, WEBHOOKS):
            reply = await p.curl(example, revoked.key)
            assert reply.status == 401 and error_of(reply) == "authentication_failed"
        no_header = await p.curl(f"curl -X GET {PROVIDER_BASE}/account", "")
        assert no_header.status == 401 and error_of(no_header) == "authentication_failed"


async def test_the_daily_caps_are_the_credits(tmp_path, database):
    """One part a day: the documented send uses it; the bulk send is insufficient_credits."""
    async with provider(tmp_path, database, per_day=1) as p:
        key = (await p.key("credits")).key
        sent = await p.curl(SEND, key)
        assert sent.status == 200 and (sent.body["credits_used"], sent.body["credits_remaining"]) == (1, 0)
        refused = await p.curl(BULK, key)
        assert refused.status == 402 and error_of(refused) == "insufficient_credits"
        again = await p.curl(SEND, key)          # the first holds the part, waiting or sent
        assert again.status == 402 and error_of(again) == "insufficient_credits"
        account = await p.curl(ACCOUNT, key)
        assert account.body["account"]["credits_remaining"] == 0
        assert await until(lambda: status_is(p, key, sent.body["message_id"], "delivered"))
        after = await p.curl(SEND, key)
        assert after.status == 402 and error_of(after) == "insufficient_credits"


@pytest.mark.parametrize("field, value, code", [
    ("to", "12345", "invalid_phone_number"),
    ("to", "+1 800 FLOWERS", "invalid_phone_number"),
    ("to", ["+1234567890", "not a number"], "invalid_phone_number"),
    ("to", 1234567890, "invalid_phone_number"),
    ("to", None, "invalid_phone_number"),
    ("message", "x" * 1601, "message_too_long"),
    ("message", "😀" * 1601, "message_too_long"),
    ("message", "", "invalid_request"),
    ("message", 5, "invalid_request"),
    ("scheduled_at", "tomorrow", "invalid_request"),
    ("scheduled_at", "2030-01-31T09:00:00", "invalid_request"),      # no offset
    ("callback_url", "ftp://example.com/", "invalid_request"),
    ("from", "", "invalid_request"),
    ("massage", "typo", "invalid_request"),                           # unknown field
])
async def test_bad_fields_get_the_providers_codes(tmp_path, database, field, value, code):
    async with provider(tmp_path, database) as p:
        key = (await p.key("bad")).key
        body = {"to": "+1234567890", "message": "Hello from SMS Provider!", field: value}
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as http:
            async with http.post(f"{p.base}/messages", json=body) as resp:
                reply = Reply(resp.status, {}, await resp.json())
        assert reply.status == 400 and error_of(reply) == code
        assert await p.gateway.store.list_messages() == []


async def test_the_longest_message_is_taken(tmp_path, database):
    async with provider(tmp_path, database) as p:
        key = (await p.key("long")).key
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as http:
            async with http.post(f"{p.base}/messages", json={"to": "+1234567890", "message": "x" * 1600}) as resp:
                assert resp.status == 200 and (await resp.json())["credits_used"] == 11


async def test_no_answer_is_a_500_or_a_traceback(tmp_path, database):
    async with provider(tmp_path, database) as p:
        key = (await p.key("odd")).key
        other = (await p.key("other")).key
        sent = await p.curl(SEND, key)
        cases = [("POST", "/messages", b"{", 400, "invalid_request"),
                 ("POST", "/messages", b"[]", 400, "invalid_request"),
                 ("POST", "/messages", b"", 400, "invalid_request"),
                 ("POST", "/messages", b'{"to": [], "message": "x"}', 400, "invalid_request"),
                 ("POST", "/webhooks", b'{"url": "https://example.com/", "events": ["nope"]}', 400,
                  "invalid_request"),
                 ("POST", "/webhooks", b'{"url": "not a url"}', 400, "invalid_request"),
                 ("DELETE", "/webhooks/12", b"", 404, "not_found"),
                 ("DELETE", "/webhooks/x", b"", 404, "not_found"),
                 ("DELETE", "/webhooks/" + "9" * 26, b"", 404, "not_found"),   # beyond SQLite's integers
                 ("DELETE", "/webhooks/%C2%B2", b"", 404, "not_found"),        # "²", a digit int() refuses
                 ("GET", "/messages/msg_nope", b"", 404, "not_found"),
                 ("GET", "/nowhere", b"", 404, "not_found"),
                 ("PUT", "/messages", b"", 404, "not_found")]
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as http:
            for method, path, data, status, code in cases:
                async with http.request(method, p.base + path, data=data) as resp:
                    reply = Reply(resp.status, {}, await resp.json())
                assert (reply.status, error_of(reply)) == (status, code), (method, path, data)
            async with http.get(f"{p.base}/messages/{sent.body['message_id']}",
                                headers={"Authorization": f"Bearer {other}"}) as resp:
                assert resp.status == 403 and error_of(Reply(resp.status, {}, await resp.json())) == "forbidden"


async def test_the_rate_limit_and_its_headers(tmp_path, database):
    async with provider(tmp_path, database, rate_limit=2) as p:
        key = (await p.key("limited")).key
        first, second, third = [await p.curl(ACCOUNT, key) for _ in range(3)]
        assert (first.status, second.status, third.status) == (200, 200, 429)
        assert error_of(third) == "rate_limit_exceeded"
        for reply, remaining in ((first, "1"), (second, "0"), (third, "0")):
            assert reply.headers["x-ratelimit-limit"] == "2"
            assert reply.headers["x-ratelimit-remaining"] == remaining
            assert int(reply.headers["x-ratelimit-reset"]) > 0
        assert int(third.headers["retry-after"]) >= 1
        refused = await p.curl(SEND, key)
        assert refused.status == 429 and error_of(refused) == "rate_limit_exceeded"
        assert await p.gateway.store.list_messages() == []


def test_the_docs_show_the_examples_on_the_gateway():
    """docs/compat.md reproduces each documented request with only the base URL swapped."""
    section = DOCS.read_text(encoding="utf-8").split("## SMS Provider", 1)[1].split("\n## ", 1)[0]
    for example in (ACCOUNT, SEND, BULK, STATUS, WEBHOOKS):
        assert example.replace(PROVIDER_BASE, "http://HOST:8080/compat/smsprovider/v1") in section


@pytest.mark.parametrize("error, status, code", [
    (Invalid("to", "x", Problem.NUMBER), 400, "invalid_phone_number"),
    (Invalid("message", "x", Problem.TOO_LONG), 400, "message_too_long"),
    (Invalid("from", "x", Problem.SENDER), 400, "invalid_request"),
    (Invalid("scheduled_at", "x"), 400, "invalid_request"),
    (Unauthenticated("x"), 401, "authentication_failed"),
    (NoCapacity("x"), 402, "insufficient_credits"),
    (Forbidden("x"), 403, "forbidden"),
    (NotFound("x"), 404, "not_found"),
    (RateLimited("x", 3), 429, "rate_limit_exceeded"),
    (ServerFault("x"), 500, "server_error"),
])
def test_error_table(error, status, code):
    response = render(error)
    assert response.status == status
    assert json.loads(response.text) == {"success": False, "error": {"code": code, "message": "x"}}
