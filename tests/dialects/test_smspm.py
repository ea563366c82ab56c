"""SMSPM (`/compat/smspm`): the provider's documented examples replayed verbatim (only the
base URL and the credentials swapped) against a running gateway on simulated modems, its
error statuses, its delivery reports and received messages, and its token kept out of the log.

The examples are those of ../shared/reference/provider-apis/smspm.txt, copied as printed.
"""

from __future__ import annotations

import json
import logging
import textwrap
from urllib.parse import quote

import aiohttp
import pytest

from modemgw.core import CoreError
from modemgw.dialects import smspm
from modemgw.logs import redact

from .live import live, python, run, signed

BASE = "/compat/smspm"
TEXT = "Hello from SMSPM Gateway!"
TO = "+37256789045"

# The contract's Python example, as printed.
PYTHON_EXAMPLE = """\
import os, requests

result = requests.get('https://api.smspm.com', params={
    'hash':       os.environ['SMSPM_HASH'],
    'token':      os.environ['SMSPM_TOKEN'],
    'toNumber':   '+37256789045',
    'fromNumber': 'MyApp',
    'text':       'Hello from SMSPM Gateway!',
}, timeout=10).json()

print(result['status'], result['messageId'])
"""

# The contract's JavaScript example, as printed; the last line shows what it read.
JS_EXAMPLE = """\
const params = new URLSearchParams({
  hash:       process.env.SMSPM_HASH,
  token:      process.env.SMSPM_TOKEN,
  toNumber:   '+37256789045', // E.164
  fromNumber: 'MyApp',        // Sender ID
  text:       'Hello from SMSPM Gateway!'
});
const res = await fetch(`https://api.smspm.com?${params}`);
const { status, messageId } = await res.json();
"""

# The contract's curl example, as printed (YOUR_HASH and YOUR_TOKEN are the credentials).
CURL_EXAMPLE = """\
curl "https://api.smspm.com?\\
hash=YOUR_HASH&\\
token=YOUR_TOKEN&\\
toNumber=%2B37256789045&\\
fromNumber=MyApp&\\
text=Hello+from+SMSPM+Gateway"
"""

# The contract's "Async Batch Sending" example. It elides the parameters
# (`{'hash': ..., 'toNumber': phone, ...}`), so `...` is filled in with the others.
ASYNC_EXAMPLE = """\
import asyncio
import aiohttp
async def send_sms_batch(phone_list):
    async with aiohttp.ClientSession() as session:
        tasks = [
            send_sms_async(session, phone)
            for phone in phone_list
        ]
        # Send up to 10 at a time (respects rate limit)
        results = await asyncio.gather(*tasks)
        return results
async def send_sms_async(session, phone):
    params = {'hash': HASH, 'token': TOKEN, 'toNumber': phone, 'fromNumber': 'MyApp', 'text': 'Batch'}
    async with session.get(
        'https://api.smspm.com',
        params=params,
        timeout=10
    ) as resp:
        return await resp.json()
"""


def swapped(example: str, env) -> str:
    return example.replace("https://api.smspm.com", env.url(BASE))


def creds(env) -> dict[str, str]:
    return {"SMSPM_HASH": env.credentials.smspm_hash, "SMSPM_TOKEN": env.credentials.smspm_token}


def params(env, **extra) -> dict[str, str]:
    return {"hash": env.credentials.smspm_hash, "token": env.credentials.smspm_token,
            "toNumber": TO, "fromNumber": "MyApp", "text": TEXT, **extra}


async def test_the_python_javascript_and_curl_examples_send_and_deliver(tmp_path, database):
    async with live(database) as env:
        out = await python(swapped(PYTHON_EXAMPLE, env), env=creds(env))
        status, message_id = out.split()
        assert status == "success" and message_id.startswith("msg_")

        script = tmp_path / "example.mjs"
        script.write_text(swapped(JS_EXAMPLE, env) + "console.log(status, messageId);\n")
        status, js_id = (await run("node", str(script), env=creds(env))).split()
        assert status == "success" and js_id.startswith("msg_") and js_id != message_id

        command = swapped(CURL_EXAMPLE, env).replace("YOUR_HASH", env.credentials.smspm_hash) \
            .replace("YOUR_TOKEN", env.credentials.smspm_token)
        answer = json.loads(await run("sh", "-c", command))
        assert answer == {"status": "success", "messageId": answer["messageId"], "parts": 1,
                          "cost": 0.0, "currency": "EUR"}

        # The curl example's text has no "!"; all three reach the handset.
        assert sorted(await env.handset(TO, 3)) == sorted([TEXT, TEXT, "Hello from SMSPM Gateway"])
        async with aiohttp.ClientSession() as http:
            async with http.get(env.url(f"/v1/messages/{message_id}"),
                                headers={"Authorization": f"Bearer {env.key}"}) as resp:
                row = await resp.json()
        assert (row["to"], row["from"], row["text"]) == (TO, "MyApp", TEXT)


