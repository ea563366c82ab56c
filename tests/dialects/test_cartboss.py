"""The CartBoss guide's SMS sender API (docs/compat.md, "CartBoss-style guide"), against a
running gateway on simulated modems: the guide's examples replayed as printed (only the
base URL and the key swapped), its error table, status callbacks for a delivered, an
undelivered, a failed and an expired message, and an inbound message.

The guide prints its JSON with typographic quotes (“ ”), which its web page put there:
those bytes are not JSON, and a client sends straight ones. `straight()` changes only
those quotes; the test that sends them as printed shows the 400 a client would get.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import aiohttp
import pytest
import requests

from modemgw.core import ErrorCode, Forbidden, Invalid, NoCapacity, NotFound, RateLimited, Unauthenticated
from modemgw.core.ids import from_number, number
from modemgw.dialects import DialectConfig
from modemgw.dialects.cartboss import (Pricing, Status, create_app, native_id, public_id, render,
                                       status_of)
from modemgw.service import Gateway
from modemgw.store.ids import new_id
from modemgw.web.edge import ServerFault

from .live import Call, Live, live, signed

PREFIX = "/compat/cartboss/v1"

# The guide, "Formatting API Requests and Parameters": the request body of the send endpoint.
GUIDE_REQUEST = """{
“to”: “+14155552671”,
“from”: “CartBoss”,
“body”: “Hi there! Your order #1234 has been shipped and is on its way.”
}"""
# The guide, "What a Success Response Looks Like".
GUIDE_RESPONSE = """{
“status”: “queued”,
“message_id”: “a1b2c3d4-e5f6-7890-1234-56789abcdef0”,
“to”: “+14155552671”,
“remaining_balance”: “19.75”,
“message_price”: “0.0075”
}"""
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def straight(text: str) -> str:
    return text.replace("“", '"').replace("”", '"')


@dataclass
class Env:
    live: Live
    http: aiohttp.ClientSession           # with the key as a Bearer token
    base: str                             # the guide's API root, on the gateway
    hook: str                             # a status_callback on the receiver

    @property
    def gateway(self) -> Gateway:
        return self.live.gateway

    def callbacks(self, message_id: str) -> list[dict]:
        return [body for body in map(Call.json, self.live.receiver.at("/hook"))
                if body["message_id"] == message_id]

    def ended(self, message_id: str) -> bool:
        return any(body["status"] != "sent" for body in self.callbacks(message_id))

    async def wait(self, predicate) -> None:
        await self.live.receiver.wait(lambda _: predicate())


@contextlib.asynccontextmanager
async def cartboss(database: str, *, options: dict[str, str] | None = None, **config):
    """`options`: the `[dialects.cartboss]` table."""
    async with live(database, dialects={"cartboss": options or {}}, **config) as gateway:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {gateway.key}"}) as http:
            yield Env(gateway, http, gateway.url(PREFIX), gateway.hooks + "/hook")


async def call(env: Env, method: str, path: str, **kwargs) -> tuple[int, dict, dict]:
    async with env.http.request(method, env.base + path, **kwargs) as resp:
        return resp.status, await resp.json(), dict(resp.headers)


async def send(env: Env, **body) -> dict:
    status, answer, _ = await call(env, "POST", "/messages/send", json=body)
    assert status == 202, answer
    return answer


async def status_becomes(env: Env, message_id: str, wanted: str, timeout: float = 15.0) -> dict:
    """Polls the guide's status endpoint until the message has `wanted`."""
    async with asyncio.timeout(timeout):
        while True:
            status, message, _ = await call(env, "GET", f"/messages/{message_id}")
            assert status == 200, message
            if message["status"] == wanted:
                return message
            await asyncio.sleep(0.05)


def assert_error(status: int, body: dict, code: int, field: str | None = None) -> None:
    phrases = {400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
               404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}
    assert status == code and body["status"] == "error" and body["code"] == code, body
    assert body["error"] == phrases[code] and body["message"]
    assert body.get("field") == field, body


# -- the guide's examples --------------------------------------------------------

