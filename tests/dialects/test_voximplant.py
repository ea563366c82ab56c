"""Voximplant A2PSendSms (`/compat/voximplant/platform_api`): the provider's documented
examples replayed verbatim (only the base URL and the token swapped) against a running
gateway on simulated modems, its documented example request, partial sends, its error
codes, and its account callbacks for delivered, failed, expired and received messages.

The examples are those of ../shared/reference/provider-apis/voximplant-a2psendsms.txt,
copied as printed. Its Go, Ruby, Java, PHP, C# and Swift examples send the same request as
its JavaScript one (a POST of that URL, no body, the Bearer header): curl replays that URL.
"""

from __future__ import annotations

import ast
import asyncio
import json
import logging

import aiohttp
import pytest
import requests

from modemgw.core import CoreError
from modemgw.dialects import voximplant
from modemgw.logs import redact

from .live import live, python, run, signed

BASE = "/compat/voximplant/platform_api"
SEND = BASE + "/A2PSendSms"

# "Python Example 1", as printed.
PYTHON_EXAMPLE = """\
import requests

url = "https://api.voximplant.com/platform_api/A2PSendSms"

querystring = {"src_number":"src_number","dst_numbers":"[\\"string\\"]","text":"text"}

headers = {"Authorization": "Bearer <token>"}

response = requests.post(url, headers=headers, params=querystring)

print(response.json())
"""

# "javascript Example 1", as printed.
JS_EXAMPLE = """\
const url = 'https://api.voximplant.com/platform_api/A2PSendSms?src_number=src_number&dst_numbers=%5B%22string%22%5D&text=text';
const options = {method: 'POST', headers: {Authorization: 'Bearer <token>'}};

try {
  const response = await fetch(url, options);
  const data = await response.json();
  console.log(data);
} catch (error) {
  console.error(error);
}
"""

# The URL every other example posts.
EXAMPLE_URL = ("https://api.voximplant.com/platform_api/A2PSendSms?src_number=src_number&dst_numbers="
               "%5B%22string%22%5D&text=text")


def swapped(example: str, env) -> str:
    return example.replace("https://api.voximplant.com/platform_api", env.url(BASE)) \
        .replace("<token>", env.key)


def bearer(env) -> dict[str, str]:
    return {"Authorization": f"Bearer {env.key}"}


# What the examples' request answers: "string" is no phone number, so it is listed in
# `failed` and nothing is sent; "text" is one fragment.
def example_answer(answer: dict) -> bool:
    [failed] = answer["failed"]
    return answer["result"] == [] and answer["fragments_count"] == 1 and \
        failed["destination_number"] == "string" and failed["error_code"] == 101 and \
        "dst_numbers[0]" in failed["error_description"]


async def test_the_python_javascript_and_url_examples_get_the_documented_shape(tmp_path, database):
    async with live(database) as env:
        answer = ast.literal_eval(await python(swapped(PYTHON_EXAMPLE, env)))
        assert example_answer(answer), answer

        script = tmp_path / "example.mjs"
        script.write_text(swapped(JS_EXAMPLE, env))
        printed = await run("node", str(script))
        assert "result: []" in printed and "fragments_count: 1" in printed, printed
        assert "destination_number: 'string'" in printed and "error_code: 101" in printed, printed

        out = await run("curl", "-s", "-X", "POST", swapped(EXAMPLE_URL, env), "-H",
                        f"Authorization: Bearer {env.key}")
        assert example_answer(json.loads(out)), out
        async with aiohttp.ClientSession(headers=bearer(env)) as http:
            async with http.get(env.url("/v1/messages")) as resp:
                assert (await resp.json())["data"] == []          # nothing was sent


async def test_the_documented_example_request_sends_and_reports_delivery(database):
    """'Send the SMS message with the text "Test message" from the phone number 447443332211
    to the phone numbers 447443332212 and 447443332213', as the URL and as the official SDK's
    form POST (`cmd`, numbers joined with ';')."""
    async with live(database) as env:
        query = {"src_number": "447443332211", "dst_numbers": "447443332212;447443332213",
                 "text": "Test message"}
        async with aiohttp.ClientSession(headers=bearer(env)) as http:
            async with http.post(env.url(SEND), params=query) as resp:
                by_url = await resp.json()
            async with http.post(env.url(BASE), data={**query, "cmd": "A2PSendSms"}) as resp:
                by_sdk = await resp.json()
        for answer in (by_url, by_sdk):
            assert answer["failed"] == [] and answer["fragments_count"] == 1
            assert [r["destination_number"] for r in answer["result"]] == ["447443332212", "447443332213"]
            assert all(type(r["message_id"]) is int for r in answer["result"])
        ids = [r["message_id"] for r in by_url["result"] + by_sdk["result"]]
        assert len(set(ids)) == 4
        assert await env.handset("+447443332213", 2) == ["Test message", "Test message"]

        # Delivery callbacks, Voximplant's account callbacks, to [webhooks] default_url.
        calls = await env.receiver.wait(lambda calls: len(env.receiver.at("/default")) >= 8
                                        and env.receiver.at("/default"))
        secret = await env.secret()
        seen = {}
        for call in calls:
            [callback] = call.json()["callbacks"]
            assert callback["type"] == "a2p_sms_delivery" and signed(call, secret)
            assert callback["account_id"] == env.key_id and callback["callback_id"] >= 1
            item = callback["a2p_sms_delivery"]
            assert item["source_number"] == "447443332211"
            seen.setdefault(item["id"], []).append((item["destination_numbers"], item["status"]))
        assert sorted(seen) == sorted(ids)
        for message_id, result in zip(ids, by_url["result"] + by_sdk["result"]):
            number = result["destination_number"]
            assert seen[message_id] == [(number, "sent"), (number, "delivered")]


