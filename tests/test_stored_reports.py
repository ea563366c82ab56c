"""Status reports a modem will not route (AT+CNMI <ds>=1 refused): found in its memories.

Each report must reach the layer above as a ReceivedPdu and then leave the modem's
memory, whichever memory the +CDSI names, and whenever the +CDSI comes.
"""

from __future__ import annotations

import re

import pytest
from test_driver import DEST, rig, send_text

from modemgw.modem import ModemState
from modemgw.simulator import Faults, Settings

PROFILES = ["stored_reports", "stored_reports_named_sm", "stored_reports_named_sr"]


def stored(sim) -> int:
    return sum(memory.used for memory in sim.modem.memories.values())


def cdsi_inside_a_submit(output: bytes) -> bool:
    """A +CDSI printed after the "> " of AT+CMGS and before its +CMGS: answer."""
    return re.search(rb"> [^>]*?\+CDSI: [^\r]*\r\n[^>]*?\+CMGS: \d+", output) is not None


@pytest.mark.parametrize("profile", PROFILES)
async def test_report_read_from_storage_and_deleted(tmp_path, profile):
    settings = Settings(report_delay=0.05)
    async with rig(tmp_path, profile=profile, settings=settings) as (sim, modem, inbox):
        assert await modem.wait_for(ModemState.READY, ModemState.FAILED, timeout=10) == ModemState.READY
        assert modem.info.notifications.reports == "stored"     # <ds>=1 was refused
        [mr] = await send_text(modem, "report me")
        await inbox.wait(lambda: inbox.reports)
        [item] = inbox.items
        assert item.is_status_report and item.message.message_reference == mr
        assert item.location is not None
        await sim.wait_for(lambda: stored(sim) == 0)
        assert sim.counters["cdsi"] == 1


@pytest.mark.parametrize("profile", PROFILES)
async def test_cdsi_in_the_middle_of_a_submit(tmp_path, profile):
    # The first part's report comes while the second part's AT+CMGS waits for the
    # network, and the modem prints its +CDSI inside that command's reply.
    settings = Settings(latency=1.0, report_delay=0.2)
    faults = Faults(urcs_mid_response=True)
    async with rig(tmp_path, profile=profile, settings=settings, faults=faults) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        first = await send_text(modem, "first")
        second = await send_text(modem, "second", to="+15551230003")
        assert cdsi_inside_a_submit(sim.transcript.output())
        await inbox.wait(lambda: len(inbox.reports) == 2, timeout=10)
        assert sorted(r.message_reference for r in inbox.reports) == sorted(first + second)
        await sim.wait_for(lambda: stored(sim) == 0)
        assert sim.handset(DEST) == ["first"] and modem.state == ModemState.READY


@pytest.mark.parametrize("profile", PROFILES)
async def test_reports_stored_while_the_gateway_was_away_are_swept(tmp_path, profile):
    settings = Settings(report_delay=0.3)
    async with rig(tmp_path, profile=profile, settings=settings) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        mrs = await send_text(modem, "sent just before a stop " * 10)
        await modem.stop()
        await sim.wait_for(lambda: sim.counters["cdsi"] == len(mrs))   # announced to nobody
        assert stored(sim) == len(mrs) and not inbox.items
        await modem.start()
        await inbox.wait(lambda: len(inbox.reports) == len(mrs), timeout=10)
        assert sorted(r.message_reference for r in inbox.reports) == sorted(mrs)
        await sim.wait_for(lambda: stored(sim) == 0)
