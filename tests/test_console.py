"""The console over HTTP, as a browser uses it, against a whole gateway on simulated modems:
login and sessions, CSRF, headers, every page, the send form, keys, the outbox, the event
stream. (The real browser: test_console_browser.py.)"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from html import unescape

import aiohttp
from aiohttp import web

from test_console_harness import Client, config, delivered, logged_in, running_gateway, serving_hook, until

CSP = "default-src 'none'"


# -- off by default, and nothing loaded ----------------------------------------------------

async def test_off_unless_enabled(database):
    async with running_gateway(config(database, console_enabled=False)) as gateway:
        async with aiohttp.ClientSession(gateway.url) as http:
            async with http.get("/console/login") as r:
                assert r.status == 404
                assert (await r.json())["error"]["code"] == "not_found"


def test_a_gateway_without_the_console_never_imports_it(tmp_path):
    # A fresh interpreter: this one has imported the console for the other tests.
    program = f"""
import asyncio, sys
from modemgw.config import Config, SimulatorConfig
from modemgw.service import Gateway
async def main():
    g = Gateway(Config(listen_port=0, database={str(tmp_path / "gw.db")!r}, dialects=(),
                       simulators=(SimulatorConfig("sim-a"),)))
    await g.start()
    await g.stop()
asyncio.run(main())
loaded = sorted(m for m in sys.modules if m.startswith(("modemgw.console", "jinja2", "markupsafe")))
print(loaded)
"""
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# -- logging in ------------------------------------------------------------------------------

async def test_every_page_asks_for_a_login_first(database):
    async with running_gateway(config(database)) as gateway:
        client = Client(gateway.url)
        try:
            for path in ("/console", "/console/", "/console/modems", "/console/queue", "/console/messages",
                         "/console/inbox", "/console/outbox", "/console/alerts", "/console/send", "/console/keys"):
                page = await client.get(path, allow_redirects=False)
                assert page.status == 303, path
                assert page.headers["Location"].startswith("/console/login?next=/console"), path
            events = await client.get("/console/events")
            assert events.status == 401 and CSP in events.headers["Content-Security-Policy"]
            sent = await client.post("/console/send", {"to": "+15551230001", "text": "hi"}, csrf="x")
            assert sent.status == 401
            assert await gateway.store.list_messages() == []
        finally:
            await client.close()


async def test_login_with_a_key_sets_a_strict_httponly_cookie_and_returns_to_the_page_asked_for(database):
    async with running_gateway(config(database)) as gateway:
        _, key = await gateway.store.create_key("ops")
        client = Client(gateway.url)
        try:
            redirected = await client.get("/console/queue")
            assert redirected.url.endswith("/console/login?next=/console/queue")
            form = redirected
            async with client.http.post("/console/login", allow_redirects=False,
                                        data={"csrf": form.csrf, "credential": key,
                                              "next": "/console/queue"}) as r:
                assert r.status == 303 and r.headers["Location"] == "/console/queue"
                cookies = [c for c in r.headers.getall("Set-Cookie") if c.startswith("modemgw_console=")]
            assert len(cookies) == 1
            flags = {f.strip().split("=")[0].lower() for f in cookies[0].split(";")[1:]}
            assert {"httponly", "samesite", "path", "max-age"} <= flags
            assert "SameSite=Strict" in cookies[0] and "Path=/console" in cookies[0]
            assert "secure" not in flags          # plain HTTP on loopback: a Secure cookie would never come back
            page = await client.get("/console/queue")
            assert page.status == 200 and "<h1>Queue</h1>" in page.text
        finally:
            await client.close()


async def test_wrong_credentials_are_refused_and_never_open_a_session(database):
    async with running_gateway(config(database)) as gateway:
        await gateway.store.create_key("ops")
        client = Client(gateway.url)
        try:
            for credential in ("mgw_not-a-key", "a wrong password", ""):
                page = await client.login(credential)
                assert page.status == 401, credential
                assert "wrong API key or console password" in page.text
            assert (await client.get("/console/modems")).url.split("?")[0].endswith("/console/login")
        finally:
            await client.close()


async def test_login_without_the_forms_own_token_is_refused(database):
    async with running_gateway(config(database)) as gateway:
        _, key = await gateway.store.create_key("ops")
        async with aiohttp.ClientSession(gateway.url) as http:   # no cookie from the form
            async with http.post("/console/login", data={"csrf": "guess", "credential": key},
                                 allow_redirects=False) as r:
                assert r.status == 403
                assert "Set-Cookie" not in r.headers


async def test_login_attempts_are_limited_per_client(database):
    async with running_gateway(config(database)) as gateway:
        client = Client(gateway.url)
        try:
            statuses = [(await client.login(f"guess number {i}")).status for i in range(11)]
            assert statuses == [401] * 10 + [429]
        finally:
            await client.close()


async def test_console_password_set_from_the_command_line_opens_it(database):
    db = database
    async with running_gateway(config(database)) as gateway:
        short = _set_password(db, "short")
        assert short.returncode == 2 and "at least 10 characters" in short.stderr
        done = _set_password(db, "correct horse battery")
        assert done.returncode == 0, done.stderr
        assert "correct horse" not in (await gateway.store.setting("console_password"))
        async with logged_in(gateway, "correct horse battery") as client:
            page = await client.get("/console/keys")
            assert page.status == 200 and 'title="logged in as">console<' in page.text
            # A new password ends the sessions opened with the old one.
            assert _set_password(db, "another long password").returncode == 0
            assert (await client.get("/console/keys")).url.split("?")[0].endswith("/console/login")
            assert (await client.login("correct horse battery")).status == 401
            assert (await client.login("another long password")).status == 200


def _set_password(db: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "modemgw.cli", "console", "set-password", "--db", db],
                          input=password + "\n", capture_output=True, text=True, timeout=60)


async def test_key_login_can_be_switched_off(database):
    async with running_gateway(config(database, console_key_login=False)) as gateway:
        _, key = await gateway.store.create_key("ops")
        client = Client(gateway.url)
        try:
            form = await client.get("/console/login")
            assert "Console password" in form.text and "API key" not in form.text
            assert (await client.login(key)).status == 401
        finally:
            await client.close()


async def test_revoking_the_key_ends_its_sessions(database):
    async with running_gateway(config(database)) as gateway:
        key_id, key = await gateway.store.create_key("ops")
        async with logged_in(gateway, key) as client:
            keys = await client.get("/console/keys")
            revoked = await client.post(f"/console/keys/{key_id}/revoke", {}, csrf=keys.csrf)
            assert revoked.url.split("?")[0].endswith("/console/login")
            assert (await client.get("/console/modems")).url.split("?")[0].endswith("/console/login")


async def test_logout_ends_the_session(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            page = await client.get("/console/modems")
            out = await client.post("/console/logout", {}, csrf=page.csrf)
            assert out.url.endswith("/console/login")
            assert (await client.get("/console/modems")).url.split("?")[0].endswith("/console/login")


# -- CSRF and headers ------------------------------------------------------------------------

async def test_forms_without_the_sessions_token_or_from_another_site_are_refused(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            good = (await client.get("/console/send")).csrf
            form = {"to": "+15551230001", "text": "hi"}
            assert (await client.post("/console/send", form, csrf="")).status == 403
            assert (await client.post("/console/send", form, csrf=good + "x")).status == 403
            other = await client.post("/console/send", form, csrf=good,
                                      headers={"Origin": "http://evil.example"})
            assert other.status == 403 and "another site" in other.text
            for path in ("/console/keys", "/console/outbox/1/retry", "/console/keys/1/revoke", "/console/logout"):
                assert (await client.post(path, {"name": "x"}, csrf="")).status == 403, path
            assert await gateway.store.list_messages() == []
            assert len(await gateway.store.list_keys()) == 1
            # The right token, from this site: accepted.
            sent = await client.post("/console/send", form, csrf=good, headers={"Origin": gateway.url})
            assert sent.status == 200 and "/console/messages/msg_" in sent.url


async def test_every_answer_has_the_security_headers(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            for path in ("/console/modems", "/console/login", "/console/static/console.js",
                         "/console/no-such-page", "/console/messages/msg_nope"):
                async with client.http.get(path) as r:
                    h = r.headers
                    assert h["Content-Security-Policy"].startswith(CSP), path
                    assert "script-src 'self'" in h["Content-Security-Policy"]
                    assert "'unsafe-inline'" not in h["Content-Security-Policy"]
                    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
                    assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
            async with client.http.get("/console/modems") as r:
                assert r.headers["Cache-Control"] == "no-store"
            async with client.http.get("/console/static/console.css") as r:
                assert "immutable" in r.headers["Cache-Control"]
                assert r.headers["Content-Type"].startswith("text/css")


async def test_no_inline_script_or_style_in_any_page(database):
    """The CSP allows none, so a page that had one would break: none is written."""
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            for path in ("/console/modems", "/console/queue", "/console/messages", "/console/inbox",
                         "/console/outbox", "/console/alerts", "/console/send", "/console/keys", "/console/login"):
                text = (await client.get(path)).text
                assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
                assert "<style" not in text and " style=" not in text and " on" + "click=" not in text, path


# -- pages ---------------------------------------------------------------------------------

async def test_errors_are_console_pages_never_tracebacks(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            for path, status in (("/console/messages/msg_nope", 404), ("/console/nowhere", 404),
                                 ("/console/messages?since=yesterday", 400),
                                 ("/console/messages?status=lost", 400),
                                 ("/console/messages?to=12", 400),
                                 ("/console/events?after=x", 400)):
                page = await client.get(path)
                assert page.status == status, path
                assert "<h1>" in page.text and "Traceback" not in page.text, path
            retry = await client.post("/console/outbox/99/retry", {})
            assert retry.status == 404 and "no failing webhook delivery 99" in retry.text


async def test_send_form_sends_and_shows_the_message_turning_delivered(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            await client.get("/console/send")
            page = await client.post("/console/send", {"to": "+15551230001", "text": "Hello from the console"})
            message_id = page.url.rsplit("/", 1)[1]
            assert page.status == 200 and message_id.startswith("msg_")
            row = await delivered(gateway, message_id)
            assert row["api_key_id"] is not None and row["dialect"] == "native"
            shown = await client.get(f"/console/messages/{message_id}")
            assert 'id="status">delivered<' in shown.text
            assert "0x00 delivered" in shown.text           # the part's status report, TP-ST
            assert re.search(r'<td class="num">\d+</td><td class="num">1</td>', shown.text)   # MR, attempts
            assert "message.delivered" in shown.text and "part.report" in shown.text


async def test_send_form_errors_keep_what_was_typed_escaped(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            await client.get("/console/send")
            text = '<script>alert("x")</script> & more'
            page = await client.post("/console/send", {"to": "12", "text": text})
            assert page.status == 400
            assert "to needs a leading + and the country code" in unescape(page.text)
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in page.text
            assert "<script>alert" not in page.text
            missing = await client.post("/console/send", {"to": " ", "text": "x"})
            assert missing.status == 400 and "to is required" in missing.text
            assert await gateway.store.list_messages() == []


async def test_a_message_text_is_shown_as_text(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            await client.get("/console/send")
            page = await client.post("/console/send", {"to": "+15551230001",
                                                       "text": "<img src=x onerror=alert(1)>"})
            assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
            listing = await client.get("/console/messages")
            assert "<img src=x" not in listing.text and "&lt;img src=x" in listing.text


async def test_several_recipients_from_the_form(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            await client.get("/console/send")
            page = await client.post("/console/send", {"to": "+15551230001, +15551230002", "text": "hi"})
            assert page.url.endswith("/console/messages")
            assert {m["to_number"] for m in await gateway.store.list_messages()} == {"+15551230001",
                                                                                      "+15551230002"}
            bad = await client.post("/console/send", {"to": "+15551230001, 12", "text": "hi"})
            assert bad.status == 400 and "to[1]" in bad.text


async def test_preview_says_what_forces_ucs2(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            csrf = (await client.get("/console/send")).csrf
            for text, expected in (
                    ("Price: 5€", {"encoding": "gsm7", "segments": 1, "ucs2_characters": []}),
                    ("Olá 😀", {"encoding": "ucs2", "segments": 1, "ucs2_characters": ["á", "😀"]}),
                    ("x" * 161, {"encoding": "gsm7", "segments": 2, "ucs2_characters": []})):
                async with client.http.post("/console/preview", data={"text": text},
                                            headers={"X-CSRF-Token": csrf}) as r:
                    answer = await r.json()
                assert r.status == 200
                assert {k: answer[k] for k in expected} == expected, text
                assert answer["characters"] == len(text)
            async with client.http.post("/console/preview", data={"text": "😀" * 20000},
                                        headers={"X-CSRF-Token": csrf}) as r:
                assert r.status == 400 and "error" in await r.json()
            async with client.http.post("/console/preview", data={"text": "hi"}) as r:
                assert r.status == 403


async def test_messages_search_by_number_status_and_date(database):
    async with running_gateway(config(database, default_region="US")) as gateway:
        async with logged_in(gateway) as client:
            await client.get("/console/send")
            first = (await client.post("/console/send", {"to": "+15551230001", "text": "one"})).url.rsplit("/", 1)[1]
            await delivered(gateway, first)
            second = (await client.post("/console/send", {"to": "+15551230002", "text": "two"})).url.rsplit("/", 1)[1]
            await delivered(gateway, second)
            by_number = await client.get("/console/messages?to=555-123-0002")     # national, normalised
            assert second in by_number.text and first not in by_number.text
            by_status = await client.get("/console/messages?status=queued")
            assert first not in by_status.text and "No messages match" in by_status.text
            today = (await gateway.store.get_message(first))["created_at"]
            day = time.strftime("%Y-%m-%d", time.gmtime(today))
            on_the_day = await client.get(f"/console/messages?since={day}&until={day}")
            assert first in on_the_day.text and second in on_the_day.text
            before = await client.get("/console/messages?until=2001-01-01")
            assert first not in before.text


async def test_message_page_shows_a_failed_message_and_its_report(database):
    async with running_gateway(config(database)) as gateway:
        gateway.simulators["sim-a"].network.report_status["+15551230009"] = 0x43
        async with logged_in(gateway) as client:
            await client.get("/console/send")
            message_id = (await client.post("/console/send", {"to": "+15551230009", "text": "x"})).url.rsplit("/", 1)[1]
            await delivered(gateway, message_id, "failed")
            page = await client.get(f"/console/messages/{message_id}")
            assert 'id="status">failed<' in page.text and "0x43 failed" in page.text


async def test_message_page_says_which_carrier_a_message_is_pinned_to(database):
    async with running_gateway(config(database)) as gateway:
        _, key = await gateway.store.create_key("api")
        async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
            async with http.post("/v1/messages", json={"to": "+15551230001", "text": "pinned",
                                                       "via": {"modem": "sim-a"}}) as r:
                pinned = (await r.json())["id"]
            async with http.post("/v1/messages", json={"to": "+15551230002", "text": "free"}) as r:
                free = (await r.json())["id"]
        async with logged_in(gateway) as client:
            assert "Pinned to</dt><dd><code>modem:sim-a</code>" in (await client.get(f"/console/messages/{pinned}")).text
            assert "Pinned to" not in (await client.get(f"/console/messages/{free}")).text


async def test_queue_shows_what_waits_and_how_long(database):
    async with running_gateway(config(database)) as gateway:
        _, key = await gateway.store.create_key("api")
        async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
            later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 200 * 86400))
            async with http.post("/v1/messages", json={"to": "+15551230001", "text": "later",
                                                       "scheduled_at": later}) as r:
                assert r.status == 200, await r.text()
                later = (await r.json())["id"]
        async with logged_in(gateway) as client:
            page = await client.get("/console/queue")
            assert "<b>1</b> queued" in page.text
            assert "not yet assigned" in page.text and later in page.text


async def test_modems_page_shows_state_sim_and_identity(database):
    async with running_gateway(config(database)) as gateway:
        modem = gateway.modems[0]
        async with logged_in(gateway) as client:
            page = await client.get("/console/modems")
            assert 'id="modem-sim-a"' in page.text and "state-ready" in page.text
            assert modem.info.imei and modem.info.imei in page.text
            assert modem.info.iccid and modem.info.iccid in page.text
            assert "Recent states" in page.text and "ready" in page.text


async def test_inbox_shows_received_messages(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            assert "Nothing received yet" in (await client.get("/console/inbox")).text
            gateway.simulators["sim-a"].inject_sms("+4479000001", "Reply <b>yes</b> 👍")

            async def shown():
                page = await client.get("/console/inbox")
                return page if "+4479000001" in page.text else None
            page = await until(shown, what="the inbound message on the inbox page")
            assert "Reply &lt;b&gt;yes&lt;/b&gt; 👍" in page.text


# -- keys ----------------------------------------------------------------------------------

async def test_a_key_created_in_the_console_is_shown_once_and_works(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            await client.get("/console/keys")
            page = await client.post("/console/keys", {"name": "shop <1>", "policy": "at_least_once"})
            key = re.search(r'<code id="new-key">(mgw_[^<]+)</code>', page.text).group(1)
            assert "whsec_" in page.text and "shop &lt;1&gt;" in page.text
            assert page.headers["Cache-Control"] == "no-store"
            listing = await client.get("/console/keys")
            assert key not in listing.text and key[:8] in listing.text and "at_least_once" in listing.text
            async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
                async with http.get("/v1/messages") as r:
                    assert r.status == 200
                key_id = next(k["id"] for k in await gateway.store.list_keys() if k["name"] == "shop <1>")
                await client.post(f"/console/keys/{key_id}/revoke", {})
                async with http.get("/v1/messages") as r:
                    assert r.status == 401
            assert "revoked" in (await client.get("/console/keys")).text
            blank = await client.post("/console/keys", {"name": "   "})
            assert blank.status == 400 and "name must be" in blank.text


# -- the webhook outbox --------------------------------------------------------------------

class FlakyReceiver:
    """Answers 500 until told otherwise."""

    def __init__(self) -> None:
        self.ok = False
        self.bodies: list[dict] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(json.loads(await request.read()))
        return web.Response(status=204 if self.ok else 500)


async def test_outbox_lists_failing_deliveries_and_retries_one_now(database):
    receiver = FlakyReceiver()
    async with serving_hook(receiver.handle) as hook, \
            running_gateway(config(database, webhook_url=hook)) as gateway, logged_in(gateway) as client:
        await client.get("/console/send")
        message_id = (await client.post("/console/send", {"to": "+15551230001", "text": "x"})).url.rsplit("/", 1)[1]
        await delivered(gateway, message_id)

        async def failing():
            rows = await gateway.store.webhook_deliveries(failing=True)
            return rows if rows else None
        rows = await until(failing, what="a failed webhook attempt")
        outbox = await client.get("/console/outbox")
        assert "HTTP 500" in outbox.text and "Retry now" in outbox.text
        assert message_id in outbox.text and hook in outbox.text
        receiver.ok = True
        first = rows[-1]
        page = await client.post(f"/console/outbox/{first['id']}/retry", {})
        assert page.url.endswith("/console/outbox")

        async def retried():
            row = next(r for r in await gateway.store.webhook_deliveries() if r["id"] == first["id"])
            return row if row["status"] == "delivered" else None
        # Due again now: far sooner than the backoff's next attempt.
        await until(retried, timeout=5, what="the retried delivery delivered")


# -- server-sent events --------------------------------------------------------------------

async def read_events(response: aiohttp.ClientResponse, stop, timeout: float = 15.0) -> list[dict]:
    """SSE frames as dicts ({"id": ..., "data": {...}}) until `stop(frames)` holds."""
    frames, current = [], {}
    async with asyncio.timeout(timeout):
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if not line:
                if "data" in current:
                    frames.append(current)
                    if stop(frames):
                        return frames
                current = {}
            elif line.startswith("id: "):
                current["id"] = int(line[4:])
            elif line.startswith("data: "):
                current["data"] = json.loads(line[6:])
    raise AssertionError("the stream ended")


async def test_events_stream_the_log_in_order_and_resume_after_the_last_id(database):
    async with running_gateway(config(database)) as gateway:
        async with logged_in(gateway) as client:
            await client.get("/console/send")
            async with client.http.get("/console/events") as stream:
                assert stream.headers["Content-Type"] == "text/event-stream"
                message_id = (await client.post("/console/send", {"to": "+15551230001", "text": "x"})).url.rsplit("/", 1)[1]
                frames = await read_events(stream, lambda f: any(x["data"]["type"] == "message.delivered"
                                                                 for x in f))
            mine = [f for f in frames if f["data"].get("message_id") == message_id]
            assert [f["data"]["type"] for f in mine][:2] == ["message.queued", "message.sent"]
            assert [f["id"] for f in frames] == sorted(f["id"] for f in frames)
            # A browser that reconnects says where it was: it gets what came after, once.
            async with client.http.get("/console/events", headers={"Last-Event-ID": str(frames[0]["id"])}) as again:
                replay = await read_events(again, lambda f: len(f) == len(frames) - 1)
            assert [f["id"] for f in replay] == [f["id"] for f in frames[1:]]


async def test_stopping_the_gateway_ends_open_event_streams_at_once(database):
    cfg = config(database)
    async with running_gateway(cfg) as gateway:
        client = Client(gateway.url)
        _, key = await gateway.store.create_key("ops")
        await client.login(key)
        stream = await client.http.get("/console/events")
        assert stream.status == 200
        started = asyncio.get_running_loop().time()
    # running_gateway's exit stopped the gateway with the stream still open.
    assert asyncio.get_running_loop().time() - started < 10
    stream.close()
    await client.close()
