"""`modemgw simulate` (and `python -m modemgw.simulator`) as a separate process, talked to
through its link; `modemgw simulate inject` from yet another process."""

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
import termios
import tty
from pathlib import Path

import pytest

from modemgw.simulator import Simulator
from modemgw.sms import decode_pdu

EXE = shutil.which("modemgw") or str(Path(sys.executable).parent / "modemgw")
CMT = re.compile(rb"\+CMT: [^\r]*\r\n([0-9A-F]+)\r\n")   # +CMT: ,<length> then the PDU


async def read_until(fd: int, token: bytes, timeout: float = 5.0) -> bytes:
    loop = asyncio.get_running_loop()
    received = b""
    async with asyncio.timeout(timeout):
        while token not in received:
            readable = loop.create_future()
            loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
            try:
                await readable
            finally:
                loop.remove_reader(fd)
            received += os.read(fd, 4096)
    return received


@contextlib.asynccontextmanager
async def simulator_process(*command: str, lines: int = 1):
    """A simulator in its own process, its first `lines` of output, and the pty opened raw."""
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(30):
            said = [(await process.stdout.readline()).decode() for _ in range(lines)]
        link = command[command.index("--link") + 1]
        assert link in said[0] and os.path.islink(link)
        fd = os.open(link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            tty.setraw(fd, termios.TCSANOW)
            yield said, fd
        finally:
            os.close(fd)
    finally:
        process.terminate()
        async with asyncio.timeout(10):
            assert await process.wait() == 0


async def test_standalone_simulator_answers_at(tmp_path):
    link = tmp_path / "ttyFAKE0"
    async with simulator_process(sys.executable, "-m", "modemgw.simulator", "--link", str(link),
                                 "--profile", "sim800", "--latency", "0.1") as (_, fd):
        await read_until(fd, b"SMS Ready\r\n")
        os.write(fd, b"AT+CGMM\r")
        assert (await read_until(fd, b"OK\r\n")).endswith(b"AT+CGMM\r\r\nSIMCOM_SIM800L\r\n\r\nOK\r\n")
    assert not os.path.lexists(link)


def test_bad_option_is_a_usage_error():
    from modemgw.simulator import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--report", "sometimes"])
    assert exit_info.value.code == 2



def luhn_valid(number: str) -> bool:
    """The check of 3GPP TS 23.003 annex B, written out independently of imei.py."""
    digits = [int(d) for d in number]
    odd = sum(digits[-1::-2])
    even = sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
    return (odd + even) % 10 == 0


def test_help_names_the_command_users_type():
    r = subprocess.run([EXE, "simulate", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("usage: modemgw simulate ")
    assert "modemgw simulate inject" in " ".join(r.stdout.split())
    r = subprocess.run([EXE, "simulate", "inject", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("usage: modemgw simulate inject ")


async def test_each_simulated_modem_has_its_own_stable_imei(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    imeis = {}
    for where in ("one/sim-a", "one/sim-b", "two/sim-a"):
        async with Simulator(str(tmp_path / where), profile="sim800") as sim:
            await sim.wait_ready()
            fd = os.open(sim.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            try:
                os.write(fd, b"AT+CGSN\r")
                answer = await read_until(fd, b"OK\r\n")
            finally:
                os.close(fd)
            imeis[where] = answer.split(b"\r\n")[-4].decode()
    assert imeis["one/sim-a"] != imeis["one/sim-b"]          # two modems, two IMEIs
    assert imeis["one/sim-a"] == imeis["two/sim-a"]          # the same name: the same modem
    assert all(len(i) == 15 and i.isdigit() and luhn_valid(i) for i in imeis.values()), imeis
    assert Simulator(None, profile="ec25").profile.imei == Simulator(None, profile="ec25").profile.imei


async def test_inject_from_another_process_reaches_the_host(tmp_path):
    link = tmp_path / "ttyFAKE0"
    text = "Grüße aus dem Simulator 😀 " * 4    # UCS-2, two parts
    async with simulator_process(EXE, "simulate", "--link", str(link), lines=2) as ((banner, hint), fd):
        assert "IMEI 99000086" in banner
        assert f"modemgw simulate inject --link {link} " in hint
        os.write(fd, b"AT+CMGF=0;+CNMI=2,2,0,0,0\r")
        await read_until(fd, b"OK\r\n", timeout=15)
        inject = await asyncio.create_subprocess_exec(
            EXE, "simulate", "inject", "--link", str(link), "--from", "+15551230009", "--text", text,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        async with asyncio.timeout(30):
            out, err = await inject.communicate()
        assert inject.returncode == 0, err.decode()
        assert "2 part(s)" in out.decode()
        received = b""
        while len(CMT.findall(received)) < 2:
            received += await read_until(fd, b"\r\n", timeout=15)
    pdus = [decode_pdu(pdu.decode()) for pdu in CMT.findall(received)]
    assert {p.originator.number for p in pdus} == {"+15551230009"}
    assert "".join(p.text for p in sorted(pdus, key=lambda p: p.udh.concat.sequence)) == text
    assert not os.path.lexists(f"{link}.ctl")          # the socket goes with the simulator


@pytest.mark.parametrize("start, originator, code, words", [
    (False, "+15551230009", 3, "no simulated modem answers on"),
    (True, "a sender far too long", 1, "refused: alphanumeric originator"),
])
async def test_inject_errors_are_explained(tmp_path, start, originator, code, words):
    link = tmp_path / "ttyFAKE0"
    sim = Simulator(str(link))
    if start:
        await sim.start()
    try:
        inject = await asyncio.create_subprocess_exec(
            EXE, "simulate", "inject", "--link", str(link), "--from", originator, "--text", "hi",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        async with asyncio.timeout(30):
            out, err = await inject.communicate()
    finally:
        if start:
            await sim.stop()
    assert inject.returncode == code and words in err.decode() and "Traceback" not in err.decode()


async def test_a_closed_stdout_does_not_stop_the_simulator(tmp_path):
    link = tmp_path / "ttyFAKE0"
    read_end, write_end = os.pipe()
    os.close(read_end)                                   # `modemgw simulate ... | head -1`, head gone
    try:
        process = await asyncio.create_subprocess_exec(
            EXE, "simulate", "--link", str(link), stdout=write_end, stderr=asyncio.subprocess.PIPE)
    finally:
        os.close(write_end)
    try:
        async with asyncio.timeout(30):
            while True:     # the control socket answers once the simulator runs
                inject = await asyncio.create_subprocess_exec(
                    EXE, "simulate", "inject", "--link", str(link), "--from", "+15551230009",
                    "--text", "hi", stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
                if await inject.wait() == 0:
                    break
                assert process.returncode is None, "the simulator ended"
    finally:
        process.terminate()
        async with asyncio.timeout(10):
            _, err = await process.communicate()
    assert (process.returncode, err) == (0, b"")
