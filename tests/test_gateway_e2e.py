"""The whole gateway: HTTP in, simulated modems on ptys, status reports back, signed webhooks out."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import aiohttp
from aiohttp import web

import peek
from modemgw.config import Config, SimulatorConfig
from modemgw.service import Gateway
from modemgw.webhooks import verify


class Receiver:
    """A webhook endpoint on loopback that records what it is sent."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict, bytes, dict]] = []
        self.changed = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.calls.append((json.loads(raw), raw, dict(request.headers)))
        async with self.changed:
            self.changed.notify_all()
        return web.Response(status=204)

    async def wait(self, predicate, timeout: float = 15.0):
        async with asyncio.timeout(timeout):
            async with self.changed:
                await self.changed.wait_for(lambda: predicate(self.calls))

    def events(self, kind: str) -> list[dict]:
        return [body for body, _, _ in self.calls if body["event"] == kind]


async def ready(http: aiohttp.ClientSession, attempts: int = 200) -> None:
    """Poll /readyz until a modem is ready (it answers 503 until then)."""
    for _ in range(attempts):
        async with http.get("/readyz") as resp:
            if resp.status == 200:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the gateway never became ready")


async def start_receiver():
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return receiver, runner, f"http://127.0.0.1:{port}/hook"


async def test_send_deliver_webhook_and_receive(database):
    receiver, runner, hook = await start_receiver()
    config = Config(listen_port=0, database=database, webhook_url=hook,
                    simulators=(SimulatorConfig("sim-a", report_delay=0.1),
                                SimulatorConfig("sim-b", profile="sim800", report_delay=0.1)))
    gateway = Gateway(config)
    await gateway.start()
    try:
        key_id, key = await gateway.store.create_key("e2e")
        secret = await gateway.store.key_secret(key_id)
        headers = {"Authorization": f"Bearer {key}"}
        text = "Grüße! Ваш код: 4711 ✅😀 " * 8
        async with aiohttp.ClientSession(gateway.url, headers=headers) as http:
            await ready(http)
            async with http.post("/v1/messages", json={"to": ["+15551230001", "+15551230002"],
                                                        "text": text}) as resp:
                assert resp.status == 200
                created = (await resp.json())["data"]
            ids = {m["id"] for m in created}
            await receiver.wait(lambda calls: {b["id"] for b in receiver.events("message.delivered")} == ids)
            for body, raw, hdrs in receiver.calls:
                if body["event"].startswith("message.") and body["id"] in ids:
                    assert verify(secret, raw, hdrs["X-Modemgw-Timestamp"], hdrs["X-Modemgw-Signature"])
            # Per message, sent comes before delivered.
            for mid in ids:
                order = [b["event"] for b, _, _ in receiver.calls if b["id"] == mid]
                assert order == ["message.sent", "message.delivered"]
            for m in created:
                async with http.get(f"/v1/messages/{m['id']}") as resp:
                    got = await resp.json()
                assert got["status"] == "delivered" and got["delivered_at"]
                assert len(got["parts"]) == got["segments"] > 1
            handsets = [t for sim in gateway.simulators.values()
                        for number in ("+15551230001", "+15551230002") for t in sim.handset(number)]
            assert handsets == [text, text]
            async with http.get("/metrics") as resp:
                metrics = await resp.text()
            assert resp.status == 200 and "modemgw_modem_sent_total" in metrics
            assert "modemgw_cmgs_latency_seconds_bucket" in metrics

            gateway.simulators["sim-b"].inject_sms("+4479000001", "Reply: yes 👍 " * 15)
            await receiver.wait(lambda calls: receiver.events("message.received"))
            [received] = receiver.events("message.received")
            assert received["text"] == "Reply: yes 👍 " * 15 and received["from"] == "+4479000001"
            async with http.get("/v1/inbound") as resp:
                inbound = (await resp.json())["data"]
            assert inbound[0]["text"] == received["text"]
            async with http.get("/v1/modems") as resp:
                modems = (await resp.json())["data"]
            assert {m["name"]: m["state"] for m in modems} == {"sim-a": "ready", "sim-b": "ready"}
    finally:
        await gateway.stop()
        await runner.cleanup()


