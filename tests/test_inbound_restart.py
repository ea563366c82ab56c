"""A long inbound message whose parts straddle a restart of `modemgw serve`: part 1
arrives, the gateway stops (SIGTERM, or kill -9), part 2 arrives after the next start,
and exactly one whole message comes out of it (one row, one `message.received` event,
one webhook). The simulated modem lives in this process, so it outlives the gateway as
a USB stick would; the parts go over its pty like any other."""

from __future__ import annotations

from datetime import datetime

import pytest

from modemgw.simulator import Simulator
from modemgw.simulator.network import Delivery
from modemgw.sms import encode_deliver
from reliability.poll import query, until
from reliability.process import Serve, write_config
from test_gateway_e2e import start_receiver

ORIGINATOR = "+4479000002"
TEXT = "First half of a long reply, " + " ".join(f"w{i:03d}" for i in range(1, 41)) + " - the end."


def parts_of(text: str):
    timestamp = datetime.now().astimezone().replace(microsecond=0)
    parts = encode_deliver(ORIGINATOR, text, timestamp=timestamp, reference=77)
    assert len(parts) == 2
    return parts


def handed_over(sim: Simulator) -> bool:
    """The modem keeps nothing: no message in a memory, none waiting for AT+CNMA."""
    modem = sim.modem
    return not any(m.used for m in modem.memories.values()) and modem.router.awaiting_ack is None


async def stop_after_part_one(serve: Serve, sim: Simulator, database, how: str) -> None:
    await until(lambda: query(database, "SELECT 1 FROM received_pdus WHERE kind = 'deliver'"),
                timeout=15, what="part 1 committed", explain=serve.output)
    if how == "sigterm":
        # Deleted from the modem's memory: it will not be handed over again.
        await until(lambda: handed_over(sim), timeout=15, what="part 1 handed over",
                    explain=lambda: dict(sim.counters))
        assert serve.terminate() == 0, serve.output()
    else:
        serve.kill9()   # committed, maybe not acknowledged: the modem may hand it over again


@pytest.mark.parametrize("how", ["sigterm", "kill9"])
async def test_parts_on_both_sides_of_a_restart_make_one_whole_message(tmp_path, database, how):
    receiver, runner, hook = await start_receiver()
    sim = Simulator(str(tmp_path / "tty0"), profile="generic")
    await sim.start()
    config = write_config(tmp_path / "gw.toml", database, [{"name": "m0", "port": sim.path}],
                          sections={"webhooks": {"default_url": hook}})
    serve = Serve(config, tmp_path / "serve.log")
    first, second = parts_of(TEXT)
    try:
        await serve.start()
        sim.network.send(Delivery("sms", first))
        await stop_after_part_one(serve, sim, database, how)
        assert query(database, "SELECT count(*) FROM inbound")[0][0] == 0   # not whole yet

        await serve.start()
        sim.network.send(Delivery("sms", second))
        await receiver.wait(lambda calls: receiver.events("message.received"), timeout=30)
        assert serve.terminate() == 0, serve.output()
    finally:
        serve.terminate()
        await sim.stop()
        await runner.cleanup()

    [event] = receiver.events("message.received")
    assert (event["text"], event["from"], event["parts"], event["complete"]) == (TEXT, ORIGINATOR, 2, True)
    rows = query(database, "SELECT id, text, parts, complete FROM inbound")
    assert [tuple(r) for r in rows] == [(event["id"], TEXT, 2, 1)]
    assert query(database, "SELECT count(*) FROM events WHERE type = 'message.received'")[0][0] == 1
    assert query(database, "SELECT count(*) FROM webhook_deliveries "
                           "WHERE event = 'message.received'")[0][0] == 1
    # Every part kept is part of that message: nothing is left to be rebuilt at the next start.
    assert query(database, "SELECT count(*) FROM received_pdus WHERE kind = 'deliver' "
                           "AND inbound_id IS NULL")[0][0] == 0
