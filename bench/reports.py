"""Delivery-report latency and the gateway's footprint.

dlr        +CDS written on the pty (the simulator's transcript time) -> the
           message.delivered webhook received by a local aiohttp receiver in this
           process (same monotonic clock). Messages go one at a time, each waiting
           for its webhook, so the k-th status report belongs to the k-th message.

footprint  `modemgw serve` with 4 modems (simulators in this process on ptys, so
           that the gateway's own memory is measured): process start -> /readyz
           200, RSS and CPU while idle for `idle` seconds.
"""

from __future__ import annotations

import asyncio
import json
import time

from aiohttp import web

from modemgw.simulator import Settings, Simulator

from .common import Gateway, Result, Workdir, config_text, free_port, percentile, post_messages, recipient


class Receiver:
    def __init__(self) -> None:
        self.events: list[tuple[float, dict]] = []
        self.changed = asyncio.Event()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        at = time.monotonic()
        self.events.append((at, json.loads(body)))
        self.changed.set()
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def wait_for(self, predicate, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()


def report_times(transcript) -> list[float]:
    return [e.at for e in transcript.entries if e.kind == "bytes" and b"+CDS" in e.data]


async def dlr(*, count: int = 50, keep: bool = False, quick: bool = False) -> Result:
    if quick:
        count = 15
    result = Result()
    with Workdir("dlr", keep) as work:
        receiver = Receiver()
        await receiver.start()
        gw = Gateway(work)
        sim = Simulator(work / "ttySIM0", settings=Settings(latency=0.0, report_delay=0.3))
        latencies = []
        try:
            async with sim:
                await sim.wait_ready()
                await gw.start(config_text(gw.port, gw.database, modems=[("sim0", str(work / "ttySIM0"))],
                                           webhook_url=receiver.url))
                try:
                    for i in range(count):
                        answer = (await post_messages(gw.url, gw.key, [(recipient(i), f"Report me {i}")]))[0]

                        def delivered(mid=answer["id"]):
                            return any(e.get("event") == "message.delivered" and e.get("id") == mid
                                       for _, e in receiver.events)

                        await receiver.wait_for(delivered, 10)
                        cds = report_times(sim.transcript)
                        if len(cds) != i + 1:
                            raise RuntimeError(f"expected {i + 1} status reports on the pty, saw {len(cds)}")
                        hook = next(at for at, e in receiver.events
                                    if e.get("event") == "message.delivered" and e.get("id") == answer["id"])
                        latencies.append(hook - cds[-1])
                        await asyncio.sleep(0.05)
                finally:
                    await gw.stop()
        finally:
            await receiver.stop()
        ms = [x * 1000 for x in latencies]
        result.add("dlr: +CDS on the pty -> webhook, p50", percentile(ms, 50), "ms", digits=1)
        result.add("dlr: +CDS on the pty -> webhook, p99", percentile(ms, 99), "ms", 50, "lower", 1,
                   note=f"{count} reports")
        result.details.append(f"dlr: {count} reports, min {min(ms):.1f} ms, max {max(ms):.1f} ms")
    return result


async def footprint(*, modems: int = 4, idle: float = 30.0, keep: bool = False, quick: bool = False) -> Result:
    if quick:
        idle = 10.0
    result = Result()
    with Workdir("footprint", keep) as work:
        gw = Gateway(work)
        await gw.create_key()
        sims = [Simulator(work / f"ttySIM{i}") for i in range(modems)]
        for sim in sims:
            await sim.start()
        try:
            for sim in sims:
                await sim.wait_ready()
            await gw.start(config_text(gw.port, gw.database,
                                       modems=[(f"sim{i}", str(work / f"ttySIM{i}")) for i in range(modems)]))
            try:
                ready = gw.ready_after
                rss_ready = gw.rss()
                await asyncio.sleep(2.0)  # modems finish their set-up after /readyz says one is ready
                cpu0, t0 = gw.cpu(), time.monotonic()
                await asyncio.sleep(idle)
                cpu1, t1 = gw.cpu(), time.monotonic()
                rss = gw.rss()
                commands = sum(len([e for e in s.transcript.entries if e.kind == "line" and t0 <= e.at <= t1])
                               for s in sims)
            finally:
                await gw.stop()
        finally:
            for sim in sims:
                await sim.stop()
        result.add(f"footprint: idle RSS, {modems} modems", rss, "MB", 40, "lower", 1)
        result.add("footprint: idle CPU", (cpu1 - cpu0) / (t1 - t0) * 100, "%", 0.5, "lower", 2,
                   note=f"{idle:g} s")
        result.add("footprint: start -> /readyz 200", ready * 1000, "ms", digits=0)
        result.details.append(f"footprint: RSS at ready {rss_ready:.1f} MB; AT commands while idle: "
                              f"{commands} in {t1 - t0:.0f} s over {modems} modems")
    return result
