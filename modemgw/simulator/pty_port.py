"""The modem's end of a pseudo-terminal, reachable through a stable symlink.

Clients open the slave side (via the link) exactly like /dev/ttyUSB2. The
simulator keeps its own slave fd open so the master never sees a hangup when
a client closes and reopens the port. Closing the port (unplug) closes both
ends: a client still holding the old slave fd gets EOF/EIO and POLLHUP.
"""

import asyncio
import contextlib
import os
import pty
import tty
from collections.abc import Callable
from pathlib import Path


class PtyPort:
    def __init__(
        self,
        link: str | os.PathLike[str] | None,
        on_input: Callable[[bytes], None],
        on_output: Callable[[bytes], None],
        byte_delay: Callable[[], float] = lambda: 0.0,
    ) -> None:
        self.link = Path(link) if link is not None else None
        self.device: str | None = None  # the slave's /dev/pts/N while open
        self._on_input = on_input
        self._on_output = on_output
        self._byte_delay = byte_delay
        self._master = -1
        self._slave = -1
        self._pending = bytearray()
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._pump: asyncio.Task[None] | None = None

    @property
    def is_open(self) -> bool:
        return self._master >= 0

    @property
    def path(self) -> str:
        """What a client should open: the link if there is one, else the device."""
        if self.link is not None:
            return str(self.link)
        assert self.device is not None
        return self.device

    def open(self) -> None:
        loop = asyncio.get_running_loop()
        self._master, self._slave = pty.openpty()
        # Raw from the start: a cooked line discipline would echo and
        # translate CR before the client gets to configure the port.
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.device = os.ttyname(self._slave)
        if self.link is not None:
            # Repoint atomically, so a client never sees the link missing on replug.
            temporary = self.link.with_name(f".{self.link.name}.{os.getpid()}")
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            temporary.symlink_to(self.device)
            os.replace(temporary, self.link)
        loop.add_reader(self._master, self._readable)
        self._pending.clear()
        self._pump = loop.create_task(self._write_pending())

    def close(self) -> None:
        """Unplug: both pty ends go away, and so does the link."""
        if not self.is_open:
            return
        loop = asyncio.get_running_loop()
        loop.remove_reader(self._master)
        loop.remove_writer(self._master)
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        if self.link is not None and self.link.is_symlink() and os.readlink(self.link) == self.device:
            self.link.unlink()
        os.close(self._master)
        os.close(self._slave)
        self._master = self._slave = -1
        self._pending.clear()
        self._drained.set()

    def write(self, data: bytes) -> None:
        if self.is_open and data:
            self._pending += data
            self._drained.clear()
            self._wake.set()

    async def drain(self, timeout: float = 5.0) -> None:
        """Until everything written so far has reached the pty."""
        async with asyncio.timeout(timeout):
            await self._drained.wait()

    def _readable(self) -> None:
        try:
            data = os.read(self._master, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            self._on_input(data)

    async def _write_pending(self) -> None:
        while True:
            while not self._pending:
                self._wake.clear()
                await self._wake.wait()
            delay = self._byte_delay()
            chunk = bytes(self._pending[:1] if delay > 0 else self._pending)
            try:
                written = os.write(self._master, chunk)
            except BlockingIOError:
                # The client is not reading; wait until the pty buffer drains.
                await self._writable()
                continue
            del self._pending[:written]
            if not self._pending:
                self._drained.set()
            self._on_output(chunk[:written])
            if delay > 0:
                await asyncio.sleep(delay)

    async def _writable(self) -> None:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        loop.add_writer(self._master, lambda: ready.done() or ready.set_result(None))
        try:
            await ready
        finally:
            loop.remove_writer(self._master)
