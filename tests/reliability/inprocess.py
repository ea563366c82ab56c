"""A whole gateway in this process (store, dispatcher, drivers, REST API on a free
loopback port) on simulated modems, with the dispatcher's timings shortened so that
fault scenarios finish in seconds. Modems keep the production back-off."""

from __future__ import annotations

import contextlib
import time

import aiohttp
from aiohttp import web

from modemgw.api import create_app
from modemgw.dispatch.dispatcher import DispatchSettings, Dispatcher
from modemgw.dispatch.retry import RetryPolicy
from modemgw.modem import Modem, ModemState, Timeouts
from modemgw.simulator import Faults, Settings, Simulator
from modemgw.sms import ConcatReferences
from modemgw.store import Store

SETTINGS = DispatchSettings(retry=RetryPolicy(first=0.1, maximum=0.5, attempts=6),
                            drain_after=50, drain_for=5, idle_wakeup=0.2)
TIMEOUTS = Timeouts(submit=3.0, prompt=3.0)


class Running:
    def __init__(self, store, dispatcher, modems, sims, url, key) -> None:
        self.store, self.dispatcher, self.modems, self.sims = store, dispatcher, modems, sims
        self.url, self.key = url, key

    def http(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(self.url, headers={"Authorization": f"Bearer {self.key}"})

    def state(self, name: str) -> str:
        return next(m["state"] for m in self.dispatcher.modems() if m["name"] == name)


@contextlib.asynccontextmanager
async def running_gateway(tmp_path, database: str, sims: dict[str, tuple[str, Settings, Faults]],
                          settings: DispatchSettings = SETTINGS, timeouts: Timeouts = TIMEOUTS):
    store = Store(database)
    await store.open()
    simulators, modems = {}, []
    for name, (profile, sim_settings, faults) in sims.items():
        sim = Simulator(str(tmp_path / f"tty-{name}"), profile=profile, settings=sim_settings,
                        faults=faults)
        await sim.start()
        simulators[name] = sim
        modems.append(Modem(name, sim.path, timeouts=timeouts))
    dispatcher = Dispatcher(store, modems, settings=settings, clock=time.time)
    for m in modems:
        m.handler = dispatcher.on_received
    await dispatcher.start()
    for m in modems:
        await m.start()
    app = create_app(store, modems=dispatcher.modems, references=ConcatReferences(),
                     rate_limit=1_000_000, on_accepted=dispatcher.notify)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    _, key = await store.create_key("faults")
    try:
        for m in modems:
            await m.wait_for(ModemState.READY, timeout=15)
        yield Running(store, dispatcher, modems, simulators, f"http://127.0.0.1:{port}", key)
    finally:
        await runner.cleanup()
        await dispatcher.stop(grace=2)
        for m in modems:
            await m.stop()
        for sim in simulators.values():
            await sim.stop()
        await store.close()
