"""A running gateway on simulated modems, with a key, its derived credentials and a
receiver for webhooks on loopback: what the dialects' replays of their providers'
examples run against."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
from aiohttp import web

from modemgw.config import Config, SimulatorConfig
from modemgw.service import Gateway
from modemgw.store.keys import Credentials, derive
from modemgw.webhooks import verify

TIMEOUT = 20.0
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call:
    path: str
    body: bytes
    headers: dict

    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """Records every POST, whatever its path."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.changed = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append(Call(request.path, await request.read(), dict(request.headers)))
        async with self.changed:
            self.changed.notify_all()
        return web.Response(status=204)

    async def wait(self, predicate: Callable[[list[Call]], T], timeout: float = TIMEOUT) -> T:
        """The predicate's first true value."""
        async with asyncio.timeout(timeout):
            async with self.changed:
                return await self.changed.wait_for(lambda: predicate(self.calls))

    async def posted(self, path: str, count: int = 1) -> list[Call]:
        """The first `count` calls to `path`, once there are."""
        return (await self.wait(lambda calls: len(self.at(path)) >= count and self.at(path)))[:count]

    def at(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]


@dataclass
class Live:
    gateway: Gateway
    receiver: Receiver
    hooks: str                 # the receiver's base URL
    key: str                   # the modemgw key (Bearer)
    key_id: int
    credentials: Credentials

    def url(self, path: str = "") -> str:
        return self.gateway.url + path

    def sim(self):
        return next(iter(self.gateway.simulators.values()))

    async def secret(self) -> str:
        """What signs the webhooks of this key's messages."""
        return await self.gateway.store.key_secret(self.key_id)

    async def inbound_secret(self) -> str:
        """What signs the webhooks of received messages (they belong to no key)."""
        return await self.gateway.store.webhook_secret(None)

    async def handset(self, number: str, count: int = 1, timeout: float = TIMEOUT) -> list[str]:
        """What the simulated network delivered to `number`, once `count` texts have arrived."""
        sim = self.sim()
        await sim.wait_for(lambda: len(sim.handset(number)) >= count, timeout=timeout)
        return sim.handset(number)


def signed(call: Call, secret: str) -> bool:
    return verify(secret, call.body, call.headers.get("X-Modemgw-Timestamp"),
                  call.headers.get("X-Modemgw-Signature"))


async def ready(gateway: Gateway) -> None:
    """Until /readyz answers 200 (a modem is ready)."""
    async with aiohttp.ClientSession() as http:
        async with asyncio.timeout(TIMEOUT):
            while True:
                async with http.get(gateway.url + "/readyz") as resp:
                    if resp.status == 200:
                        return
                await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def live(database: str, *, report_status: int = 0, per_day: int | None = None,
               dialects: dict[str, dict] | None = None, **config) -> AsyncIterator[Live]:
    """`dialects`: `[dialects.<name>]` tables; an `inbound_url` of "/path" is on the receiver.
    `[webhooks] default_url` is the receiver's /default."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hooks = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    settings = {name: {k: hooks + v if k == "inbound_url" else v for k, v in table.items()}
                for name, table in (dialects or {}).items()}
    gateway = Gateway(Config(
        listen_port=0, database=database, webhook_url=hooks + "/default",
        simulators=(SimulatorConfig("sim-a", report_delay=0.05, report_status=report_status,
                                    per_day=per_day),),
        dialect_settings=settings, **config))
    await gateway.start()
    try:
        key_id, key = await gateway.store.create_key("dialect")
        await ready(gateway)
        yield Live(gateway, receiver, hooks, key, key_id, derive(key))
    finally:
        await gateway.stop()
        await runner.cleanup()


async def run(*argv: str, env: dict[str, str] | None = None, timeout: float = TIMEOUT) -> str:
    """A program's standard output; fails the test if it exits non-zero."""
    proc = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})})
    async with asyncio.timeout(timeout):
        out, err = await proc.communicate()
    assert proc.returncode == 0, f"{argv[0]} exited {proc.returncode}: {err.decode(errors='replace')}"
    return out.decode()


async def python(code: str, env: dict[str, str] | None = None) -> str:
    return await run(sys.executable, "-c", code, env=env)