async def test_the_guides_request_with_requests_gives_its_response_and_is_delivered(database):
    """The guide's Python example: `requests`, the key in a Bearer header, its request body."""
    async with cartboss(database, options={"message_price": "0.0075"}) as env:
        resp = await asyncio.to_thread(
            requests.post, env.base + "/messages/send", data=straight(GUIDE_REQUEST).encode(),
            headers={"Authorization": f"Bearer {env.live.key}", "Content-Type": "application/json"},
            timeout=10)
        answer = resp.json()
        assert resp.status_code == 202
        documented = json.loads(straight(GUIDE_RESPONSE))
        assert answer.keys() == documented.keys()
        assert all(isinstance(answer[k], str) for k in documented)
        assert answer["status"] == "queued" and answer["to"] == documented["to"]
        assert answer["message_price"] == documented["message_price"]
        assert UUID.fullmatch(answer["message_id"])
        Decimal(answer["remaining_balance"])
        message = await status_becomes(env, answer["message_id"], "delivered")
        assert message["body"] == json.loads(straight(GUIDE_REQUEST))["body"]
        assert message["from"] == "CartBoss" and message["sent_at"] and message["delivered_at"]
        handset = env.gateway.simulators["sim-a"].handset("+14155552671")
        assert handset == [message["body"]]


async def test_the_guides_request_as_printed_is_a_400_in_the_guides_shape(database):
    async with cartboss(database) as env:
        status, body, _ = await call(env, "POST", "/messages/send", data=GUIDE_REQUEST.encode(),
                                     headers={"Content-Type": "application/json"})
        # No `field`: the guide's `body` is the text, which is not what is wrong here.
        assert_error(status, body, 400, None)
        assert "not valid JSON" in body["message"]


# -- status callbacks ------------------------------------------------------------

async def test_status_callbacks_for_delivered_undelivered_and_failed(database):
    async with cartboss(database) as env:
        sim = env.gateway.simulators["sim-a"]
        sim.network.report_status["+15551230002"] = 0x41      # incompatible destination
        sim.network.report_status["+15551230003"] = 0x46      # validity period expired, at the SC
        sim.faults.cms_error_destinations["+15551230004"] = 21   # short message transfer rejected
        cases = {"+15551230001": ("delivered", None), "+15551230002": ("undelivered", "undelivered"),
                 "+15551230003": ("undelivered", "report_expired"),
                 "+15551230004": ("failed", "network_rejected")}
        ids = {}
        for to in cases:
            answer = await send(env, to=to, body="Your cart misses you", status_callback=env.hook)
            ids[to] = answer["message_id"]
        await env.wait(lambda: all(env.ended(i) for i in ids.values()))
        for to, (status, code) in cases.items():
            calls = env.callbacks(ids[to])
            expected = [status] if status == "failed" else ["sent", status]
            assert [c["status"] for c in calls] == expected, calls
            last = calls[-1]
            assert last["event"] == f"message.{status}" and last["to"] == to
            assert last["error_code"] == code and (last["error_message"] is None) == (code is None)
            message = await status_becomes(env, ids[to], status)
            assert message["error_code"] == code
        secret = await env.live.secret()
        for call in env.live.receiver.at("/hook"):
            assert signed(call, secret) and call.headers["X-Modemgw-Event"] == call.json()["event"]


async def test_a_message_not_sent_within_its_validity_period_fails(database):
    async with cartboss(database) as env:
        sim = env.gateway.simulators["sim-a"]
        sim.unplug()                               # nothing can be sent
        answer = await send(env, to="+15551230005", body="too late", validity_period=300,
                            status_callback=env.hook)
        # The validity period passes: for the dispatcher, and for the webhook sender, which
        # would otherwise hold a delivery made "in 301 s" for as long.
        dispatcher = env.gateway.dispatcher
        dispatcher.clock = env.gateway.webhooks.clock = lambda: time.time() + 301
        dispatcher.notify()
        await env.wait(lambda: env.ended(answer["message_id"]))
        [callback] = env.callbacks(answer["message_id"])
        assert callback["status"] == "failed" and callback["error_code"] == "validity_expired"
        message = await status_becomes(env, answer["message_id"], "failed")
        assert message["validity_period"] == 300 and message["sent_at"] is None


