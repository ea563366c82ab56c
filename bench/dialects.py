"""Dialects: the gateway's CPU per accepted send request, each dialect beside the native API.

One gateway (`modemgw serve`, every dialect on) with one simulated modem that sends one
part and is then held back by its `per_minute` rate, so that only the API and the
store's commit are measured (as in `ingest`, but uncapped: a daily cap of 0 would make
the dialects that check the caps refuse every request). For each dialect, the send
request its provider documents (SENDS: one line per dialect) is sent by wrk from
another process, 16 connections, one recipient a request; the gateway's CPU over the
run is divided by the messages committed. Rounds alternate the dialects, in turn
forward and backward (native, smsprovider, ..., twilio, twilio, ..., native), so a
machine that slows down, or a database that grows, weighs on all of them alike. Each
round gives a figure per dialect and its ratio to the native figure of the same round;
the table shows their medians and spreads.

A dialect whose send is not served yet (its first request is not a 2xx that commits a
message) is left out, and the details say why.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .common import MODEMGW, Gateway, Result, Workdir, config_text, log
from .ingest import run_wrk

ROUNDS = 3
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class Send:
    """A dialect's send request as its provider documents it. `path` and `body` may name
    the key's credentials as {smspm_hash}, {twilio_account_sid}, ... (`keys create --json`)."""
    dialect: str
    method: str
    path: str
    body: str = ""
    content_type: str | None = None
    auth: str = "bearer"          # bearer: the key; twilio: HTTP Basic, SID and token; none


SENDS = (
    Send("native", "POST", "/v1/messages", '{"to": "+15551230001", "text": "Benchmark message"}', JSON),
    Send("smsprovider", "POST", "/compat/smsprovider/v1/messages",
         '{"to": "+15551230001", "message": "Benchmark message"}', JSON),
    Send("cartboss", "POST", "/compat/cartboss/v1/messages/send",
         '{"to": "+15551230001", "from": "Bench", "body": "Benchmark message"}', JSON),
    Send("voximplant", "POST", "/compat/voximplant/platform_api/A2PSendSms?src_number=15551230000"
         "&dst_numbers=15551230001&text=Benchmark%20message"),
    Send("smspm", "GET", "/compat/smspm?hash={smspm_hash}&token={smspm_token}&toNumber=%2B15551230001"
         "&fromNumber=Bench&text=Benchmark%20message", auth="none"),
    Send("twilio", "POST", "/compat/twilio/2010-04-01/Accounts/{twilio_account_sid}/Messages.json",
         "To=%2B15551230001&From=%2B15551230000&Body=Benchmark+message", FORM, auth="twilio"),
)

WRK_SCRIPT = """
wrk.method = os.getenv("BENCH_METHOD")
wrk.body = os.getenv("BENCH_BODY")
if os.getenv("BENCH_CONTENT_TYPE") ~= "" then wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") end
if os.getenv("BENCH_AUTHORIZATION") ~= "" then wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION") end
"""


@dataclass(frozen=True, slots=True)
class Request:
    url: str
    method: str
    body: str
    headers: dict[str, str]


def request(send: Send, base: str, credentials: dict[str, str]) -> Request:
    headers = {} if send.content_type is None else {"Content-Type": send.content_type}
    if send.auth == "bearer":
        headers["Authorization"] = f"Bearer {credentials['key']}"
    elif send.auth == "twilio":
        pair = f"{credentials['twilio_account_sid']}:{credentials['twilio_auth_token']}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    return Request(base + _fill(send.path, credentials), send.method, _fill(send.body, credentials), headers)


def _fill(text: str, credentials: dict[str, str]) -> str:
    # Not str.format: the JSON bodies have braces of their own.
    for name, value in credentials.items():
        text = text.replace("{" + name + "}", value)
    return text


