"""The serial port, behind one small module.

serialx opens the device without blocking the event loop and locks it
exclusively (see docs/dependencies.md). Bytes read are handed to a callback;
loss of the device is reported once through `lost`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import serialx

from .errors import PortLost


class _Protocol(asyncio.Protocol):
    def __init__(self, on_data: Callable[[bytes], None], lost: asyncio.Future[None]) -> None:
        self._on_data = on_data
        self._lost = lost

    def data_received(self, data: bytes) -> None:
        self._on_data(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._lost.done():
            self._lost.set_result(None)


class SerialPort:
    def __init__(self, transport: asyncio.Transport, lost: asyncio.Future[None], path: str) -> None:
        self._transport = transport
        self.lost = lost
        self.path = path

    def write(self, data: bytes) -> None:
        if self.lost.done() or self._transport.is_closing():
            raise PortLost(f"{self.path} is closed")
        self._transport.write(data)

    def close(self) -> None:
        self._transport.close()


async def open_port(path: str, baudrate: int, on_data: Callable[[bytes], None]) -> SerialPort:
    """Open `path`; raises OSError (FileNotFoundError when the device is gone)."""
    loop = asyncio.get_running_loop()
    lost: asyncio.Future[None] = loop.create_future()
    try:
        transport, _ = await serialx.create_serial_connection(
            loop, lambda: _Protocol(on_data, lost), path, baudrate)
    except serialx.SerialException as exc:
        raise OSError(str(exc)) from exc
    return SerialPort(transport, lost, path)  # type: ignore[arg-type]