async def test_a_bad_number_is_listed_in_failed_and_the_others_are_sent(database):
    async with live(database) as env:
        numbers = "447443332212;12;+447443332213;447443332212; 447700900123 ;"
        async with aiohttp.ClientSession(headers=bearer(env)) as http:
            async with http.get(env.url(SEND + "/"), params={"src_number": "Shop", "dst_numbers": numbers,
                                                             "text": "Olá 😀"}) as resp:
                answer = await resp.json()
        assert resp.status == 200
        assert [r["destination_number"] for r in answer["result"]] == \
            ["447443332212", "+447443332213", "447700900123"]
        assert [(f["destination_number"], f["error_code"]) for f in answer["failed"]] == \
            [("12", 101), ("447443332212", 101)]
        assert "dst_numbers[1]" in answer["failed"][0]["error_description"]
        assert "same number as dst_numbers[0]" in answer["failed"][1]["error_description"]
        assert answer["fragments_count"] == 1
        assert await env.handset("+447700900123") == ["Olá 😀"]


async def test_a_json_array_of_numbers_is_read_as_the_reference_encodes_it(database):
    async with live(database) as env:
        async with aiohttp.ClientSession(headers=bearer(env)) as http:
            query = {"src_number": "447443332211", "text": "x" * 200,
                     "dst_numbers": '["447443332212", "447443332213"]'}
            async with http.post(env.url(SEND), params=query) as resp:
                answer = await resp.json()
        assert [r["destination_number"] for r in answer["result"]] == ["447443332212", "447443332213"]
        assert answer["fragments_count"] == 2


async def test_numbers_as_a_client_generated_from_the_schema_sends_them_and_the_longest_text(database):
    """The schema declares `dst_numbers` an array in the query, which OpenAPI's default
    encoding (form, exploded) sends as one `dst_numbers=` per number, as `requests` does
    for a list; a number typed with an unencoded `+` (a space, once decoded); and a text of
    the documented 1,600 characters, in Cyrillic: some 9 KB of query string."""
    text = ("Тестовое сообщение " * 90)[:1600]
    async with live(database) as env:
        query = [("src_number", "447443332211"), ("dst_numbers", "447443332212"),
                 ("dst_numbers", "447443332213;447443332214"), ("text", text)]
        resp = await asyncio.to_thread(requests.post, env.url(SEND), params=query, headers=bearer(env),
                                       timeout=10)
        answer = resp.json()
        assert resp.status_code == 200 and answer["failed"] == [], answer
        assert [r["destination_number"] for r in answer["result"]] == \
            ["447443332212", "447443332213", "447443332214"]
        assert await env.handset("+447443332214") == [text]

        async with aiohttp.ClientSession(headers=bearer(env)) as http:
            url = env.url(SEND) + "?src_number=+447443332211&dst_numbers=+447443332215&text=plus"
            async with http.post(url) as resp:
                [result] = (await resp.json())["result"]
            async with http.get(env.url("/v1/messages?to=%2B447443332215")) as resp:
                [message] = (await resp.json())["data"]
        assert result["destination_number"] == "+447443332215"
        assert message["from"] == "+447443332211"


ERRORS = [
    # (why, how: "path", query changes (None: left out), headers) -> HTTP status, Voximplant code
    ("no credentials", (SEND, {}, {}), 401, 100),
    ("a wrong key", (SEND, {}, {"Authorization": "Bearer mgw_wrong"}), 401, 100),
    ("Basic instead of Bearer", (SEND, {}, {"Authorization": "Basic dXNlcjpwYXNz"}), 401, 100),
    ("no src_number", (SEND, {"src_number": None}, None), 400, 101),
    ("no dst_numbers", (SEND, {"dst_numbers": None}, None), 400, 101),
    ("only separators", (SEND, {"dst_numbers": ";;"}, None), 400, 101),
    ("101 numbers", (SEND, {"dst_numbers": ";".join(f"4477009{i:05d}" for i in range(101))}, None), 400, 101),
    ("no text", (SEND, {"text": None}, None), 400, 101),
    ("a text of 1601 characters", (SEND, {"text": "x" * 1601}, None), 400, 101),
    ("a sender of 33 characters", (SEND, {"src_number": "4" * 33}, None), 400, 101),
    ("another command", (BASE + "/GetAccountInfo", {}, None), 404, 103),
    ("no cmd", (BASE, {}, None), 400, 102),
    ("an unknown cmd", (BASE, {"cmd": "SendSmsMessage"}, None), 404, 103),
    ("text given twice", (SEND + "?text=again", {}, None), 400, 101),
    ("a percent-escape not UTF-8", (SEND + "?x=%ff", {}, None), 400, 101),
]


