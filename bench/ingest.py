"""Ingest: POST /v1/messages accepted and committed per second, and latency at fixed rates.

The gateway runs with one simulated modem capped at `per_day = 0`, so nothing is
sent and only the API + the store's group-commit writer are measured. Load comes
from another process on loopback: wrk (C, closed loop, `--connections` requests in
flight) for the sustained maximum, and bench/loadgen.py (open loop, requests due at
i/rate) for latency at 100, 500 and 1000 requests per second. One recipient per
request, so requests = messages; one more wrk run with BULK recipients per request
(`to` an array) shows what the store takes when the HTTP cost is shared.

First, in the same run, the floor: a bare aiohttp app (this module run as
`python -m bench.ingest --floor PORT`, one process, so one core) that parses the same
JSON body and answers 201, under the same wrk load; the gateway's rate is also given
as a share of it, so that runs on hosts of different speeds can be compared. Then the
durable floor (`--floor PORT --durable DATABASE`): the same app, which before its 201
commits one row a request through the gateway's own group-commit writer (store/writer.py:
WAL, synchronous=FULL), so that what durability before the answer costs is measured
apart from everything else the gateway does with a message.

`python -m bench.ingest --http-cpu --tree A --against B` compares two source trees on
the CPU per request of the API alone, in one process and without sockets (http_cpu):
less noisy than the closed loop on a shared 2-core host, for A/B rounds of small changes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import signal
import sys
import time
from pathlib import Path

from .common import PYTHON, ROOT, Gateway, Result, Workdir, config_text, cpu_seconds, free_port, is_url, log

RATES = (100, 500, 1000)
BULK = 10

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MODEMGW_KEY")
local n = 0
local recipients = tonumber(os.getenv("MODEMGW_RECIPIENTS"))
request = function()
  n = n + 1
  local numbers = {}
  for i = 1, recipients do
    numbers[i] = string.format('"+1555%07d"', 1230000 + (n * recipients + i) % 10000)
  end
  local to = table.concat(numbers, ", ")
  if recipients > 1 then to = "[" .. to .. "]" end
  local body = string.format('{"to": %s, "text": "Benchmark message %d"}', to, n)
  return wrk.format(nil, "/v1/messages", nil, body)
end
"""


def _seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


async def wrk(url: str, key: str, duration: float, connections: int, work: Path,
              recipients: int = 1) -> dict:
    return await run_wrk(url, WRK_SCRIPT, {"MODEMGW_KEY": key, "MODEMGW_RECIPIENTS": str(recipients)},
                         duration, connections, work)


