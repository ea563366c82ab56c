"""Recovery through the real parts: the simulated modem unplugged, silent or rebooting over its pty."""

from __future__ import annotations

import asyncio
import glob
import os

import pytest
from test_driver import rig, send_text

from modemgw.modem import Backoff, ModemState

# How long the stick stays away: long enough for the open backoff (0.25, 0.5, 1, 2 s ...)
# to have grown past the 2 s the modem may take to be ready once its node is back.
UNPLUGGED_FOR = 4.5


def paths(tmp_path):
    """The ways a modem is configured: a fixed path, a lookup by name (as the
    /dev/serial/by-id glob of `identity.by_usb_serial`), and a lookup that is a coroutine
    (as `identity.by_imei`, which asks each port)."""
    def by_name():
        return next(iter(glob.glob(os.path.join(tmp_path, "ttyMOD*"))), None)

    async def by_asking():
        return by_name()
    return {"fixed": None, "lookup": by_name, "coroutine lookup": by_asking}


@pytest.mark.parametrize("kind", ["fixed", "lookup", "coroutine lookup"])
async def test_replugged_after_a_long_unplug_is_ready_within_two_seconds(tmp_path, kind):
    async with rig(tmp_path, backoff=Backoff(initial=0.25, maximum=30),
                   path=paths(tmp_path)[kind]) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        sim.unplug()
        await modem.wait_for(ModemState.OFFLINE, timeout=5)
        await asyncio.sleep(UNPLUGGED_FOR)   # the scenario's length, not a wait for an event
        loop = asyncio.get_running_loop()
        sim.replug()
        back = loop.time()
        await modem.wait_for(ModemState.READY, timeout=30)
        assert loop.time() - back <= 2.0
        await send_text(modem, "after a long unplug")
        assert await sim.wait_for(lambda: sim.handset("+15551230002")) == ["after a long unplug"]