async def test_errors_are_voximplants_error_object_with_its_codes(database):
    async with live(database) as env:
        got = []
        async with aiohttp.ClientSession() as http:
            for why, (path, changes, headers), _, _ in ERRORS:
                query = {"src_number": "447443332211", "dst_numbers": "447443332212", "text": "hi", **changes}
                async with http.post(env.url(path), params={k: v for k, v in query.items() if v is not None},
                                     headers=bearer(env) if headers is None else headers) as resp:
                    answer = await resp.json()
                assert set(answer) == {"error"} and set(answer["error"]) == {"msg", "code"}, (why, answer)
                assert answer["error"]["msg"] and env.key not in answer["error"]["msg"], why
                got.append((why, resp.status, answer["error"]["code"]))
            # The older credential parameter, where account_id and api_key went.
            async with http.post(env.url(SEND), params={"account_id": "1", "api_key": env.key,
                                                        "src_number": "447443332211",
                                                        "dst_numbers": "447443332212", "text": "hi"}) as resp:
                assert resp.status == 200 and len((await resp.json())["result"]) == 1
        assert got == [(why, status, code) for why, _, status, code in ERRORS]
        assert await env.handset("+447443332212") == ["hi"]


async def test_billing_failed_when_the_caps_are_used_and_too_many_requests_past_the_limit(database):
    async with live(database, per_day=0, rate_limit_per_minute=2) as env:
        query = {"src_number": "447443332211", "dst_numbers": "447443332212", "text": "hi"}
        got = []
        async with aiohttp.ClientSession(headers=bearer(env)) as http:
            for _ in range(3):
                async with http.post(env.url(SEND), params=query) as resp:
                    code = (await resp.json())["error"]["code"]
                    got.append((resp.status, code, resp.headers.get("Retry-After")))
        assert got[:2] == [(402, 5, None)] * 2
        assert got[2][:2] == (429, 429) and int(got[2][2]) >= 1


@pytest.mark.parametrize("tp_st, status", [(0x43, "failed"), (0x46, "expired")], ids=["failed", "expired"])
async def test_a_failed_and_an_expired_message_are_called_back_with_their_status(database, tp_st, status):
    async with live(database, report_status=tp_st) as env:
        async with aiohttp.ClientSession(headers=bearer(env)) as http:
            async with http.post(env.url(SEND), params={"src_number": "447443332211",
                                                        "dst_numbers": "447443332212", "text": "hi"}) as resp:
                [result] = (await resp.json())["result"]
        calls = await env.receiver.posted("/default", 2)
        items = [c.json()["callbacks"][0]["a2p_sms_delivery"] for c in calls]
        assert [(i["id"], i["status"]) for i in items] == [(result["message_id"], "sent"),
                                                           (result["message_id"], status)]


async def test_a_received_message_is_an_sms_inbound_callback(database):
    async with live(database, dialects={"voximplant": {"inbound_url": "/inbound"}}) as env:
        env.sim().inject_sms("+447443332212", "STOP")
        [call] = await env.receiver.posted("/inbound")
        assert call.json()["callbacks"][0] == {
            "callback_id": call.json()["callbacks"][0]["callback_id"], "type": "sms_inbound",
            "sms_inbound": {"sms_inbound": {"source_number": "447443332212", "sms_body": "STOP"}}}
        assert signed(call, await env.inbound_secret())


async def test_the_key_never_reaches_the_log(database, caplog):
    caplog.set_level(logging.DEBUG)
    async with live(database) as env:
        async with aiohttp.ClientSession() as http:
            async with http.get(env.url(SEND), params={"api_key": env.key, "src_number": "4474",
                                                       "dst_numbers": "447443332212", "text": "x"}) as resp:
                assert resp.status == 200
    assert not any(env.key in r.getMessage() for r in caplog.records)
    line = f"GET {SEND}?account_id=1&api_key=4f0c9e-not-a-modemgw-key&text=x"
    assert "4f0c9e" not in redact(line) and "text=x" in redact(line)


def test_anything_else_is_an_internal_error_in_voximplants_shape():
    response = voximplant.render(CoreError("internal error"))
    assert response.status == 500
    assert json.loads(response.body) == {"error": {"msg": "internal error", "code": 2}}
