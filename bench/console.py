"""What the web console adds to the gateway's idle memory (part of the footprint).

`modemgw serve` with 4 modems (simulators in this process on ptys, as in `footprint`, so
that the gateway's own memory is measured), started again and again in one run, with
`[console] enabled` and without, in rounds that alternate forward and backward (off, on;
on, off; off, on; ...), so that a machine or a process that drifts weighs on both alike.
With the console on, once the gateway is ready, someone logs in, every page is rendered
once and a live page's event stream is read (Jinja2 loaded, the templates compiled, a
session kept: the console as it is once it has been looked at); without it, as many
requests go to the API. Then `idle` seconds of quiet (30: longer than the 15 s after
which the console notices that the event stream's reader has gone, and ends it), and
VmRSS. Each round gives both readings and their difference, the figure; the table shows
their medians and spreads.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp

from .common import Gateway, Result, Workdir, config_text, log, simulated_modems

ROUNDS = 3
BUDGET_MB = 5.0             # what the console may add to idle RSS
PAGES = ("modems", "queue", "messages", "inbox", "outbox", "alerts", "send", "keys")
CSRF = re.compile(r'name="csrf" value="([^"]*)"')


async def run(*, modems: int = 4, rounds: int = ROUNDS, idle: float = 30.0, keep: bool = False,
              quick: bool = False) -> Result:
    if quick:
        idle = 5.0
    result = Result()
    readings: dict[bool, list[float]] = {False: [], True: []}
    with Workdir("console", keep) as work:
        key = await Gateway(work).create_key()
        for i in range(rounds):
            for console in (False, True) if i % 2 == 0 else (True, False):
                rss, cpu = await idle_rss(work, f"r{i + 1}-{'on' if console else 'off'}", key, modems, console, idle)
                readings[console].append(rss)
                line = (f"round {i + 1} console {'on ' if console else 'off'}: idle RSS {rss:.1f} MB, "
                        f"idle CPU {cpu:.2f} %")
                result.details.append(line)
                log(f"  {line}")
    for off, on in zip(readings[False], readings[True]):
        result.add(f"console: idle RSS, {modems} modems, console off", off, "MB", digits=1)
        result.add(f"console: idle RSS, {modems} modems, console on (pages seen)", on, "MB", digits=1)
        result.add("console: idle RSS added by the console", on - off, "MB", BUDGET_MB, "lower", 1)
    return result


async def idle_rss(work: Path, name: str, key: str, modems: int, console: bool, idle: float) -> tuple[float, float]:
    """(VmRSS in MB after `idle` s of quiet, CPU % over them) of one gateway."""
    gw = Gateway(work, name)
    gw.key = key
    (work / name).mkdir()
    async with simulated_modems(work / name, modems) as ports:
        await gw.start(config_text(gw.port, gw.database, modems=ports)
                       + f"\n[console]\nenabled = {'true' if console else 'false'}\n")
        try:
            await all_ready(gw.url, modems)    # /readyz answers 200 once one is
            await (visit(gw.url, key) if console else ask_api(gw.url, key))
            cpu0, t0 = gw.cpu(), asyncio.get_running_loop().time()
            await asyncio.sleep(idle)
            cpu1, t1 = gw.cpu(), asyncio.get_running_loop().time()
            return gw.rss(), (cpu1 - cpu0) / (t1 - t0) * 100
        finally:
            await gw.stop()


async def all_ready(base: str, modems: int, timeout: float = 30.0) -> None:
    """Until /readyz counts every modem ready, so that no round measures one still in set-up."""
    async with aiohttp.ClientSession(base) as http, asyncio.timeout(timeout):
        while True:
            async with http.get("/readyz") as r:
                if (await r.json())["checks"]["modems_ready"] >= modems:
                    return
            await asyncio.sleep(0.1)


async def visit(base: str, key: str) -> None:
    """Log in with the key, render every page once, read the start of the event stream."""
    async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get("/console/login") as r:
            csrf = CSRF.search(await r.text())
        if csrf is None:
            raise RuntimeError("the console's login page has no CSRF field: is [console] enabled?")
        async with http.post("/console/login", data={"csrf": csrf.group(1), "credential": key}) as r:
            if r.status != 200 or not str(r.url).endswith("/console/"):
                raise RuntimeError(f"console login answered {r.status} at {r.url}")
        for page in PAGES:
            async with http.get(f"/console/{page}") as r:
                if r.status != 200:
                    raise RuntimeError(f"/console/{page} answered {r.status}")
        async with http.get("/console/events?after=0") as r:
            await r.content.readline()


async def ask_api(base: str, key: str) -> None:
    """As many requests as `visit` makes, to the API."""
    async with aiohttp.ClientSession(base, headers={"Authorization": f"Bearer {key}"}) as http:
        for _ in range(len(PAGES) + 3):
            async with http.get("/v1/modems") as r:
                if r.status != 200:
                    raise RuntimeError(f"/v1/modems answered {r.status}")
