"""A part the service centre delivers twice (its acknowledgement was lost) is kept and
settled: left unlinked, the next start would put it back into the reassembler as a new
set, released after the reassembly timeout as a second, partial message with its own
message.received event and webhook."""
from dataclasses import replace

from modemgw.simulator import Faults, Settings
from modemgw.simulator.network import Delivery
from modemgw.store import Store
from reliability.inprocess import SETTINGS, running_gateway
from reliability.poll import query, until
from test_inbound_restart import TEXT, parts_of

SIMS = {"m0": ("generic", Settings(), Faults())}


async def test_a_part_delivered_twice_leaves_nothing_to_rebuild_at_the_next_start(tmp_path, database):
    first, second = parts_of(TEXT)
    async with running_gateway(tmp_path, database, SIMS, replace(SETTINGS, reassembly_timeout=0.5)) as gw:
        for part in (first, first, second):
            gw.sims["m0"].network.send(Delivery("sms", part))
        await until(lambda: query(database, "SELECT count(*) FROM inbound")[0][0] == 1, timeout=15,
                    what="the message received")
    # What the next start puts back into the reassembler: nothing (the copy is settled).
    store = Store(database)
    await store.open()
    try:
        assert await store.pending_received() == []
        kept = await store._fetchall("SELECT kind, inbound_id, handled_at FROM received_pdus ORDER BY id")
    finally:
        await store.close()
    assert [k["kind"] for k in kept] == ["deliver"] * 3            # every copy is kept
    assert sum(k["inbound_id"] is not None for k in kept) == 2     # two parts make the message
    assert sum(k["handled_at"] is not None and k["inbound_id"] is None for k in kept) == 1
