"""A guard against the console growing much: `modemgw serve` started twice on simulated
modems, without and with `[console] enabled`, the second time with every page rendered
once (templates compiled, a session open, a live page's event stream read); its RSS may
be at most GUARD_MB above the RSS without it.

Not the figure: the budget is 5 MB, and what the console costs is measured by
`python -m bench --only console` (idle, 4 modems, alternating rounds in one run; the
figures are in docs/benchmarks.md and docs/console.md). One reading of each here, with no
time left to settle, varies by a megabyte or two from run to run on a shared machine, so
the bound is one that only a real regression (a new dependency loaded, something kept
per request) crosses."""

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
GUARD_MB = 15.0
PAGES = ("modems", "queue", "messages", "inbox", "outbox", "alerts", "send", "keys")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def _rss(tmp_path: Path, name: str, console: bool) -> float:
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


async def test_the_console_adds_no_more_than_the_guard_to_rss(tmp_path):
    without = await _rss(tmp_path, "without", console=False)
    with_console = await _rss(tmp_path, "with", console=True)
    print(f"RSS: {without:.1f} MB without the console, {with_console:.1f} MB with it "
          f"(+{with_console - without:.1f} MB)")
    assert with_console - without <= GUARD_MB
