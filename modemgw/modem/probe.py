"""Finding modems: which serial ports answer AT, and what is behind them.

Each port gets a short budget; a port that never answers (a GPS or
diagnostic interface, a modem in the wrong mode) costs that budget and no
more.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
from dataclasses import dataclass

from ..at.errors import ResponseParseError
from ..at.responses import parse_cops, parse_csq
from .channel import CommandChannel
from .errors import CommandTimeout, ModemError

PATTERNS = ("/dev/ttyUSB*", "/dev/ttyACM*", "/dev/serial/by-id/*", "/dev/modemgw/*")


@dataclass
class ProbeResult:
    port: str
    answered: bool
    manufacturer: str | None = None
    model: str | None = None
    revision: str | None = None
    imei: str | None = None
    iccid: str | None = None
    operator: str | None = None
    rssi: int | None = None
    error: str | None = None
    links: tuple[str, ...] = ()      # /dev/serial/by-id names pointing at this port


def candidate_ports(patterns: tuple[str, ...] = PATTERNS) -> dict[str, list[str]]:
    """Real device -> the names it is known by (by-id links first)."""
    out: dict[str, list[str]] = {}
    for pattern in patterns:
        for name in sorted(glob.glob(pattern)):
            real = os.path.realpath(name)
            names = out.setdefault(real, [])
            if name != real:
                names.append(name)
    return out


async def _value(channel: CommandChannel, command: str, timeout: float) -> str | None:
    with contextlib.suppress(ModemError):
        response = await channel.command(command, timeout, check=False)
        if response.ok and response.lines:
            line = response.lines[0].strip()
            prefix = command[2:].rstrip("?").upper() + ":"
            if line.upper().startswith(prefix):
                line = line[len(prefix):].strip()
            return line.strip('"') or None
    return None


async def probe_port(port: str, *, baudrate: int = 115200, timeout: float = 1.0) -> ProbeResult:
    channel = CommandChannel(f"probe:{port}", lambda _urc: None)
    result = ProbeResult(port, False)
    try:
        async with asyncio.timeout(timeout):
            await channel.open(port, baudrate)
    except (OSError, TimeoutError) as exc:
        result.error = f"cannot open: {getattr(exc, 'strerror', None) or exc}"
        return result
    try:
        if not await channel.probe(timeout, attempts=2):
            result.error = "no answer to AT"
            return result
        result.answered = True
        with contextlib.suppress(ModemError):
            await channel.command("ATE0", timeout, check=False)
        result.manufacturer = await _value(channel, "AT+CGMI", timeout)
        result.model = await _value(channel, "AT+CGMM", timeout)
        result.revision = await _value(channel, "AT+CGMR", timeout)
        result.imei = await _value(channel, "AT+CGSN", timeout)
        for command in ("AT+CCID", "AT+QCCID", "AT^ICCID?", "AT+CICCID"):
            if (iccid := await _value(channel, command, timeout)) is not None:
                result.iccid = iccid.split(":")[-1].strip().strip('"')
                break
        with contextlib.suppress(ModemError, ResponseParseError, IndexError, TypeError):
            result.operator = parse_cops(await _value(channel, "AT+COPS?", timeout) or "").name
        with contextlib.suppress(ModemError, ResponseParseError, IndexError, TypeError):
            result.rssi = parse_csq("+CSQ: " + (await _value(channel, "AT+CSQ", timeout) or "")).rssi
    except CommandTimeout as exc:
        result.error = str(exc)
    finally:
        channel.close()
    return result


async def probe_all(ports: dict[str, list[str]] | None = None, *, timeout: float = 1.0) -> list[ProbeResult]:
    ports = candidate_ports() if ports is None else ports
    results = await asyncio.gather(*(probe_port(p, timeout=timeout) for p in ports))
    for result in results:
        result.links = tuple(ports.get(result.port, ()))
    return list(results)
