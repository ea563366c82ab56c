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

Each dialect's request is first sent once and its answer shown in the details: a dialect
whose send is not served yet (that answer is not a 2xx that commits one message) is left
out. Under wrk, every answer must be a 2xx (200, 201 or 202, as the provider answers a
send) and the messages committed at least as many as the answers, or the run fails.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import time
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


def probe(gw: Gateway, r: Request) -> tuple[bool, str]:
    """The request sent once: whether it was answered 2xx and committed one message, and
    what was answered (the details show it, so that each dialect's answer can be read)."""
    before = gw.query("SELECT COUNT(*) FROM messages")[0][0]
    data = r.body.encode() if r.method != "GET" else None
    try:
        with urllib.request.urlopen(urllib.request.Request(r.url, data, r.headers, method=r.method),
                                    timeout=10) as answer:
            status, text = answer.status, answer.read()[:300]
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read()[:300]
    committed = gw.query("SELECT COUNT(*) FROM messages")[0][0] - before
    answered = f"answered {status}, committed {committed} message(s): {text.decode(errors='replace')}"
    return status // 100 == 2 and committed == 1, answered


async def settle(gw: Gateway, timeout: float = 5.0) -> None:
    """Wait until no more messages are being committed: wrk stops with requests in flight,
    whose commits must not fall into the next run's count."""
    count, deadline = -1, time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = gw.query("SELECT COUNT(*) FROM messages")[0][0]
        if now == count:
            return
        count = now
        await asyncio.sleep(0.1)


async def measure(gw: Gateway, r: Request, duration: float, connections: int, work: Path) -> tuple[float, str]:
    """(gateway CPU µs per committed message, a summary line). Every answer must be a 2xx
    (the dialect's send route answering 200, 201 or 202) and have committed its message."""
    await settle(gw)
    before = gw.query("SELECT COUNT(*) FROM messages")[0][0]
    cpu0 = gw.cpu()
    w = await run_wrk(r.url, WRK_SCRIPT, {"BENCH_METHOD": r.method, "BENCH_BODY": r.body,
                                          "BENCH_CONTENT_TYPE": r.headers.get("Content-Type", ""),
                                          "BENCH_AUTHORIZATION": r.headers.get("Authorization", "")},
                      duration, connections, work)
    cpu = gw.cpu() - cpu0
    committed = gw.query("SELECT COUNT(*) FROM messages")[0][0] - before
    if w["non2xx"] or w["socket_errors"] or committed == 0 or committed < w["ok"]:
        raise RuntimeError(f"{w['ok']} requests answered 2xx, {w['non2xx']} not, {w['socket_errors']} "
                           f"socket errors, {committed} messages committed:\n{w['raw']}")
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
                sends, answered = probe(gw, r)
                if sends:
                    served.append((send.dialect, r))
                line = f"{send.dialect}: {'' if sends else 'left out, '}its send {answered}"
                result.details.append(line)
                log(f"  {line}")
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