async def test_restart_keeps_queue_and_history(database):
    config = Config(listen_port=0, database=database,
                    simulators=(SimulatorConfig("sim-a", per_day=0),))   # cannot send today
    gateway = Gateway(config)
    await gateway.start()
    key_id, key = await gateway.store.create_key("e2e")
    async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
        async with http.post("/v1/messages", json={"to": "+15551230003", "text": "survives"}) as resp:
            mid = (await resp.json())["id"]
    await gateway.stop()

    gateway = Gateway(replace(config, simulators=(SimulatorConfig("sim-a", report_delay=0.1),)))
    await gateway.start()
    try:
        async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
            for _ in range(300):
                async with http.get(f"/v1/messages/{mid}") as resp:
                    status = (await resp.json())["status"]
                if status == "delivered":
                    break
                await asyncio.sleep(0.05)
        assert status == "delivered"
        assert gateway.simulators["sim-a"].handset("+15551230003") == ["survives"]
    finally:
        await gateway.stop()


async def test_stop_lets_the_part_being_sent_finish(database):
    config = Config(listen_port=0, database=database,
                    simulators=(SimulatorConfig("sim-a", latency=1.0),))
    gateway = Gateway(config)
    await gateway.start()
    key_id, key = await gateway.store.create_key("e2e")
    sim = gateway.simulators["sim-a"]
    async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
        await ready(http)
        async with http.post("/v1/messages", json={"to": ["+15551230004", "+15551230005"],
                                                    "text": "in flight"}) as resp:
            ids = [m["id"] for m in (await resp.json())["data"]]
    # Stop while the first PDU is with the (slow) network.
    await sim.wait_for(lambda: any(e.kind == "pdu" for e in sim.transcript.entries))
    await gateway.stop()
    statuses = {row["message_id"]: row["status"]
                for row in peek.query(config.database, "SELECT message_id, status FROM parts")}
    # The part being sent finished; the other one waits, queued, for the next start.
    assert sorted(statuses[i] for i in ids) == ["queued", "sent"]
    assert sum(len(sim.handset(n)) for n in ("+15551230004", "+15551230005")) == 1


async def _settled(gateway, ids) -> bool:
    """No part is waiting to be sent or being sent any more."""
    rows = await gateway.store._fetchall(
        "SELECT COUNT(*) AS n FROM parts WHERE status IN ('queued', 'sending')")
    return rows[0]["n"] == 0


async def test_modem_unplugged_mid_queue(database):
    config = Config(listen_port=0, database=database,
                    simulators=(SimulatorConfig("sim-a", latency=0.05, report_delay=0.05),
                                SimulatorConfig("sim-b", latency=0.05, report_delay=0.05)))
    gateway = Gateway(config)
    await gateway.start()
    try:
        key_id, key = await gateway.store.create_key("e2e")
        numbers = [f"+1555123{i:04d}" for i in range(20)]
        async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
            await ready(http)
            async with http.post("/v1/messages", json={"to": numbers, "text": "x" * 200}) as resp:
                ids = [m["id"] for m in (await resp.json())["data"]]
            a = gateway.simulators["sim-a"]
            await a.wait_for(lambda: a.counters["submitted"] >= 2)
            a.unplug()                       # mid-queue: sim-b takes the rest
            for _ in range(300):
                async with http.get("/v1/messages", params={"limit": "100"}) as resp:
                    listing = {m["id"]: m["status"] for m in (await resp.json())["data"]}
                statuses = [listing[mid] for mid in ids]
                if all(s in ("delivered", "sent") for s in statuses) and \
                        statuses.count("sent") <= 1 and a.counters["unplugs"]:
                    if all(s == "delivered" for s in statuses) or await _settled(gateway, ids):
                        break
                await asyncio.sleep(0.1)
            # A part whose answer was lost in the unplug is "unknown": its message stays "sent".
            assert all(s in ("delivered", "sent") for s in statuses), statuses
            assert statuses.count("delivered") >= len(ids) - 1
        received = {n: a.handset(n) + gateway.simulators["sim-b"].handset(n) for n in numbers}
        assert all(len(texts) <= 1 for texts in received.values())  # nothing sent twice
    finally:
        await gateway.stop()
