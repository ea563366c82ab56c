"""One command at a time over a serial port, each with its own timeout.

Glue between the sans-IO `ATConnection` and the port: bytes read become
events; a command's `Response` completes its waiter; URCs go to a callback
in arrival order, whatever command is running.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable

from ..at import ATConnection, Prompt, Response, UnexpectedLine, Urc
from .errors import CommandFailed, CommandTimeout, PortLost
from .port import SerialPort, open_port

log = logging.getLogger(__name__)


class CommandChannel:
    def __init__(self, name: str, on_urc: Callable[[Urc], None],
                 extra_urcs: tuple[str, ...] = ()) -> None:
        self.name = name
        self._on_urc = on_urc
        self._extra_urcs = extra_urcs
        self._conn = ATConnection(extra_urcs=extra_urcs)
        self._port: SerialPort | None = None
        self._lock = asyncio.Lock()
        # Response/Prompt events of the running command. A queue, not a
        # single future: a faulty modem can print both in one read. A deque and
        # one waiter rather than an asyncio.Queue: three waits a part sent, each
        # of which would look up the running loop (a getpid) two or three times.
        self._events: deque[Response | Prompt | PortLost] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._last_data = 0.0                # loop time of the last bytes read
        # A command was given up on: its answer may still come, and must not be
        # read as the answer to the next command.
        self._out_of_step = False

    @property
    def port(self) -> SerialPort | None:
        return self._port

    async def open(self, path: str, baudrate: int) -> None:
        self._conn = ATConnection(extra_urcs=self._extra_urcs)
        self._events = deque()
        self._out_of_step = False
        self._port = await open_port(path, baudrate, self._data_received)
        self._port.lost.add_done_callback(lambda _: self._put(PortLost(self.name)))

    def close(self) -> None:
        if self._port is not None:
            self._port.close()

    @property
    def is_open(self) -> bool:
        return self._port is not None and not self._port.lost.done()

    def _data_received(self, data: bytes) -> None:
        self._last_data = asyncio.get_running_loop().time()
        for event in self._conn.receive_data(data):
            if isinstance(event, (Response, Prompt)):
                self._put(event)
            elif isinstance(event, Urc):
                self._on_urc(event)
            elif isinstance(event, UnexpectedLine):
                log.info("modem=%s unexpected line %r", self.name, event.line)

    async def _start(self, command: str, expect_prompt: bool = False) -> None:
        if self._out_of_step:
            # A slow modem answers a timed-out command late, often together with
            # the next one (a probe's AT sent again): let those answers pass
            # while no command is running, so none is taken for this one's.
            await self._until_quiet()
        self._drop_leftovers()
        self._write(self._conn.send_command(command, expect_prompt=expect_prompt))

    def _drop_leftovers(self) -> None:
        """Answers queued for no running command (an aborted one's); a lost port stays an error."""
        while self._events:
            if isinstance(self._events.popleft(), PortLost):
                raise PortLost(f"{self.name}: port lost")

    async def _until_quiet(self, quiet: float = 0.1, limit: float = 1.0) -> None:
        """Let the modem's output through until it has been quiet for `quiet` seconds
        (at most `limit`); what arrives meanwhile answers nothing asked now."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while loop.time() - started < limit:
            await asyncio.sleep(quiet)
            if loop.time() - self._last_data >= quiet:
                break
        self._out_of_step = False

    async def _wait(self, timeout: float, command: str, pdu_written: bool) -> Response | Prompt:
        try:
            if not self._events:
                await self._next_event(timeout)
            event = self._events.popleft()
        except TimeoutError:
            self._abort()
            self._out_of_step = True
            raise CommandTimeout(command, timeout, pdu_written) from None
        except asyncio.CancelledError:
            self._abort()  # the caller gave up: leave the connection usable
            self._out_of_step = True
            raise
        if isinstance(event, PortLost):
            self._put(event)  # every later command fails too
            raise PortLost(f"{self.name}: port lost during {command!r}", pdu_written)
        return event

    def _put(self, event: Response | Prompt | PortLost) -> None:
        self._events.append(event)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _next_event(self, timeout: float) -> None:
        """Until an event is queued; TimeoutError after `timeout` seconds. A cancellation
        that comes with the event is not lost (as wait_for can lose one on 3.11): the
        event stays queued, for `_drop_leftovers`."""
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        timer = loop.call_later(timeout, _time_out, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    def _abort(self) -> None:
        data = self._conn.abort()
        if data and self.is_open:
            self._port.write(data)  # type: ignore[union-attr]

    def _write(self, data: bytes) -> None:
        if self._port is None:
            raise PortLost(f"{self.name}: port not open")
        self._port.write(data)

    async def command(self, command: str, timeout: float = 5.0, *, check: bool = True) -> Response:
        """Run one command line; with `check`, a non-OK result raises CommandFailed."""
        async with self._lock:
            await self._start(command)
            response = await self._wait(timeout, command, False)
        assert isinstance(response, Response)
        if check and not response.ok:
            raise CommandFailed(command, response.result.line, response.result.error)
        return response

    async def submit(self, tpdu_length: int, pdu_hex: str, prompt_timeout: float,
                     result_timeout: float) -> Response:
        """AT+CMGS=<len>, wait for `> `, write the PDU + Ctrl-Z, wait for the result.

        A CommandTimeout with `pdu_written=True` means the outcome is unknown.
        """
        command = f"AT+CMGS={tpdu_length}"
        async with self._lock:
            await self._start(command, expect_prompt=True)
            first = await self._wait(prompt_timeout, command, False)
            if isinstance(first, Response):
                return first  # refused before the prompt (e.g. +CMS ERROR: 304)
            if self._events:
                # The result came with the prompt, before any PDU: nothing was sent.
                response = self._events.popleft()
                if isinstance(response, Response):
                    return response
                raise PortLost(f"{self.name}: port lost during {command!r}")
            self._write(self._conn.send_pdu(pdu_hex))
            response = await self._wait(result_timeout, command, True)
        assert isinstance(response, Response)
        return response

    async def resync(self, quiet: float = 0.1, limit: float = 1.0) -> None:
        """Before the first command: ESC ends an SMS editor that an earlier user of
        the port left open at the `> ` prompt of AT+CMGS (the modem answers the
        abandoned command, often with OK; elsewhere ESC is ignored), as gammu does
        ("Escaping SMS mode"). Then the modem's output is let through until it has
        been quiet for `quiet` seconds (at most `limit`), so that a late answer to
        an earlier command is not taken for the answer to the next one."""
        async with self._lock:
            if not self.is_open:
                return
            self._write(b"\x1b")
            self._last_data = asyncio.get_running_loop().time()
            await self._until_quiet(quiet, limit)
            self._drop_leftovers()

    async def probe(self, timeout: float = 2.0, attempts: int = 3) -> bool:
        """Is the modem answering? Plain `AT`, a few times (it may be waking up)."""
        for _ in range(attempts):
            try:
                if (await self.command("AT", timeout, check=False)).ok:
                    return True
            except CommandTimeout:
                continue
        return False


def _time_out(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())