async def test_inbound_messages_go_to_the_inbound_url(database):
    async with cartboss(database, options={"inbound_url": "/inbound"}) as env:
        text = "STOP sending me cart reminders 🛒 " * 6
        env.gateway.simulators["sim-a"].inject_sms("+447700900123", text)
        await env.live.receiver.wait(lambda _: env.live.receiver.at("/inbound"))
        [call] = env.live.receiver.at("/inbound")
        body = call.json()
        assert body["event"] == "message.received" and body["from"] == "+447700900123"
        assert body["body"] == text and body["complete"] is True and body["parts"] > 1
        assert UUID.fullmatch(body["message_id"]) and body["received_at"]
        assert signed(call, await env.live.inbound_secret())


# -- the optional parameters -----------------------------------------------------

async def test_schedule_for_holds_the_message_and_is_shown(database):
    async with cartboss(database) as env:
        at = int(time.time()) + 3600
        later = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        iso = await send(env, to="+15551230006", body="later", schedule_for=later)
        epoch = await send(env, to="+15551230007", body="later too", schedule_for=at)
        for answer in (iso, epoch):
            status, message, _ = await call(env, "GET", f"/messages/{answer['message_id']}")
            assert message["status"] == "queued"
            assert message["schedule_for"] == later.replace("Z", ".000Z")
        assert env.gateway.simulators["sim-a"].network.submitted == []


# -- errors: the guide's table ---------------------------------------------------

async def test_bad_requests_are_400_naming_the_field(database):
    async with cartboss(database) as env:
        good = {"to": "+14155552671", "body": "hi"}
        for body, field in [
            ({"body": "hi"}, "to"),
            ({**good, "to": "4155552671"}, "to"),              # not E.164
            ({**good, "to": "+1415555267"}, "to"),             # too short for +1
            ({**good, "to": ["+14155552671"]}, "to"),          # a single recipient
            ({"to": "+14155552671"}, "body"),
            ({**good, "body": ""}, "body"),
            ({**good, "from": ""}, "from"),
            ({**good, "status_callback": "ftp://example.com/x"}, "status_callback"),
            ({**good, "validity_period": 10}, "validity_period"),
            ({**good, "validity_period": "3600"}, "validity_period"),
            ({**good, "schedule_for": "tomorrow"}, "schedule_for"),
            ({**good, "schedule_for": "2030-01-31T09:00:00"}, "schedule_for"),   # no offset
            ({**good, "schedule_for": True}, "schedule_for"),
            ({**good, "message": "hi"}, "message"),            # not a field of the guide
        ]:
            status, answer, _ = await call(env, "POST", "/messages/send", json=body)
            assert_error(status, answer, 400, field)
        for raw in (b"[1]", b"", "{\"body\": \"é\"}".encode("latin-1")):      # not an object, none, not UTF-8
            status, answer, _ = await call(env, "POST", "/messages/send", data=raw,
                                           headers={"Content-Type": "application/json"})
            assert_error(status, answer, 400, None)


async def test_authentication_and_ownership(database):
    async with cartboss(database) as env:
        for headers in ({}, {"Authorization": "Bearer mgw_wrong_key_000000"},
                        {"Authorization": env.live.key}):             # no scheme
            async with aiohttp.ClientSession(headers=headers) as anonymous:
                async with anonymous.post(env.base + "/messages/send",
                                          data=straight(GUIDE_REQUEST).encode()) as resp:
                    assert_error(resp.status, await resp.json(), 401)
                    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        mine = await send(env, **json.loads(straight(GUIDE_REQUEST)))
        _, other = await env.gateway.store.create_key("someone else")
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {other}"}) as theirs:
            async with theirs.get(f"{env.base}/messages/{mine['message_id']}") as resp:
                assert_error(resp.status, await resp.json(), 403)
            async with theirs.get(f"{env.base}/messages") as resp:
                assert resp.status == 200 and (await resp.json())["messages"] == []
        for path in (f"/messages/{uuid.uuid4()}", "/messages/not-a-uuid", "/nothing/here"):
            status, answer, _ = await call(env, "GET", path)
            assert_error(status, answer, 404)


