"""The command channel against a scripted modem on a real pty: answers that come
late, after the channel gave up on their command."""

from __future__ import annotations

import asyncio
import os
import pty

import pytest

from modemgw.modem.channel import CommandChannel
from modemgw.modem.errors import CommandTimeout


class LateModem:
    """The far end of a pty: answers AT+CGMI `late` seconds after it was asked (a
    slow modem), and everything in order: a command after it is answered after it."""

    def __init__(self, late: float) -> None:
        self.master, self.slave = pty.openpty()
        self.late = late
        self.commands: list[str] = []
        self._buffer = b""
        self._free_at = 0.0             # when the answer to the last command is out
        asyncio.get_running_loop().add_reader(self.master, self._readable)

    @property
    def path(self) -> str:
        return os.ttyname(self.slave)

    def _readable(self) -> None:
        self._buffer += os.read(self.master, 1024)
        while b"\r" in self._buffer:
            line, self._buffer = self._buffer.split(b"\r", 1)
            command = line.decode().strip()
            self.commands.append(command)
            answer = {"AT+CGMI": b"\r\nACME\r\n\r\nOK\r\n",
                      "AT+CGMM": b"\r\nRocket 9\r\n\r\nOK\r\n"}.get(command, b"\r\nOK\r\n")
            loop = asyncio.get_running_loop()
            self._free_at = max(loop.time(), self._free_at) + (self.late if command == "AT+CGMI" else 0)
            loop.call_at(self._free_at, self._write, answer)

    def _write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.master)
        os.close(self.master)
        os.close(self.slave)


async def test_an_answer_after_the_timeout_is_not_the_next_commands():
    modem = LateModem(late=0.25)
    channel = CommandChannel("m1", on_urc=lambda urc: None)
    await channel.open(modem.path, 115200)
    try:
        with pytest.raises(CommandTimeout):
            await channel.command("AT+CGMI", timeout=0.2)
        # Asked at once: the late answer to AT+CGMI would come first.
        response = await channel.command("AT+CGMM", timeout=2)
        assert response.lines == ("Rocket 9",)
        assert modem.commands == ["AT+CGMI", "AT+CGMM"]
    finally:
        channel.close()
        modem.close()
