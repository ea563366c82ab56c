"""The SIM's record of the last TP-MR (EF_SMSS) and whether a modem keeps it up to date."""

from __future__ import annotations

import contextlib

import pytest

from modemgw.at import ResponseParseError
from modemgw.at.responses import SimAnswer, parse_crsm
from modemgw.modem import Backoff, Modem, ModemState, Timeouts
from modemgw.simulator import Settings, Simulator
from modemgw.sms import encode_submit

SPEC = "3GPP TS 27.007 §8.18 (<response> is a string)"
EMULATOR = "https://github.com/seek-for-android/pool/blob/master/src/external/qemu/telephony/sim_card.c"
FAST = Timeouts(command=2, prompt=2, submit=2, probe=0.3, sms_ready=5, reset=3)


@pytest.mark.parametrize(("line", "expected", "source"), [
    ('+CRSM: 144,0,"0233"', SimAnswer(144, 0, b"\x02\x33"), SPEC),
    ("+CRSM: 144,0,0233", SimAnswer(144, 0, b"\x02\x33"), EMULATOR),
    ("+CRSM: 144,0,416e64726f6964ff", SimAnswer(144, 0, b"Android\xff"), EMULATOR),
    ("+CRSM: 148,4", SimAnswer(148, 4, b""), EMULATOR),
    ('+CRSM: 106,130,""', SimAnswer(106, 130, b""), "file not found, ETSI TS 102 221 §10.2.1.5"),
])
def test_parse_crsm(line, expected, source):
    assert parse_crsm(line) == expected


@pytest.mark.parametrize(("line", "ok"), [
    ('+CRSM: 144,0,"00"', True), ('+CRSM: 145,3,"00"', True), ("+CRSM: 148,4", False),
    ("+CRSM: 106,130", False),
])
def test_normal_endings(line, ok):
    assert parse_crsm(line).ok is ok


@pytest.mark.parametrize("line", [
    '+CRSM: 144,0,"023"', "+CRSM: 144,0,zz", "+CRSM: 144", "+CRSM: 256,0", "+CMGS: 144,0", "+CRSM: x,0",
])
def test_parse_crsm_rejects(line):
    with pytest.raises(ResponseParseError):
        parse_crsm(line)


@contextlib.asynccontextmanager
async def rig(tmp_path, profile="generic"):
    link = str(tmp_path / "ttyMODEM")
    sim = Simulator(link, profile=profile, settings=Settings(report_delay=3600))
    modem = Modem("m1", link, timeouts=FAST, backoff=Backoff(initial=0.05, maximum=0.3))
    await sim.start()
    try:
        await modem.start()
        assert await modem.wait_for(ModemState.READY, ModemState.FAILED, timeout=10) == ModemState.READY
        yield sim, modem
    finally:
        await modem.stop()
        await sim.stop()


async def send(modem, text="hello"):
    [part] = encode_submit("+15551230002", text, reference=1)
    return await modem.send(part)


async def test_a_modem_that_records_the_reference_on_the_sim(tmp_path):
    async with rig(tmp_path) as (sim, modem):
        assert modem.sim_reference_tracks is None          # nothing sent yet
        assert await modem.read_sim_reference() == 255     # the SIM's value before any submit
        first = await send(modem)
        assert modem.sim_reference_tracks is True
        assert await modem.read_sim_reference() == first
        second = await send(modem)
        assert second == (first + 1) % 256 and await modem.read_sim_reference() == second


async def test_a_modem_that_keeps_the_reference_in_ram(tmp_path):
    async with rig(tmp_path, "mr_in_ram") as (sim, modem):
        mr = await send(modem)
        assert modem.sim_reference_tracks is False
        assert await modem.read_sim_reference() == 255 != mr


async def test_a_modem_without_crsm(tmp_path):
    async with rig(tmp_path, "no_crsm") as (sim, modem):
        await send(modem)
        assert modem.sim_reference_tracks is None
        assert await modem.read_sim_reference() is None
        assert modem.state == ModemState.READY


async def test_a_sim_without_ef_smss(tmp_path):
    async with rig(tmp_path) as (sim, modem):
        sim.modem.sim_file = lambda file_id: None        # answers +CRSM: 106,130
        await send(modem)
        assert modem.sim_reference_tracks is None
        assert await modem.read_sim_reference() is None
        assert b"+CRSM: 106,130" in sim.transcript.output()


async def test_not_ready_reads_nothing(tmp_path):
    async with rig(tmp_path) as (sim, modem):
        await send(modem)
        sim.unplug()
        await modem.wait_for(ModemState.OFFLINE, timeout=5)
        assert await modem.read_sim_reference() is None


@pytest.mark.parametrize(("profile", "after_reboot"), [("generic", "continues"), ("mr_in_ram", "restarts")])
async def test_reference_over_a_reboot(tmp_path, profile, after_reboot):
    # Kept on the SIM, the counter survives the modem's reboot; kept in RAM, it starts
    # again from 0. Either way the check is made again after the new set-up.
    async with rig(tmp_path, profile) as (sim, modem):
        await send(modem)
        last = await send(modem)
        tracked = modem.sim_reference_tracks
        sim.unplug()
        await modem.wait_for(ModemState.OFFLINE, timeout=5)
        sim.replug()
        assert await modem.wait_for(ModemState.READY, timeout=10) == ModemState.READY
        assert modem.sim_reference_tracks is None           # reset by the set-up
        mr = await send(modem)
        assert mr == ((last + 1) % 256 if after_reboot == "continues" else 0)
        assert modem.sim_reference_tracks is tracked
