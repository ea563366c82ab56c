"""sd_notify over a real AF_UNIX datagram socket, and secrets kept out of logs."""

import asyncio
import logging
import os
import socket

from modemgw import systemd
from modemgw.logs import RedactingFilter, redact


def test_notify_sends_a_datagram(tmp_path):
    path = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        assert systemd.notify("READY=1\nSTATUS=ok", {"NOTIFY_SOCKET": path})
        assert server.recv(100) == b"READY=1\nSTATUS=ok"
    assert systemd.notify("READY=1", {}) is False


def test_watchdog_interval():
    assert systemd.watchdog_interval({"WATCHDOG_USEC": "60000000"}) == 30.0
    assert systemd.watchdog_interval({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1"}) is None
    assert systemd.watchdog_interval({}) is None


async def test_watchdog_pings_only_while_healthy(tmp_path):
    path = str(tmp_path / "wd.sock")
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000", "WATCHDOG_PID": str(os.getpid())}
    answers = [True, False, False, False]
    asked = asyncio.Event()

    async def check():
        if not answers:
            asked.set()
            return False
        return answers.pop(0)

    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        server.setblocking(False)
        task = asyncio.create_task(systemd.watchdog(check, env))
        await asyncio.wait_for(asked.wait(), 5)   # four checks done: one healthy, three not
        task.cancel()
        assert server.recv(100) == b"WATCHDOG=1"
        try:
            server.recv(100)
            raise AssertionError("pinged while unhealthy")
        except BlockingIOError:
            pass


def test_secrets_masked_in_logs(caplog):
    key = "mgw_" + "A" * 43
    logger = logging.getLogger("modemgw.test")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO):
        logger.info('sent AT+CPIN="4321" with key %s and Bearer %s', key, key)
    assert key not in caplog.text and "4321" not in caplog.text
    assert redact("whsec_abcdefghijklmnop") == "whsec_***"
