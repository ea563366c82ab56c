"""A running gateway on a simulated modem for the alert receivers' tests: a key, a
loopback receiver standing in for Home Assistant's webhook (tests/test_gateway_e2e.py's),
the simulated handsets, and a clock the tests move for the per-number windows.
tests/test_receivers_*.py import `running` from here."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import aiohttp

from modemgw.config import Config, IntegrationsConfig, SimulatorConfig
from modemgw.service import Gateway
from test_gateway_e2e import Receiver, ready, start_receiver

TIMEOUT = 20.0


class Clock:
    """The receivers' clock (monotonic seconds), moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    gateway: Gateway
    key: str
    hooks: Receiver              # where [integrations.homeassistant] inbound_webhook points
    clock: Clock

    def url(self, path: str) -> str:
        return self.gateway.url + path

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def basic(self, user: str = "modemgw") -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{self.key}".encode()).decode()}

    @property
    def sim(self):
        return self.gateway.simulators["sim-a"]

    async def handset(self, number: str, count: int = 1) -> list[str]:
        """The texts `number` received, once there are `count`."""
        await self.sim.wait_for(lambda: len(self.sim.handset(number)) >= count, timeout=TIMEOUT)
        return self.sim.handset(number)

    async def message(self, message_id: str, until: Callable[[dict], bool] = lambda m: True) -> dict:
        """The message as the native API shows it, polled until `until` holds."""
        async with aiohttp.ClientSession(headers=self.bearer) as http, asyncio.timeout(TIMEOUT):
            while True:
                async with http.get(self.url(f"/v1/messages/{message_id}")) as resp:
                    row = await resp.json()
                if until(row):
                    return row
                await asyncio.sleep(0.05)

    async def metrics(self) -> str:
        async with aiohttp.ClientSession(headers=self.bearer) as http:
            async with http.get(self.url("/metrics")) as resp:
                assert resp.status == 200
                return await resp.text()

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
        async with aiohttp.ClientSession() as http:
            async with http.post(self.url(path), data=body, headers=headers) as resp:
                return resp.status, json.loads(await resp.read())

    async def summaries(self, count: int) -> None:
        """Move the clock past every number's window, and wait until `count` summary SMS
        have been queued (and logged)."""
        desk = self.gateway.desk
        self.clock.now += self.gateway.config.integrations.recipient_period + 1
        desk.wake()
        async with asyncio.timeout(TIMEOUT):
            while desk.core.tallies.total("modemgw_alert_messages_total", kind="summary") < count:
                await asyncio.sleep(0.01)


def sample(metrics: str, name: str, **labels: str) -> float:
    """One sample's value in the text format (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in metrics.splitlines():
        series, _, value = line.rpartition(" ")
        if series.split("{")[0] == name and (",".join(sorted(series[len(name) + 1:-1].split(",")))
                                             if "{" in series else "") == want:
            return float(value)
    return 0.0


@contextlib.asynccontextmanager
async def running(database: str, *, per_day: int | None = None, **integrations) -> AsyncIterator[Rig]:
    """`integrations`: IntegrationsConfig's fields (`homeassistant_inbound_webhook=True`:
    the loopback receiver). `per_day`: the simulated modem's daily cap."""
    hooks, runner, hook_url = await start_receiver()
    if integrations.get("homeassistant_inbound_webhook") is True:
        integrations["homeassistant_inbound_webhook"] = hook_url
    gateway = Gateway(Config(
        listen_port=0, database=database, default_region="GB",
        simulators=(SimulatorConfig("sim-a", report_delay=0.05, per_day=per_day),),
        integrations=IntegrationsConfig(**integrations)))
    await gateway.start()
    clock = Clock()
    gateway.desk.clock = clock
    try:
        _, key = await gateway.store.create_key("alerts")
        async with aiohttp.ClientSession(gateway.url) as http:
            await ready(http)
        yield Rig(gateway, key, hooks, clock)
    finally:
        await gateway.stop()
        await runner.cleanup()