async def test_the_rate_limit_is_a_429_with_retry_after(database):
    async with cartboss(database, rate_limit_per_minute=2) as env:
        for _ in range(2):
            status, _, headers = await call(env, "GET", "/messages")
            assert status == 200 and "X-RateLimit-Remaining" in headers
        status, answer, headers = await call(env, "POST", "/messages/send",
                                             data=straight(GUIDE_REQUEST).encode())
        assert_error(status, answer, 429)
        assert int(headers["Retry-After"]) >= 1


async def test_daily_caps_are_the_balance(database, another_database):
    async with cartboss(database, per_day=3, options={"message_price": "0.0075"}) as env:
        later = int(time.time()) + 3600                 # kept queued: the balance stays as it is
        one = await send(env, to="+15551230008", body="x", schedule_for=later)
        assert one["remaining_balance"] == "0.0225" and one["message_price"] == "0.0075"
        two = await send(env, to="+15551230009", body="y" * 200, schedule_for=later)   # two parts
        assert two["message_price"] == "0.0150"
        status, answer, _ = await call(env, "POST", "/messages/send",
                                       json={"to": "+15551230010", "body": "z" * 500})   # four parts
        assert_error(status, answer, 402)
    async with cartboss(another_database()) as env:
        answer = await send(env, **json.loads(straight(GUIDE_REQUEST)))
        assert answer["remaining_balance"] == "1000000" and answer["message_price"] == "0"


# -- history ---------------------------------------------------------------------

async def test_history_by_number_and_date_in_pages(database):
    async with cartboss(database) as env:
        later = int(time.time()) + 3600      # kept queued: what the history shows stays as it is
        sent = [await send(env, to=to, body=f"n{i}", schedule_for=later)
                for i, to in enumerate(["+15551230011", "+15551230012", "+15551230011", "+15551230011"])]
        newest_first = [a["message_id"] for a in reversed(sent) if a["to"] == "+15551230011"]
        today = datetime.now(UTC).date()
        seen, after = [], None
        while True:
            params = {"to": "+1 555-123-0011", "limit": "2", "start_date": today.isoformat(),
                      "end_date": today.isoformat()}
            if after:
                params["starting_after"] = after
            status, page, _ = await call(env, "GET", "/messages", params=params)
            assert status == 200, page
            seen += [m["message_id"] for m in page["messages"]]
            if not page["has_more"]:
                break
            after = page["messages"][-1]["message_id"]
        assert seen == newest_first
        yesterday = (today - timedelta(days=1)).isoformat()
        _, page, _ = await call(env, "GET", "/messages", params={"end_date": yesterday})
        assert page == {"messages": [], "has_more": False}
        # An offset's + sent unencoded arrives as a space, and is read as the +.
        _, page, _ = await call(env, "GET", f"/messages?start_date={today}T00:00:00+00:00")
        assert len(page["messages"]) == 4
        _, page, _ = await call(env, "GET", "/messages", params={"limit": "1"})
        [latest] = page["messages"]
        assert page["has_more"] and latest["message_id"] == sent[-1]["message_id"]
        assert latest["body"] == "n3" and latest["status"] == "queued" and latest["segments"] == 1
        # The + of a number typed into the URL arrives as a space too, and is read as the +.
        _, page, _ = await call(env, "GET", "/messages?to=+15551230011")
        assert [m["message_id"] for m in page["messages"]] == newest_first
        for params, field in [({"limit": "0"}, "limit"), ({"limit": "1" * 5000}, "limit"),
                              ({"start_date": "yesterday"}, "start_date"),
                              ({"end_date": "2024-05-01T09:00:00"}, "end_date"),
                              ({"to": "nobody"}, "to"), ({"starting_after": "x"}, "starting_after"),
                              ({"status": "sent"}, "status")]:
            status, answer, _ = await call(env, "GET", "/messages", params=params)
            assert_error(status, answer, 400, field)


# -- the pieces ------------------------------------------------------------------

