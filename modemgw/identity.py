"""Finding a configured modem again after it re-enumerates (ttyUSB2 -> ttyUSB5).

A modem configured by USB serial number is looked up in /dev/serial/by-id
(udev names each interface `usb-<vendor>_<product>_<serial>-if<NN>-port0`);
one configured by IMEI is found by asking each candidate port `AT+CGSN`.
The lookup runs every time the driver (re)opens the port.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Awaitable, Callable

from .config import ModemConfig

BY_ID = "/dev/serial/by-id"


def by_usb_serial(serial: str, interface: int | None = None, root: str = BY_ID) -> str | None:
    names = sorted(n for n in glob.glob(os.path.join(root, "*")) if serial in os.path.basename(n))
    if interface is not None:
        names = [n for n in names if f"-if{interface:02d}" in os.path.basename(n)]
    return names[0] if names else None


async def by_imei(imei: str, patterns: tuple[str, ...] | None = None) -> str | None:
    from .modem.probe import PATTERNS, candidate_ports, probe_port
    for port in candidate_ports(patterns or PATTERNS):
        result = await probe_port(port, timeout=1.0)
        if result.imei and imei in result.imei:
            return port
    return None


def resolver(mc: ModemConfig) -> Callable[[], str | None | Awaitable[str | None]]:
    if mc.usb_serial is not None:
        serial, interface = mc.usb_serial, mc.interface
        return lambda: by_usb_serial(serial, interface)
    if mc.imei is not None:
        imei = mc.imei
        return lambda: by_imei(imei)
    port = mc.port
    return lambda: port
