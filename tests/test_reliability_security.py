"""Keys, signatures and secrets, against a running `modemgw serve` (verbose logging) on
a simulated modem whose SIM asks for a PIN."""

from __future__ import annotations

import asyncio
import json
import re

import aiohttp
from aiohttp import web

from modemgw.simulator import Settings, Simulator
from modemgw.webhooks import verify
from reliability.poll import query, until
from reliability.process import Serve, create_key, revoke_key, write_config
from reliability.sizes import record

PUBLIC = {"/healthz", "/readyz", "/v1/openapi.json"}
PIN = "7391"


async def hook_receiver():
    calls: list[tuple[bytes, dict]] = []

    async def handle(request: web.Request) -> web.Response:
        calls.append((await request.read(), dict(request.headers)))
        return web.Response(status=204)
    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return calls, runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "msg_01j0z8k3q9f2v7w5t4r3e2d1c0", path)


async def test_keys_signatures_and_secrets(tmp_path, database):
    calls, receiver, hook = await hook_receiver()
    sim = Simulator(str(tmp_path / "tty0"), settings=Settings(pin=PIN, report_delay=0.05))
    await sim.start()
    config = write_config(tmp_path / "gw.toml", database,
                          [{"name": "m0", "port": sim.path, "pin": PIN, "submit_timeout": 5}],
                          sections={"webhooks": {"default_url": hook}})
    key_id, key, secret = create_key(database, "good")
    revoked_id, revoked, _ = create_key(database, "revoked")
    serve = Serve(config, tmp_path / "serve.log", verbose=True)
    await serve.start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{serve.url}/v1/openapi.json") as resp:
                document = await resp.json()
            async with http.get(f"{serve.url}/v1/modems",
                                headers={"Authorization": f"Bearer {revoked}"}) as resp:
                assert resp.status == 200        # valid until revoked
            revoke_key(database, revoked_id)
            operations = [(method.upper(), path) for path, item in document["paths"].items()
                          for method in item if method in ("get", "post", "delete", "put", "patch")]
            refused = 0
            for method, path in operations:
                for headers in ({}, {"Authorization": "Bearer mgw_" + "A" * 43},
                                {"Authorization": f"Basic {key}"},
                                {"Authorization": f"Bearer {revoked}"},
                                {"Authorization": f"Bearer {key}x"}):
                    async with http.request(method, serve.url + concrete(path), headers=headers,
                                            json={"to": "+15550600001", "text": "x"}) as resp:
                        body = await resp.json()
                    if path in PUBLIC:
                        assert resp.status in (200, 503), (method, path, resp.status)
                        continue
                    assert resp.status == 401, (method, path, headers, resp.status, body)
                    assert body["error"]["code"] == "authentication_failed", body
                    assert resp.headers["WWW-Authenticate"].startswith("Bearer"), resp.headers
                    refused += 1
            # Nothing was created by the refused POSTs; a good key works.
            headers = {"Authorization": f"Bearer {key}"}
            async with http.post(f"{serve.url}/v1/messages", headers=headers,
                                 json={"to": "+15550600002", "text": "signed"}) as resp:
                assert resp.status == 200
                mid = (await resp.json())["id"]
            async with http.get(f"{serve.url}/v1/messages", headers=headers) as resp:
                assert [m["id"] for m in (await resp.json())["data"]] == [mid]

        await until(lambda: [c for c in calls if json.loads(c[0]).get("event") == "message.delivered"],
                    timeout=20, what="delivered webhook")
        for raw, hdrs in calls:
            assert verify(secret, raw, hdrs["X-Modemgw-Timestamp"], hdrs["X-Modemgw-Signature"])
            tampered = raw.replace(b"+15550600002", b"+15550600003")
            assert tampered != raw
            assert not verify(secret, tampered, hdrs["X-Modemgw-Timestamp"], hdrs["X-Modemgw-Signature"])
            assert not verify(secret, raw, str(int(hdrs["X-Modemgw-Timestamp"]) + 1),
                              hdrs["X-Modemgw-Signature"])
            assert not verify("whsec_other", raw, hdrs["X-Modemgw-Timestamp"], hdrs["X-Modemgw-Signature"])

        # Keys cannot be read back from the database (on SQLite, nor from its WAL or its
        # shared memory).
        kept = repr([tuple(row) for row in query(database, "SELECT * FROM api_keys")])
        for token in (key, revoked):
            assert token[4:] not in kept
        if not database.startswith("postgresql://"):
            files = [p for p in tmp_path.iterdir() if p.name.startswith("gw.db")]
            assert any(p.name.endswith("-wal") for p in files), files
            for path in files:
                content = path.read_bytes()
                for token in (key, revoked):
                    assert token.encode() not in content, path
                    assert token[4:].encode() not in content, path
    finally:
        code = serve.terminate()
        await sim.stop()
        await receiver.cleanup()
    assert code == 0
    log = serve.output()
    assert "ready" in log and "DEBUG" in log       # the verbose log was captured
    for name, value in (("API key", key), ("revoked key", revoked), ("webhook secret", secret)):
        assert value not in log, f"the {name} appears in the gateway's log"
    # The PIN as a number of its own (as AT+CPIN or a setting would show it), not four
    # digits inside a longer number such as a logged time (1796668322.7391331).
    assert not re.search(rf"(?<![0-9.]){PIN}(?![0-9])", log), "the SIM PIN appears in the gateway's log"
    for token in (key, revoked):
        assert token[4:] not in log
    record("security", operations=len(operations), refused_401=refused, webhooks_verified=len(calls),
           log_lines=len(log.splitlines()))