async def run_wrk(url: str, script_text: str, env: dict[str, str], duration: float, connections: int,
                  work: Path) -> dict:
    """wrk (one thread, closed loop) with a Lua script and its environment; its counts and
    latency percentiles."""
    script = work / "request.lua"
    script.write_text(script_text)
    process = await asyncio.create_subprocess_exec(
        "wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency", "-s", str(script), url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**env, "PATH": "/usr/bin:/bin"})
    out = (await process.communicate())[0].decode()
    requests = int(re.search(r"(\d+) requests in ([\d.]+\w+)", out).group(1))
    elapsed = _seconds(re.search(r"\d+ requests in ([\d.]+\w+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad = int(non2xx.group(1)) if non2xx else 0
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    return {"requests": requests, "elapsed": elapsed, "non2xx": bad,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0,
            "ok": requests - bad, "p50_ms": _seconds(latency["50"]) * 1000,
            "p99_ms": _seconds(latency["99"]) * 1000, "raw": out}


async def committed_wrk(gw: Gateway, duration: float, connections: int, work: Path,
                        recipients: int) -> dict:
    """A wrk run, checked against the database: every 2xx answer's messages were committed.
    Adds `messages` (accepted), `cpu` (the gateway's seconds), `db_cpu` (PostgreSQL's) and `summary`."""
    before = gw.query("SELECT COUNT(*) FROM messages")[0][0]
    cpu0, db0 = gw.cpu(), gw.db_cpu()
    w = await wrk(gw.url, gw.key, duration, connections, work, recipients)
    cpu, db_cpu = gw.cpu() - cpu0, gw.db_cpu() - db0
    committed = gw.query("SELECT COUNT(*) FROM messages")[0][0] - before
    messages = w["ok"] * recipients
    if w["ok"] == 0:
        raise RuntimeError("wrk got no 2xx answer:\n" + w["raw"])
    if committed < messages:
        raise RuntimeError(f"wrk counted {w['ok']} accepted requests of {recipients}, "
                           f"the database holds {committed} messages")
    summary = (f"wrk, {recipients} per request: {w['requests']} requests in {w['elapsed']:.2f} s, "
               f"non-2xx {w['non2xx']}, socket errors {w['socket_errors']}, committed rows {committed}, "
               f"gateway CPU {cpu:.2f} s" + (f", PostgreSQL CPU {db_cpu:.2f} s" if is_url(gw.database) else ""))
    return {**w, "messages": messages, "cpu": cpu, "db_cpu": db_cpu, "summary": summary}


async def floor_app_handler(request):
    """The floor's only route: the body parsed as JSON (as strictly as json.loads does), 201."""
    from aiohttp import web
    body = json.loads(await request.read())
    return web.json_response({"id": "msg_floor", "status": "queued", "to": body.get("to")}, status=201)


def durable_floor_handler(writer):
    """The durable floor's route: the body parsed as the floor's, one row committed, 201."""
    from aiohttp import web

    async def handler(request):
        body = json.loads(await request.read())

        def insert(conn):
            return conn.execute("INSERT INTO messages (to_number, text) VALUES (?, ?) RETURNING id",
                                (str(body.get("to")), str(body.get("text")))).fetchall()[0][0]
        row = await writer.write(insert)
        return web.json_response({"id": row, "status": "queued", "to": body.get("to")}, status=201)
    return handler


def serve_floor(port: int, database: str | None = None) -> None:
    from aiohttp import web
    app = web.Application()
    handler = floor_app_handler
    if database is not None:
        from modemgw.store.writer import Writer
        writer = Writer(database)
        writer.start(lambda conn: conn.execute(
            "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, to_number TEXT, text TEXT)"))
        handler = durable_floor_handler(writer)
    app.router.add_post("/v1/messages", handler)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None,
                handle_signals=True)


async def floor_wrk(duration: float, connections: int, work: Path, durable: bool = False) -> dict:
    """wrk against the bare aiohttp app (`durable`: the durable floor), same script and body
    as the gateway's run."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = await asyncio.create_subprocess_exec(
        PYTHON, "-m", "bench.ingest", "--floor", str(port),
        *(["--durable", str(work / f"floor-{port}.db")] if durable else []), cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                if time.monotonic() > deadline or process.returncode is not None:
                    raise RuntimeError("the bare aiohttp app did not start") from None
                await asyncio.sleep(0.05)
        cpu0 = cpu_seconds(process.pid)
        w = await wrk(url, "floor", duration, connections, work)
        w["cpu"] = cpu_seconds(process.pid) - cpu0
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
    if w["ok"] == 0:
        raise RuntimeError("wrk got no 2xx answer from the bare aiohttp app:\n" + w["raw"])
    return w


async def loadgen(url: str, key: str, rate: float, duration: float) -> dict:
    process = await asyncio.create_subprocess_exec(
        PYTHON, "-m", "bench.loadgen", "--url", url, "--key", key, "--rate", str(rate),
        "--duration", str(duration), cwd=ROOT, stdout=asyncio.subprocess.PIPE)
    out = (await process.communicate())[0].decode()
    return json.loads(out)


async def run(*, duration: float = 10.0, connections: int = 32, keep: bool = False, quick: bool = False,
              store: str = "sqlite", rates: tuple[int, ...] = RATES, floor: bool = True,
              bulk: bool = True) -> Result:
    """`store`: "sqlite" or "postgresql" (bench/pg.py's durable server; PostgreSQL's own CPU
    per message is then a figure too). `rates`, `floor`, `bulk` leave parts out
    (bench/postgres.py measures only what it compares)."""
    if quick:
        duration = 4.0
    result = Result()
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    on_pg = store == "postgresql"
    with Workdir("ingest", keep) as work:
        gw = Gateway(work, store=store)
        await gw.start(config_text(gw.port, gw.database,
                                   simulators=[{"name": "capped", "latency": 0.0, "per_day": 0}]))
        try:
            floor_rate = await _floor(result, duration, connections, work) if floor else None
            w = await committed_wrk(gw, duration, connections, work, recipients=1)
            result.add("ingest: sustained (wrk, closed loop)", w["messages"] / w["elapsed"], "msg/s", 3000,
                       "higher", 0, note=f"{connections} connections, {duration:g} s")
            if floor_rate:
                result.add("ingest: sustained, share of the floor",
                           w["messages"] / w["elapsed"] / floor_rate * 100, "%", 50, "higher", 0)
            result.add("ingest: gateway CPU per message", w["cpu"] / w["messages"] * 1e6, "us/msg", 350,
                       "lower", 0)
            if on_pg:
                result.add("ingest: PostgreSQL CPU per message", w["db_cpu"] / w["messages"] * 1e6, "us/msg",
                           digits=0)
            result.add("ingest: latency p50 under wrk", w["p50_ms"], "ms", digits=1)
            result.add("ingest: latency p99 under wrk", w["p99_ms"], "ms", digits=1)
            result.details.append(w["summary"])
            for rate in rates:
                cpu0, db0 = gw.cpu(), gw.db_cpu()
                r = await loadgen(gw.url, gw.key, rate, duration)
                cpu1, db1 = gw.cpu(), gw.db_cpu()
                if r["ok"] != r["sent"]:
                    log(f"ingest: at {rate}/s {r['sent'] - r['ok']} requests failed: {r['statuses']}")
                target = 10.0 if rate == 500 else None
                result.add(f"ingest: p50 at {rate} req/s", r["p50_ms"], "ms", digits=2)
                result.add(f"ingest: p99 at {rate} req/s", r["p99_ms"], "ms", target, "lower", 2)
                result.add(f"ingest: gateway CPU at {rate} req/s", (cpu1 - cpu0) / (r["duration"] + 1.0) * 100,
                           "% of a core", digits=0)
                if on_pg:
                    result.add(f"ingest: PostgreSQL CPU at {rate} req/s",
                               (db1 - db0) / (r["duration"] + 1.0) * 100, "% of a core", digits=0)
                result.details.append(
                    f"loadgen {rate}/s: ok {r['ok']}/{r['sent']}, achieved {r['achieved_rate']:.0f}/s, "
                    f"p90 {r['p90_ms']:.2f} ms, max {r['max_ms']:.1f} ms, client lag p99 "
                    f"{r['client_lag_p99_ms']:.2f} ms")
            if bulk:
                w = await committed_wrk(gw, duration, connections, work, recipients=BULK)
                result.add(f"ingest: {BULK} recipients per request (wrk)", w["messages"] / w["elapsed"],
                           "msg/s", digits=0, note=f"{connections} connections, {duration:g} s")
                result.add(f"ingest: gateway CPU per message, {BULK} per request",
                           w["cpu"] / w["messages"] * 1e6, "us/msg", digits=0)
                if on_pg:
                    result.add(f"ingest: PostgreSQL CPU per message, {BULK} per request",
                               w["db_cpu"] / w["messages"] * 1e6, "us/msg", digits=0)
                result.details.append(w["summary"])
        finally:
            await gw.stop()
    return result


async def _floor(result: Result, duration: float, connections: int, work: Path) -> float:
    """The bare aiohttp app's figures and the durable floor's, added to `result`; returns
    the bare app's rate."""
    f = await floor_wrk(duration, connections, work)
    rate = f["ok"] / f["elapsed"]
    result.add("ingest: bare aiohttp floor (wrk)", rate, "req/s", digits=0,
               note=f"{connections} connections, {duration:g} s")
    result.add("ingest: bare aiohttp CPU per request", f["cpu"] / f["ok"] * 1e6, "us/req", digits=0)
    result.details.append(f"floor: {f['requests']} requests in {f['elapsed']:.2f} s, "
                          f"non-2xx {f['non2xx']}, CPU {f['cpu']:.2f} s")
    d = await floor_wrk(duration, connections, work, durable=True)
    durable = d["ok"] / d["elapsed"]
    result.add("ingest: durable floor (a row committed a request)", durable, "req/s", digits=0)
    result.add("ingest: durable floor, share of the floor", durable / rate * 100, "%", digits=0)
    result.add("ingest: durable floor CPU per request", d["cpu"] / d["ok"] * 1e6, "us/req", digits=0)
    result.details.append(f"durable floor: {d['requests']} requests in {d['elapsed']:.2f} s, "
                          f"non-2xx {d['non2xx']}, CPU {d['cpu']:.2f} s")
    return rate


HTTP_CPU_SCRIPT = r"""
import asyncio, logging, os, sys, tempfile, time
from modemgw import logs
from modemgw.api.app import create_app
from modemgw.api.server import GatewayRunner, Limits
from modemgw.sms import ConcatReferences
from modemgw.store import Store


class Transport(asyncio.Transport):
    # Collects a connection's answer; tells `done` when a whole one (head + Content-Length) is in.
    def __init__(self, done):
        super().__init__()
        self.buf, self.done, self.closing, self.status = bytearray(), done, False, 0

    def write(self, data):
        self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buf[:end]).lower()
        i = head.find(b"content-length:")
        length = int(head[i + 15:].split(b"\r\n")[0]) if i >= 0 else 0
        if len(self.buf) >= end + 4 + length:
            self.status = int(self.buf[9:12])
            del self.buf[:]
            self.done(self)

    def writelines(self, chunks):
        self.write(b"".join(chunks))

    def is_closing(self):
        return self.closing

    def close(self):
        self.closing = True

    def get_extra_info(self, name, default=None):
        return {"peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}.get(name, default)

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass

    def get_write_buffer_size(self):
        return 0


async def main(n, connections=32):
    work = tempfile.mkdtemp(prefix="modemgw-bench-httpcpu-")
    logs.configure("text")
    logging.getLogger().handlers[0].stream = open(os.path.join(work, "gateway.log"), "w")
    store = Store(os.path.join(work, "modemgw.db"))
    await store.open()
    _, key = await store.create_key("bench")
    runner = GatewayRunner(create_app(store, references=ConcatReferences(), rate_limit=10**9),
                           Limits(10, 10, 75, 1024))
    await runner.setup()
    pending, waiter, count = set(), None, 0

    def done(transport):
        pending.discard(transport)
        if transport.status != 200:
            raise SystemExit(f"answered {transport.status}")
        if not pending and not waiter.done():
            waiter.set_result(None)

    conns = []
    for _ in range(connections):
        transport = Transport(done)
        protocol = runner.server()
        protocol.connection_made(transport)
        conns.append((protocol, transport))

    async def rounds(k):
        nonlocal waiter, count
        for _ in range(k):
            waiter = asyncio.get_running_loop().create_future()
            for protocol, transport in conns:
                count += 1
                body = b'{"to": "+1555%07d", "text": "Benchmark message %d"}' % (1230000 + count % 10000, count)
                pending.add(transport)
                protocol.data_received(
                    b"POST /v1/messages HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                    b"Authorization: Bearer " + key.encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            await waiter

    await rounds(50)                      # warm-up
    main0, all0 = time.thread_time(), time.process_time()
    await rounds(n // connections)
    main1, all1 = time.thread_time(), time.process_time()
    done_n = n // connections * connections
    print(f"{(main1 - main0) / done_n * 1e6:.1f} {(all1 - all0) / done_n * 1e6:.1f}")
    for protocol, _ in conns:
        protocol.connection_lost(None)
    await runner.cleanup()
    await store.close()


asyncio.run(main(int(sys.argv[1])))
"""


def http_cpu(tree: Path, requests: int) -> tuple[float, float]:
    """CPU per POST /v1/messages of the gateway's code in `tree`, in one process: the API's
    app and server over in-memory transports (32 connections, one request each at a time;
    no sockets, no client, no load generator sharing the cores), the store on a new SQLite
    file. Returns (event loop thread, whole process) in µs per request."""
    import os
    import subprocess
    import tempfile
    out = subprocess.run([PYTHON, "-c", HTTP_CPU_SCRIPT, str(requests)], check=True, capture_output=True,
                         text=True, cwd=tempfile.gettempdir(), env={**os.environ, "PYTHONPATH": str(tree)})
    loop, process = map(float, out.stdout.split())
    return loop, process


def http_cpu_ab(trees: dict[str, Path], rounds: int, requests: int) -> None:
    """Alternating rounds (A, B; B, A; ...) of http_cpu for each tree; medians and minima."""
    import statistics
    values: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    names = list(trees)
    for i in range(rounds):
        for name in names if i % 2 == 0 else names[::-1]:
            values[name].append(http_cpu(trees[name], requests))
            log(f"round {i + 1} {name}: event loop {values[name][-1][0]:.1f} us/req, "
                f"process {values[name][-1][1]:.1f} us/req")
    for name, pairs in values.items():
        loop, process = [p[0] for p in pairs], [p[1] for p in pairs]
        print(f"{name} ({trees[name]}): event loop median {statistics.median(loop):.1f} us/req "
              f"(min {min(loop):.1f}), process median {statistics.median(process):.1f} us/req "
              f"(min {min(process):.1f}), {rounds} rounds")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description="the bare aiohttp floor of the ingest benchmark (--floor PORT), or the CPU per "
                    "request of the API in one process, alternating source trees (--http-cpu)")
    parser.add_argument("--floor", type=int, metavar="PORT", help="serve the bare aiohttp app")
    parser.add_argument("--durable", metavar="DATABASE",
                        help="with --floor: commit a row a request in this SQLite file first")
    parser.add_argument("--http-cpu", action="store_true")
    parser.add_argument("--tree", type=Path, default=ROOT, help="source tree (default: this one)")
    parser.add_argument("--against", type=Path, help="a second tree, alternated with --tree")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=4000, help="measured requests per round")
    args = parser.parse_args()
    if args.floor is not None:
        serve_floor(args.floor, args.durable)
    elif args.http_cpu:
        trees = {"A": args.tree.resolve()}
        if args.against is not None:
            trees["B"] = args.against.resolve()
        http_cpu_ab(trees, args.rounds, args.requests)
    else:
        parser.error("--floor PORT or --http-cpu")
    sys.exit(0)
