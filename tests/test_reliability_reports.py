"""A status report that reaches the modem while the gateway is down (killed, restarting)
must still make the message `delivered` once the gateway is back: the network has
delivered it, and the report is the only way the gateway can learn so."""

from __future__ import annotations

from modemgw.simulator import Settings, Simulator
from reliability.poll import query, until
from reliability.process import Serve, create_key, write_config

import aiohttp


async def test_report_arriving_while_the_gateway_is_down_is_not_lost(tmp_path, database):
    sim = Simulator(str(tmp_path / "tty0"), settings=Settings(report_delay=1.0))
    await sim.start()
    config = write_config(tmp_path / "gw.toml", database,
                          [{"name": "m0", "port": sim.path, "submit_timeout": 5}])
    _, key, _ = create_key(database, "reports")
    serve = Serve(config, tmp_path / "serve.log")
    await serve.start()
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as http:
            async with http.post(f"{serve.url}/v1/messages",
                                 json={"to": "+15550300001", "text": "report after crash"}) as resp:
                assert resp.status == 200
                mid = (await resp.json())["id"]
        await until(lambda: query(database, "SELECT 1 FROM parts WHERE message_id = ? AND "
                                            "status = 'sent' AND mr IS NOT NULL", (mid,)),
                    what="part sent")
        serve.kill9()
        # The network reports delivery while no gateway is running.
        await sim.wait_for(lambda: sim.counters["reports_generated"] >= 1, timeout=10)
        assert sim.handset("+15550300001") == ["report after crash"]
        await serve.start()
        await until(lambda: query(database, "SELECT 1 FROM messages WHERE id = ? AND "
                                            "status = 'delivered'", (mid,)),
                    timeout=15, what="message delivered after the restart",
                    explain=lambda: [dict(r) for r in query(
                        database, "SELECT status, mr, modem FROM parts WHERE message_id = ?", (mid,))])
    finally:
        serve.terminate()
        await sim.stop()
