"""`python -m modemgw.simulator` as a separate process, talked to through its link."""

import asyncio
import os
import sys
import termios
import tty

import pytest


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


async def test_standalone_simulator_answers_at(tmp_path):
    link = tmp_path / "ttyFAKE0"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "modemgw.simulator", "--link", str(link), "--profile", "sim800",
        "--latency", "0.1", stdout=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(10):
            banner = await process.stdout.readline()
        assert str(link).encode() in banner and os.path.islink(link)
        fd = os.open(link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            tty.setraw(fd, termios.TCSANOW)
            await read_until(fd, b"SMS Ready\r\n")
            os.write(fd, b"AT+CGMM\r")
            assert (await read_until(fd, b"OK\r\n")).endswith(b"AT+CGMM\r\r\nSIMCOM_SIM800L\r\n\r\nOK\r\n")
        finally:
            os.close(fd)
    finally:
        process.terminate()
        async with asyncio.timeout(10):
            assert await process.wait() == 0
    assert not os.path.lexists(link)


def test_bad_option_is_a_usage_error():
    from modemgw.simulator import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--report", "sometimes"])
    assert exit_info.value.code == 2
