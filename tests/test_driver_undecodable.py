"""PDUs the codec cannot read, through the driver: handed up as undecodable (the
dispatcher keeps a ReceivedPdu without `message` as such, with its `error`), then
deleted or acknowledged like any other, and the modem goes on working."""

from __future__ import annotations

import dataclasses

import pytest
from test_driver import rig

from modemgw.modem import ModemState
from modemgw.simulator import PROFILES, Settings
from modemgw.simulator.network import Delivery
from modemgw.sms import EncodedPdu

CUT_SHORT = EncodedPdu("0004", 1)          # no SMSC, an SMS-DELIVER that ends after its first octet
NOT_HEX = EncodedPdu("07911326 NOISE", 7)  # what line noise leaves of a PDU line
# A modem that routes inbound messages (+CMT) rather than storing them.
ROUTING = dataclasses.replace(PROFILES["generic"], cnmi_range="(0-2),(0,2),(0,2),(0-2),(0,1)")


def deliver(sim, pdu: EncodedPdu) -> None:
    sim.network.send(Delivery("sms", pdu))


async def still_receives(sim, inbox, count: int) -> None:
    sim.inject_sms("+4479000009", "and this one is fine")
    await inbox.wait(lambda: len(inbox.items) == count + 1)
    assert inbox.items[-1].message.text == "and this one is fine"


@pytest.mark.parametrize("pdu", [CUT_SHORT, NOT_HEX], ids=["cut short", "not hex"])
async def test_stored_undecodable_pdu_is_handed_up_and_deleted(tmp_path, pdu):
    async with rig(tmp_path) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        deliver(sim, pdu)                                    # +CMTI, then AT+CMGR
        await inbox.wait(lambda: inbox.items)
        [item] = inbox.items
        assert item.message is None and item.error
        assert item.hex.upper() == pdu.hex.upper() and item.location == ("SM", 1)
        await sim.wait_for(lambda: sim.modem.memories["SM"].used == 0)
        await still_receives(sim, inbox, 1)
        assert modem.state == ModemState.READY


async def test_sweep_with_an_undecodable_pdu_among_good_ones(tmp_path):
    # AT+CMGL lists all three; the one that is not hex spoils the list, so each slot
    # is read on its own instead.
    async with rig(tmp_path, start_modem=False) as (sim, modem, inbox):
        await sim.wait_ready()
        sim.inject_sms("+4479000007", "before")
        deliver(sim, NOT_HEX)
        sim.inject_sms("+4479000008", "after")
        await sim.wait_for(lambda: sim.modem.memories["SM"].used == 3)
        await modem.start()
        await inbox.wait(lambda: len(inbox.items) == 3)
        assert sorted(i.message.text for i in inbox.items if i.message) == ["after", "before"]
        assert [i.hex for i in inbox.items if i.message is None] == [NOT_HEX.hex]
        await sim.wait_for(lambda: sim.modem.memories["SM"].used == 0)


async def test_routed_undecodable_pdu_is_handed_up_and_acknowledged(tmp_path):
    async with rig(tmp_path, profile=ROUTING) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        assert modem.info.notifications.inbound == "routed" and modem.info.sms_service == 1
        deliver(sim, CUT_SHORT)                              # +CMT: ,1 and the PDU
        await inbox.wait(lambda: inbox.items)
        [item] = inbox.items
        assert item.message is None and item.error and item.location is None
        await sim.wait_for(lambda: sim.counters["acks"] == 1)
        assert sim.counters["nacks"] == 0
        await still_receives(sim, inbox, 1)


async def test_routed_pdu_line_lost_is_refused_at_once(tmp_path):
    # Nothing to store, so nothing to acknowledge; but a modem left waiting for AT+CNMA
    # routes nothing else until its own timeout (30 s here). Refused, the network sends
    # it again later.
    settings = Settings(ack_timeout=30, redeliver_delay=3600)
    async with rig(tmp_path, profile=ROUTING, settings=settings) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        deliver(sim, NOT_HEX)
        await sim.wait_for(lambda: sim.counters["nacks"] == 1, timeout=5)
        assert "AT+CNMA=2" in sim.transcript.commands() and not inbox.items
        await still_receives(sim, inbox, 0)
        await sim.wait_for(lambda: sim.counters["acks"] == 1)
