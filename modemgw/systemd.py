"""sd_notify: READY, STATUS and WATCHDOG messages to systemd, without a dependency.

The protocol is one datagram to the AF_UNIX socket named in $NOTIFY_SOCKET
(a leading '@' means the abstract namespace). Outside systemd it does nothing.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable


def notify(message: str, env: dict[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    address = env.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        sock.connect(address)
        sock.sendall(message.encode())
    return True


def watchdog_interval(env: dict[str, str] | None = None) -> float | None:
    """Half the watchdog timeout systemd set (WatchdogSec=), or None."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC")
    pid = env.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1_000_000 / 2


async def watchdog(healthy: Callable[[], Awaitable[bool]], env: dict[str, str] | None = None) -> None:
    """Ping the watchdog while `healthy()` says so; a stuck loop or store stops the pings."""
    interval = watchdog_interval(env)
    if interval is None:
        return
    while True:
        if await healthy():
            notify("WATCHDOG=1", env)
        await asyncio.sleep(interval)