@pytest.mark.parametrize("status, code, reports, expected", [
    ("queued", None, (), Status.QUEUED),
    ("sent", None, (), Status.SENT),
    ("delivered", None, (), Status.DELIVERED),
    ("cancelled", None, (), Status.FAILED),
    ("failed", ErrorCode.NETWORK_REJECTED, (), Status.FAILED),
    ("failed", ErrorCode.RETRIES_EXHAUSTED, (), Status.FAILED),
    ("expired", ErrorCode.VALIDITY_EXPIRED, (), Status.FAILED),
    ("failed", ErrorCode.DELIVERY_UNCONFIRMED, (), Status.FAILED),
    ("failed", ErrorCode.UNDELIVERED, (), Status.UNDELIVERED),
    ("expired", ErrorCode.REPORT_EXPIRED, (), Status.UNDELIVERED),
    ("expired", ErrorCode.NO_REPORT, (), Status.SENT),
    # Messages that ended before error codes were kept: their reports decide.
    ("failed", None, (0x00, 0x41), Status.UNDELIVERED),
    ("expired", None, (0x60,), Status.UNDELIVERED),
    ("failed", None, (None,), Status.FAILED),
    ("expired", None, (), Status.FAILED),
])
def test_status_table(status, code, reports, expected):
    assert status_of(status, code, reports) is expected


def test_every_error_code_has_a_status():
    assert {status_of("failed", code) for code in ErrorCode} <= set(Status)
    from modemgw.dialects.cartboss import _BY_CODE
    assert set(_BY_CODE) == set(ErrorCode)


def test_ids_are_uuids_of_the_messages_own_bits():
    for _ in range(200):
        native = new_id("msg")
        assert from_number("msg", number(native, "msg")) == native
        shown = public_id(native)
        assert UUID.fullmatch(shown) and native_id(shown) == native and native_id(shown.upper()) == native
    assert number("in_" + native[4:], "msg") is None and number("msg_" + "!" * 26, "msg") is None
    assert from_number("msg", 1 << 128) is None and from_number("msg", -1) is None
    with pytest.raises(NotFound):
        native_id("a1b2c3d4-e5f6-7890-1234-56789abcdef0" * 2)
    with pytest.raises(Invalid):
        native_id("nope", "starting_after")


@pytest.mark.parametrize("error, code", [
    (Invalid("to", "x"), 400), (Unauthenticated("x"), 401), (NoCapacity("x"), 402),
    (Forbidden("x"), 403), (NotFound("x"), 404), (RateLimited("x", 3), 429), (ServerFault("x"), 500),
])
def test_error_table(error, code):
    response = render(error)
    assert_error(response.status, json.loads(response.text), code, "to" if code == 400 else None)


@pytest.mark.parametrize("options, error", [
    ({"message_price": "-1"}, "at least 0"), ({"message_price": "free"}, "decimal"),
    ({"message_price": "NaN"}, "decimal"), ({"mesage_price": "0.01"}, "unknown key"),
])
def test_a_bad_option_is_refused_at_start(options, error):
    with pytest.raises(ValueError, match=error):
        create_app(None, DialectConfig(options=options))


def test_prices_and_balances():
    priced = Pricing(Decimal("0.0075"))
    assert (priced.message(1), priced.message(3), priced.balance(2), priced.balance(0)) == \
        ("0.0075", "0.0225", "0.0150", "0.0000")
    assert priced.balance(None) == "7500.0000"
    assert (Pricing().message(2), Pricing().balance(5), Pricing().balance(None)) == ("0", "5", "1000000")


def test_serve_stops_with_exit_2_on_a_bad_price(tmp_path):
    config = tmp_path / "modemgw.toml"
    config.write_text(f'[api]\nlisten = "127.0.0.1:0"\n[store]\npath = "{tmp_path / "gw.db"}"\n'
                      f'[[simulator]]\nname = "sim-a"\n[dialects.cartboss]\nmessage_price = "free"\n')
    done = subprocess.run([sys.executable, "-m", "modemgw.cli", "serve", "--config", str(config)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith("[dialects.cartboss] message_price must be a decimal number of at "
                                        "least 0, e.g. \"0.0075\", not 'free'")
