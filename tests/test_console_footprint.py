"""What the console costs a running gateway: `modemgw serve` started twice on the same
simulated modems, without and with `[console] enabled`, the second time with every page
rendered once (templates compiled, a session open, a live page's event stream read).
Idle RSS with the console may be at most 5 MB above the RSS without it (docs/console.md
gives the figures)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from test_console_harness import CSRF

EXE = shutil.which("modemgw") or str(Path(sys.executable).parent / "modemgw")
BUDGET_MB = 5.0
IDLE = 3.0          # s of quiet before the reading: the measurement, not a wait for anything
PAGES = ("modems", "queue", "messages", "inbox", "outbox", "send", "keys")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def _idle_rss(tmp_path: Path, name: str, console: bool) -> float:
    work = tmp_path / name
    work.mkdir()
    port, db = _free_port(), work / "gw.db"
    key = await _key(db)
    (work / "gw.toml").write_text(
        f'[api]\nlisten = "127.0.0.1:{port}"\n[store]\npath = "{db}"\n[console]\nenabled = {str(console).lower()}\n'
        '[dialects]\nenabled = []\n[[simulator]]\nname = "sim-a"\n[[simulator]]\nname = "sim-b"\n')
    with open(work / "log", "wb") as log:
        process = await asyncio.create_subprocess_exec(EXE, "serve", "--config", str(work / "gw.toml"),
                                                       stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            await _ready(http, process)
            if console:
                await _visit(http, key)
            else:
                for _ in PAGES:     # as many requests, to the API
                    async with http.get("/v1/modems", headers={"Authorization": f"Bearer {key}"}) as r:
                        assert r.status == 200
            await asyncio.sleep(IDLE)
            return _rss_mb(process.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            await process.wait()


async def _key(db: Path) -> str:
    process = await asyncio.create_subprocess_exec(EXE, "keys", "create", "footprint", "--db", str(db),
                                                   stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.DEVNULL)
    out, _ = await process.communicate()
    return re.search(r"(mgw_\S+)", out.decode()).group(1)


async def _ready(http: aiohttp.ClientSession, process) -> None:
    async with asyncio.timeout(30):
        while True:
            assert process.returncode is None, "the gateway exited"
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get("/readyz") as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.05)


async def _visit(http: aiohttp.ClientSession, key: str) -> None:
    async with http.get("/console/login") as r:
        csrf = CSRF.search(await r.text()).group(1)
    async with http.post("/console/login", data={"csrf": csrf, "credential": key}) as r:
        assert r.status == 200 and str(r.url).endswith("/console/")
    for page in PAGES:
        async with http.get(f"/console/{page}") as r:
            assert r.status == 200, page
    async with http.get("/console/events?after=0") as r:
        assert r.status == 200
        await r.content.readline()


async def test_the_console_adds_at_most_5_mb_to_idle_rss(tmp_path):
    without = await _idle_rss(tmp_path, "without", console=False)
    with_console = await _idle_rss(tmp_path, "with", console=True)
    print(f"idle RSS: {without:.1f} MB without the console, {with_console:.1f} MB with it "
          f"(+{with_console - without:.1f} MB)")
    assert with_console - without <= BUDGET_MB