async def test_the_async_batch_example_sends_one_message_per_number(database):
    async with live(database) as env:
        code = swapped(ASYNC_EXAMPLE, env) + textwrap.dedent(f"""
            HASH, TOKEN = {env.credentials.smspm_hash!r}, {env.credentials.smspm_token!r}
            import json
            print(json.dumps(asyncio.run(send_sms_batch(['+447700900001', '+447700900002']))))
            """)
        results = json.loads(await python(code))
        assert [r["status"] for r in results] == ["success", "success"]
        assert len({r["messageId"] for r in results}) == 2
        assert await env.handset("+447700900002") == ["Batch"]


async def test_get_and_post_on_the_base_url_with_and_without_its_slash(database):
    async with live(database, dialects={"smspm": {"currency": "USD"}}) as env:
        async with aiohttp.ClientSession() as http:
            answers = []
            for path in (BASE, BASE + "/"):
                async with http.get(env.url(path), params=params(env)) as resp:
                    answers.append((resp.status, await resp.json()))
                async with http.post(env.url(path), data=params(env)) as resp:       # a form
                    answers.append((resp.status, await resp.json()))
                async with http.post(env.url(path), json=params(env)) as resp:       # JSON
                    answers.append((resp.status, await resp.json()))
            long = "x" * 200
            async with http.post(env.url(BASE), data=params(env, text=long)) as resp:
                answers.append((resp.status, await resp.json()))
        assert [(s, a["status"], a["currency"]) for s, a in answers] == [(200, "success", "USD")] * 7
        assert answers[-1][1]["parts"] == 2
        assert len({a["messageId"] for _, a in answers}) == 7


async def test_a_plus_left_unencoded_and_a_long_text_in_the_url_are_read_as_meant(database):
    """A URL built by hand, as the contract's curl example is: `toNumber=+372...` with its
    `+` unencoded (which a query string reads as a space), and a text of 3,000 characters,
    mostly Cyrillic, some 11 KB once percent-encoded, in the query string of a GET."""
    text = ("Привет из SMSPM! " * 200)[:3000]
    async with live(database) as env:
        url = (f"{env.url(BASE)}?hash={env.credentials.smspm_hash}&token={env.credentials.smspm_token}"
               f"&toNumber=+37256789045&fromNumber=+37256789000&text={quote(text)}")
        answer = json.loads(await run("curl", "-s", url))
        assert answer["status"] == "success", answer
        assert await env.handset(TO) == [text]
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {env.key}"}) as http:
            async with http.get(env.url(f"/v1/messages/{answer['messageId']}")) as resp:
                assert (await resp.json())["from"] == "+37256789000"


REFUSALS = [
    # (why, parameters changed (None: left out), HTTP status, status)
    ("no hash", {"hash": None}, 400, "invalid_params"),
    ("no token", {"token": None}, 400, "invalid_params"),
    ("empty token", {"token": ""}, 400, "invalid_params"),
    ("a wrong token", {"token": "0" * 40}, 401, "auth_failed"),
    ("an unknown hash", {"hash": "f" * 32}, 401, "auth_failed"),
    ("no toNumber", {"toNumber": None}, 400, "invalid_params"),
    ("no text", {"text": None}, 400, "invalid_params"),
    ("a number without + (no default region)", {"toNumber": "37256789045"}, 200, "invalid_phone"),
    ("letters for a number", {"toNumber": "+3725678904x"}, 200, "invalid_phone"),
    ("a number too short", {"toNumber": "+372"}, 200, "invalid_phone"),
    ("a sender of 33 characters", {"fromNumber": "S" * 33}, 200, "invalid_sender"),
    ("a callbackUrl that is not http", {"callbackUrl": "ftp://example.com/dlr"}, 400, "invalid_params"),
    ("a text over 255 parts", {"text": "x" * 153 * 256}, 400, "invalid_params"),
]


async def test_refusals_have_the_contracts_status_and_http_code(database):
    async with live(database) as env:
        got = []
        async with aiohttp.ClientSession() as http:
            for why, changed, _, _ in REFUSALS:
                query = {k: v for k, v in {**params(env), **changed}.items() if v is not None}
                async with http.post(env.url(BASE), data=query) as resp:
                    answer = await resp.json()
                got.append((why, resp.status, answer["status"]))
                assert set(answer) == {"status", "error"} and answer["error"], why
                assert env.credentials.smspm_token not in answer["error"], why
        assert got == [(why, http_status, status) for why, _, http_status, status in REFUSALS]
        assert env.sim().handset(TO) == []