async def create_credentials(gw: Gateway) -> dict[str, str]:
    process = await asyncio.create_subprocess_exec(
        MODEMGW, "keys", "create", "bench-dialects", "--db", gw.database, "--json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError("modemgw keys create --json failed")
    credentials = {k: str(v) for k, v in json.loads(out).items()}
    gw.key = credentials["key"]
    return credentials


def probe(gw: Gateway, r: Request) -> str | None:
    """None when the request is answered 2xx and commits a message; else why not."""
    before = gw.query("SELECT COUNT(*) FROM messages")[0][0]
    data = r.body.encode() if r.method != "GET" else None
    try:
        with urllib.request.urlopen(urllib.request.Request(r.url, data, r.headers, method=r.method),
                                    timeout=10) as answer:
            status, text = answer.status, answer.read()[:200]
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read()[:200]
    if status // 100 != 2:
        return f"answered {status}: {text!r}"
    if gw.query("SELECT COUNT(*) FROM messages")[0][0] != before + 1:
        return f"answered {status} but committed no message: {text!r}"
    return None


async def measure(gw: Gateway, r: Request, duration: float, connections: int, work: Path) -> tuple[float, str]:
    """(gateway CPU µs per committed message, a summary line)."""
    before = gw.query("SELECT COUNT(*) FROM messages")[0][0]
    cpu0 = gw.cpu()
    w = await run_wrk(r.url, WRK_SCRIPT, {"BENCH_METHOD": r.method, "BENCH_BODY": r.body,
                                          "BENCH_CONTENT_TYPE": r.headers.get("Content-Type", ""),
                                          "BENCH_AUTHORIZATION": r.headers.get("Authorization", "")},
                      duration, connections, work)
    cpu = gw.cpu() - cpu0
    committed = gw.query("SELECT COUNT(*) FROM messages")[0][0] - before
    if committed == 0 or committed < w["ok"]:
        raise RuntimeError(f"{w['ok']} requests answered 2xx, {committed} messages committed:\n{w['raw']}")
    return cpu / committed * 1e6, (f"{w['requests']} requests in {w['elapsed']:.2f} s, non-2xx "
                                   f"{w['non2xx']}, committed {committed}, CPU {cpu:.2f} s, "
                                   f"p50 {w['p50_ms']:.2f} ms")


async def run(*, duration: float = 4.0, connections: int = 16, rounds: int = ROUNDS, keep: bool = False,
              quick: bool = False) -> Result:
    if quick:
        duration = 2.0
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    result = Result()
    with Workdir("dialects", keep) as work:
        gw = Gateway(work)
        credentials = await create_credentials(gw)
        # One part goes out at once (the throttle has no last send yet), then one a day.
        await gw.start(config_text(gw.port, gw.database, simulators=[
            {"name": "held", "latency": 0.0, "report_delay": 0.05, "per_minute": 1 / 1440}]))
        try:
            served = []
            for send in SENDS:
                r = request(send, gw.url, credentials)
                why = probe(gw, r)
                if why is None:
                    served.append((send.dialect, r))
                else:
                    result.details.append(f"{send.dialect}: left out, its send {why}")
                    log(f"  {send.dialect}: left out, its send {why}")
            samples: dict[str, list[float]] = {name: [] for name, _ in served}
            for i in range(rounds):
                for name, r in (served if i % 2 == 0 else served[::-1]):
                    us, summary = await measure(gw, r, duration, connections, work)
                    samples[name].append(us)
                    result.details.append(f"round {i + 1} {name}: {us:.0f} us/request; {summary}")
                    log(f"  round {i + 1} {name}: {us:.0f} us/request")
        finally:
            await gw.stop()
    # One figure per round, so the table shows the median and spread of the rounds; the
    # ratios are taken round by round (each dialect against the native run of its round).
    for i in range(rounds):
        for name, values in samples.items():
            result.add(f"dialects: gateway CPU per accepted send, {name}", values[i], "us/request", digits=0)
            if name != "native" and "native" in samples:
                result.add(f"dialects: {name} / native", values[i] / samples["native"][i], "x", digits=2)
    return result
