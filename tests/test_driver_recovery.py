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
        return next((n for n in glob.glob(os.path.join(tmp_path, "*")) if os.path.basename(n) == "ttyMODEM"),
                    None)

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


class States:
    """The states the modem goes through, each with the error it was given when
    recovering, repeats folded."""

    def __init__(self, modem) -> None:
        self.seen: list[tuple[ModemState, str | None]] = []
        self._changed = asyncio.Event()

        def record(state: ModemState) -> None:
            step = (state, modem.last_error if state == ModemState.RECOVERING else None)
            if not self.seen or self.seen[-1] != step:
                self.seen.append(step)
            self._changed.set()
        modem.state_listeners.append(record)

    async def until(self, predicate, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not predicate(self.seen):
                self._changed.clear()
                await self._changed.wait()


TIMED_OUT = (ModemState.RECOVERING, "a command timed out")
REOPENING = (ModemState.RECOVERING, "reopening the port: modem does not answer AT")
STARTING, READY = (ModemState.STARTING, None), (ModemState.READY, None)
HEALTH_POLL = {"AT+CSQ", "AT+CREG?", "AT+CEREG?", "AT+COPS?", "AT+CNMI?"}


async def test_health_poll_timing_out_then_the_probe_answers(tmp_path):
    async with rig(tmp_path, health_interval=0.3) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        # After the first health poll (the start-up sweep is over by then).
        await sim.wait_for(lambda: "AT+CNMI?" in sim.transcript.commands())
        states = States(modem)
        before = len(sim.transcript.commands())
        sim.hang(1.0)          # silent for a second: what it was asked meanwhile stays unanswered
        await states.until(lambda seen: seen[-1:] == [READY], timeout=20)
        assert states.seen == [TIMED_OUT, READY]
        assert sim.transcript.commands()[before] in HEALTH_POLL     # nothing else was running
        assert modem.counters.recoveries == 1
        assert "AT+CFUN=1,1" not in sim.transcript.commands()
        await send_text(modem, "after a slow moment")


async def test_silent_modem_reset_with_cfun(tmp_path):
    async with rig(tmp_path, health_interval=0.3) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        states = States(modem)
        sim.hang()             # silent until it restarts
        await sim.wait_for(lambda: "AT+CFUN=1,1" in sim.transcript.commands(), timeout=20)
        sim.power_cycle()      # the reset happens, without a word back
        await states.until(lambda seen: seen[-1:] == [READY], timeout=20)
        assert states.seen == [TIMED_OUT, STARTING, READY]       # set up again on the same port
        await send_text(modem, "after the reset")
        assert sim.counters["boots"] == 2


async def test_silent_modem_past_the_reset_gets_its_port_reopened(tmp_path):
    async with rig(tmp_path, health_interval=0.3) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        states = States(modem)
        sim.hang()             # AT+CFUN=1,1 changes nothing
        await states.until(lambda seen: REOPENING in seen, timeout=30)
        assert "AT+CFUN=1,1" in sim.transcript.commands()
        sim.power_cycle()      # until it is restarted by other means
        await states.until(lambda seen: seen[-1:] == [READY], timeout=20)
        assert states.seen == [TIMED_OUT, REOPENING, STARTING, READY]
        await send_text(modem, "after the reopen")