async def test_malformed_requests_are_invalid_params_never_a_500(database):
    async with live(database) as env:
        p = params(env)
        async with aiohttp.ClientSession() as http:
            cases = [
                http.get(env.url(BASE) + f"?hash={p['hash']}&hash={p['hash']}&token={p['token']}"
                         f"&toNumber=%2B37256789045&text=hi"),                     # hash twice
                http.post(env.url(BASE), params={"hash": p["hash"]}, data=p),       # query and body
                http.get(env.url(BASE) + f"?hash={p['hash']}&token={p['token']}&toNumber=%2B37256789045"
                                         f"&text=%ff"),                             # not UTF-8
                http.post(env.url(BASE), data=b"{not json", headers={"Content-Type": "application/json"}),
                http.post(env.url(BASE), json=[p]),
                http.post(env.url(BASE), data=b"\x00\x01", headers={"Content-Type": "text/plain"}),
                http.post(env.url(BASE), json={**p, "toNumber": ["+37256789045"]}),
            ]
            answers = []
            for request in cases:
                async with request as resp:
                    answers.append((resp.status, (await resp.json())["status"]))
            async with http.get(env.url(BASE + "/send"), params=p) as resp:
                answers.append((resp.status, (await resp.json())["status"]))
        assert answers == [(400, "invalid_params")] * 7 + [(404, "not_found")]


async def test_low_balance_when_the_daily_caps_are_used_and_rate_limit_past_the_keys_limit(database):
    async with live(database, per_day=0, rate_limit_per_minute=2) as env:
        async with aiohttp.ClientSession() as http:
            statuses = []
            for _ in range(3):
                async with http.get(env.url(BASE), params=params(env)) as resp:
                    status = (await resp.json())["status"]
                    statuses.append((resp.status, status, resp.headers.get("Retry-After")))
        assert statuses[:2] == [(200, "low_balance", None)] * 2
        assert statuses[2][:2] == (429, "rate_limit") and int(statuses[2][2]) >= 1


async def test_delivery_report_to_the_callback_url(database):
    async with live(database) as env:
        async with aiohttp.ClientSession() as http:
            async with http.get(env.url(BASE), params=params(env, callbackUrl=env.hooks + "/dlr")) as resp:
                message_id = (await resp.json())["messageId"]
        [call] = await env.receiver.posted("/dlr")
        assert call.json() == {"messageId": message_id, "status": "delivered", "toNumber": TO,
                               "fromNumber": "MyApp", "parts": 1, "error": None, "errorCode": None,
                               "sentAt": call.json()["sentAt"], "deliveredAt": call.json()["deliveredAt"]}
        assert call.json()["deliveredAt"] and signed(call, await env.secret())
        assert call.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("tp_st, error_code", [(0x43, "undelivered"), (0x46, "report_expired")],
                         ids=["failed", "expired"])
async def test_a_failed_and_an_expired_message_are_reported_failed_with_their_code(database, tp_st,
                                                                                  error_code):
    async with live(database, report_status=tp_st) as env:
        async with aiohttp.ClientSession() as http:
            async with http.get(env.url(BASE), params=params(env, callbackUrl=env.hooks + "/dlr")) as resp:
                answer = await resp.json()
        assert answer["status"] == "success"      # accepted: the network refuses it later
        [call] = await env.receiver.posted("/dlr")
        report = call.json()
        assert (report["messageId"], report["status"], report["errorCode"]) == \
            (answer["messageId"], "failed", error_code)
        assert report["error"] and report["deliveredAt"] is None and signed(call, await env.secret())


async def test_a_received_message_goes_to_the_inbound_url(database):
    async with live(database, dialects={"smspm": {"inbound_url": "/inbound"}}) as env:
        env.sim().inject_sms("+37256789045", "Reply: STOP ✋")
        [call] = await env.receiver.posted("/inbound")
        body = call.json()
        assert body == {"messageId": body["messageId"], "fromNumber": "+37256789045",
                        "text": "Reply: STOP ✋", "parts": 1, "complete": True,
                        "receivedAt": body["receivedAt"]}
        assert body["messageId"].startswith("in_") and signed(call, await env.inbound_secret())


async def test_the_token_never_reaches_the_log(database, caplog):
    caplog.set_level(logging.DEBUG)
    async with live(database) as env:
        token = env.credentials.smspm_token
        async with aiohttp.ClientSession() as http:
            for query in (params(env), params(env, toNumber="+1"), params(env, hash="f" * 32)):
                async with http.get(env.url(BASE), params=query) as resp:
                    await resp.read()
        await env.handset(TO)
    lines = [r.getMessage() for r in caplog.records]
    assert any("path=/compat/smspm " in line and "status=200" in line for line in lines)
    assert not any(token in line for line in lines)
    # The hash names the key (SMSPM shows it on its API page); a database library's debug
    # output has it as a query parameter, but nothing the gateway logs at INFO does.
    assert not any(env.credentials.smspm_hash in r.getMessage() for r in caplog.records
                   if r.levelno >= logging.INFO)
    # Were a URL with its query logged anyway (by a library, in a traceback), the filter masks it.
    line = f"GET {BASE}?hash={env.credentials.smspm_hash}&token={token}&toNumber=%2B3725"
    assert token not in redact(line) and env.credentials.smspm_hash not in redact(line)


def test_anything_else_is_a_server_error_in_the_contracts_shape():
    response = smspm.render(CoreError("internal error; the gateway's log has the details"))
    assert response.status == 500
    assert json.loads(response.body) == {"status": "server_error",
                                         "error": "internal error; the gateway's log has the details"}
