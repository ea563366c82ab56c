"""A node among others: `GET /v1/nodes` and `modemgw nodes`, and what a node does while
its PostgreSQL database cannot be reached (503 in the edge's shape, received messages
kept in the local spool and handed over when the database is back)."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import aiohttp
import pgserver
import pytest

from modemgw.config import Config, SimulatorConfig
from modemgw.service import Gateway

pytestmark = pytest.mark.asyncio

EXE = shutil.which("modemgw") or str(Path(sys.executable).parent / "modemgw")


async def _until(predicate, timeout: float = 30.0):
    async with asyncio.timeout(timeout):
        while not (value := await predicate()):
            await asyncio.sleep(0.05)
    return value


async def test_v1_nodes_and_the_cli_list_this_node_with_its_modems(database, tmp_path):
    config = Config(listen_port=0, database=database, node_name="pi-1", dialects=(),
                    simulators=(SimulatorConfig("sim-a"), SimulatorConfig("sim-b")))
    gateway = Gateway(config)
    await gateway.start()
    try:
        _, key = await gateway.store.create_key("nodes")
        async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
            async with http.get("/v1/nodes") as resp:
                assert resp.status == 200
                nodes = (await resp.json())["data"]
        assert [(n["name"], n["modems"], n["alive"]) for n in nodes] == [("pi-1", ["sim-a", "sim-b"], True)]
        assert nodes[0]["heartbeat_at"].endswith("Z") and nodes[0]["parts_held"] == 0
        proc = await asyncio.create_subprocess_exec(
            EXE, "nodes", "--url", gateway.url, "--key", key, stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        assert proc.returncode == 0
        assert "pi-1" in out.decode() and "sim-b" in out.decode()
    finally:
        await gateway.stop()


async def test_a_node_cut_off_from_its_database_answers_503_and_spools_what_it_receives(tmp_path):
    server = pgserver.PostgresServer()           # its own: this test stops it
    try:
        config = Config(listen_port=0, database=server.database(), node_name="n1", dialects=("twilio",),
                        spool=str(tmp_path / "spool.db"),
                        simulators=(SimulatorConfig("sim-a", report_delay=0.1),))
        gateway = Gateway(config)
        await gateway.start()
        try:
            _, key = await gateway.store.create_key("outage")
            async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
                async def post(idempotency: str):
                    async with http.post("/v1/messages", json={"to": "+447700900123", "text": "hello"},
                                         headers={"Idempotency-Key": idempotency}) as resp:
                        return resp.status, await resp.json(), resp.headers.get("Retry-After")

                status, _, _ = await post("before")
                assert status == 200
                server.stop_server()
                status, body, retry_after = await post("during")
                assert (status, body["error"]["code"], retry_after) == (503, "server_error", "5")
                async with http.get("/readyz") as resp:
                    assert resp.status == 503
                # A message arrives meanwhile: the modem lets it go only once it is in the spool.
                gateway.simulators["sim-a"].inject_sms("+4479000001", "while the database is away")
                spool = gateway.dispatcher.spool
                await _until(lambda: _true(spool.waiting == 1))
                server.start_server()
                # Back without a restart of the node: the spool is handed over, requests are accepted.
                await _until(lambda: _true(spool.waiting == 0))

                async def inbox():
                    async with http.get("/v1/inbound") as resp:
                        return resp.status == 200 and [m["text"] for m in (await resp.json())["data"]]
                assert await _until(inbox) == ["while the database is away"]
                status, body, _ = await _until(lambda: _accepted(post, "during"))
                assert body["status"] in ("queued", "sent", "delivered")
        finally:
            await gateway.stop()
    finally:
        server.stop()


async def _true(value: bool) -> bool:
    return value


async def _accepted(post, idempotency: str):
    answer = await post(idempotency)
    return answer if answer[0] == 200 else None


async def test_a_keys_rate_limit_holds_across_the_nodes_of_one_database():
    url = pgserver.server().database()
    gateways = [Gateway(Config(listen_port=0, database=url, node_name=f"n{i}", dialects=(), rate_limit_per_minute=10,
                               simulators=(SimulatorConfig(f"sim-{i}"),))) for i in (1, 2)]
    for gateway in gateways:
        await gateway.start()
    try:
        _, key = await gateways[0].store.create_key("limited")
        statuses = []
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as http:
            for n in range(16):       # alternating nodes: 8 each, 16 in all against a limit of 10
                async with http.get(gateways[n % 2].url + "/v1/messages?limit=1") as resp:
                    statuses.append(resp.status)
                    if resp.status == 429:
                        assert int(resp.headers["Retry-After"]) >= 1
        assert statuses.count(200) == 10 and statuses[10:] == [429] * 6
    finally:
        for gateway in gateways:
            await gateway.stop()


async def test_nodes_starting_together_on_a_new_database_migrate_it_once():
    from modemgw.store import Store
    from modemgw.store.postgres.schema import MIGRATIONS
    url = pgserver.server().database(migrated=False)
    stores = [Store(url) for _ in range(3)]
    try:
        await asyncio.gather(*(s.open() for s in stores))      # three writers migrate at once
        rows = await stores[0]._fetchall("SELECT version FROM schema_version")
        assert rows == [{"version": len(MIGRATIONS)}]
        key_id, token = await stores[1].create_key("after")
        assert (await stores[2].key_for_token(token))["id"] == key_id
    finally:
        await asyncio.gather(*(s.close() for s in stores))


async def test_serve_refuses_to_start_a_modem_another_live_node_holds_or_without_its_database(tmp_path):
    url = pgserver.server().database()
    first = Gateway(Config(listen_port=0, database=url, node_name="n1", dialects=(),
                           simulators=(SimulatorConfig("shared"),)))
    await first.start()
    try:
        for database, expected in ((url, "modem shared is already held by node n1"),
                                   (url.replace("host=", "host=/nonexistent"), "cannot connect to the database")):
            config = tmp_path / "n2.toml"
            config.write_text(f'[api]\nlisten = "127.0.0.1:0"\n[store]\nurl = "{database}"\n'
                              f'[node]\nname = "n2"\nspool = "{tmp_path / "spool.db"}"\n'
                              '[[simulator]]\nname = "shared"\n')
            proc = await asyncio.create_subprocess_exec(EXE, "serve", "--config", str(config),
                                                        stderr=asyncio.subprocess.PIPE)
            _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
            assert proc.returncode != 0
            assert "cannot start" in err.decode() and expected in err.decode(), err.decode()
            assert "Traceback" not in err.decode()
    finally:
        await first.stop()


async def test_the_spool_file_is_made_only_when_something_is_kept_and_survives_a_restart(tmp_path):
    from modemgw.dispatch.spool import Spool
    from modemgw.modem import ReceivedPdu
    path = tmp_path / "spool.db"
    spool = Spool(str(path))
    assert not path.exists() and spool.waiting == 0
    spool.keep(ReceivedPdu("m0", "00", 1, None))
    spool.close()
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    again = Spool(str(path))
    assert again.waiting == 1 and [r.modem for _, r in again.kept()] == ["m0"]
    again.close()


async def test_a_node_hears_what_another_commits_and_what_it_wrote():
    # New parts wake the dispatchers, webhook deliveries the senders; a part's outcome
    # elsewhere wakes neither (each pass would cost a claim transaction in the writer).
    import time

    from modemgw.dispatch.compose import compose
    from modemgw.sms import ConcatReferences
    from modemgw.store import Store
    url = pgserver.server().database()
    a, b = Store(url, default_webhook_url="http://127.0.0.1:9/hook"), Store(url)
    heard: asyncio.Queue[str] = asyncio.Queue()
    for node, store in (("a", a), ("b", b)):
        await store.open()
        await store.register_node(node, [f"{node}-m0"], lease=30)
    listening = asyncio.create_task(b.listen(heard.put_nowait))
    try:
        assert await asyncio.wait_for(heard.get(), 10) == "qw"      # as it starts: look at everything
        written = b.webhooks_written
        message = compose("+15550100009", "hi", sender=None, references=ConcatReferences(), now=time.time())
        mid = (await a.create_messages([message], api_key_id=None)).messages[0]["id"]
        assert await asyncio.wait_for(heard.get(), 10) == "q"
        assert b.webhooks_written == written
        assert [p.message_id for p in await a.claim_due(time.time() + 1, modems=["a-m0"])] == [mid]
        assert await a.mark_sending(mid, 1, "a-m0")
        await a.mark_sent(mid, 1, 7)                                 # message.sent, and its webhook
        assert await asyncio.wait_for(heard.get(), 10) == "w"
        assert b.webhooks_written == written + 1
        assert heard.empty()
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await a.close()
        await b.close()
