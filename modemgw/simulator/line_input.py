"""Bytes from the host turned into command lines and SMS editor text, echoed as they are consumed.

Echo happens when the firmware takes the bytes, not when they arrive: what a
host types while a command runs is echoed after that command's result, in
order, as on a real modem.
"""

import asyncio
from collections.abc import Callable

CR, LF, BS, DEL, CTRL_Z, ESC = 0x0D, 0x0A, 0x08, 0x7F, 0x1A, 0x1B
MAX_LINE = 2048


class LineInput:
    def __init__(self, echo: Callable[[bytes], None]) -> None:
        self._echo = echo
        self._buffer = bytearray()
        self._ready = asyncio.Event()

    def feed(self, data: bytes) -> None:
        self._buffer += data
        self._ready.set()

    def clear(self) -> None:
        self._buffer.clear()

    async def _take(self) -> bytes:
        while not self._buffer:
            self._ready.clear()
            await self._ready.wait()
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def _unread(self, data: bytes) -> None:
        self._buffer[:0] = data

    async def read_line(self) -> str:
        """One line up to CR (CR echoed, a leading LF dropped), or "A/" as soon as typed."""
        line = bytearray()
        while True:
            chunk = await self._take()
            echo = bytearray()
            for i, byte in enumerate(chunk):
                if byte == CR:
                    echo.append(byte)
                    self._unread(chunk[i + 1 :])
                    self._echo(bytes(echo))
                    return line.decode("latin-1")
                if byte == LF and not line:
                    continue
                if byte in (BS, DEL):
                    if line:
                        line.pop()
                    echo.append(byte)
                elif byte in (ESC, CTRL_Z):
                    # Leftovers of an SMS editor session: gammu sends ESC first.
                    line.clear()
                elif len(line) < MAX_LINE:
                    line.append(byte)
                    echo.append(byte)
                    if line.upper() == b"A/":
                        # V.250 "repeat last command" needs no CR.
                        self._unread(chunk[i + 1 :])
                        self._echo(bytes(echo))
                        return "A/"
            self._echo(bytes(echo))

    async def read_editor(self) -> tuple[str, bool]:
        """Text typed after the "> " prompt, and whether Ctrl-Z (not ESC) ended it."""
        text = bytearray()
        while True:
            chunk = await self._take()
            echo = bytearray()
            for i, byte in enumerate(chunk):
                if byte in (CTRL_Z, ESC):
                    self._unread(chunk[i + 1 :])
                    self._echo(bytes(echo))
                    return text.decode("latin-1"), byte == CTRL_Z
                text.append(byte)
                echo.append(byte)
            self._echo(bytes(echo))
