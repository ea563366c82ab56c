"""The console under test: a whole gateway on simulated modems with `[console] enabled`,
and an HTTP client that logs in as a browser does (cookie jar, CSRF token from the page).

The other tests/test_console*.py import from here; the harness's own tests are at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from html import unescape

import aiohttp
from aiohttp import web

from modemgw.config import Config, SimulatorConfig
from modemgw.modem import ModemState
from modemgw.service import Gateway

CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def config(database: str, **values) -> Config:
    # No dialects: the console is what is tested, and they are not its concern.
    base = Config(listen_port=0, database=database, console_enabled=True, dialects=(),
                  simulators=(SimulatorConfig("sim-a", report_delay=0.1),))
    return replace(base, **values)


@contextlib.asynccontextmanager
async def running_gateway(cfg: Config) -> AsyncIterator[Gateway]:
    gateway = Gateway(cfg)
    await gateway.start()
    try:
        for modem in gateway.modems:
            await modem.wait_for(ModemState.READY, timeout=20)
        yield gateway
    finally:
        await gateway.stop()


async def until(check: Callable[[], Awaitable[object]], timeout: float = 15.0, what: str = "condition"):
    """Ask `check` until it returns something true; its value. Fails after `timeout`."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                value = await check()
                if value:
                    return value
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"{what} not reached within {timeout} s") from None


@dataclass
class Page:
    status: int
    text: str
    headers: object
    url: str

    @property
    def csrf(self) -> str:
        match = CSRF.search(self.text)
        assert match, "the page has no CSRF field"
        return unescape(match.group(1))


class Client:
    """A browser's view: cookies kept (for 127.0.0.1 too), redirects followed unless told."""

    def __init__(self, base: str) -> None:
        self.http = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def close(self) -> None:
        await self.http.close()

    async def get(self, path: str, **kwargs) -> Page:
        async with self.http.get(path, **kwargs) as r:
            page = Page(r.status, await r.text(), r.headers, str(r.url))
        if "csrf" in page.text and page.status < 400:
            self.csrf = page.csrf
        return page

    async def post(self, path: str, data: dict, *, csrf: str | None = None, **kwargs) -> Page:
        form = {"csrf": self.csrf if csrf is None else csrf, **data}
        async with self.http.post(path, data=form, **kwargs) as r:
            page = Page(r.status, await r.text(), r.headers, str(r.url))
        if "csrf" in page.text and page.status < 400:
            self.csrf = page.csrf
        return page

    async def login(self, credential: str) -> Page:
        form = await self.get("/console/login")
        return await self.post("/console/login", {"credential": credential}, csrf=form.csrf)


@contextlib.asynccontextmanager
async def logged_in(gateway: Gateway, credential: str | None = None) -> AsyncIterator[Client]:
    if credential is None:
        _, credential = await gateway.store.create_key("operator")
    client = Client(gateway.url)
    try:
        page = await client.login(credential)
        assert page.status == 200 and page.url.endswith("/console/"), (page.status, page.url)
        yield client
    finally:
        await client.close()


async def delivered(gateway: Gateway, message_id: str, status: str = "delivered", timeout: float = 15.0) -> dict:
    async def check():
        row = await gateway.store.get_message(message_id)
        return row if row["status"] == status else None
    return await until(check, timeout, f"{message_id} {status}")


@contextlib.asynccontextmanager
async def serving_hook(handler) -> AsyncIterator[str]:
    """A webhook receiver on loopback: `handler` answers POST /hook; yields its URL."""
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"
    finally:
        await runner.cleanup()


# -- the harness's own tests ---------------------------------------------------------------

async def test_until_fails_loudly_when_the_condition_never_holds():
    started = time.monotonic()

    async def never():
        return False
    try:
        await until(never, timeout=0.2, what="never")
    except AssertionError as exc:
        assert "never not reached" in str(exc)
    else:
        raise AssertionError("until() returned for a condition that never held")
    assert time.monotonic() - started < 2


def test_config_turns_the_console_on(tmp_path):
    cfg = config(str(tmp_path / "gw.db"), console_remote=True)
    assert cfg.console_enabled and cfg.console_remote and cfg.console_key_login
    assert cfg.database.endswith("gw.db")
