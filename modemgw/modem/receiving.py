"""Taking in what a modem receives: messages and status reports, stored or routed.

Guarantee: a PDU leaves the modem only after the handler (the layer above) has
returned for it, that is, has it stored. A stored one is then deleted (AT+CMGD), a
routed one acknowledged in phase 2+ (AT+CNMA). When the handler fails, a stored PDU
stays where it is and a routed one is refused (AT+CNMA=2), so the network sends it
again. A PDU that cannot be decoded is handed up too, as undecodable with its raw
text, and then deleted or acknowledged like the others, so no sweep reads it again.
When a +CDSI names a memory that does not hold the report, the modem's other memories
are read.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..at import Response, Urc
from ..at.errors import ResponseParseError
from ..at.responses import StoredPdu, parse_cmgl, parse_cmgr, parse_cpms, parse_storage_indication
from ..sms import Deliver, PduError, StatusReport, Submit, decode_pdu
from .vendors import VendorProfile

if TYPE_CHECKING:
    from .driver import Counters, ModemInfo

log = logging.getLogger(__name__)

# URCs carrying the PDU itself; in phase 2+ the modem waits for AT+CNMA after each.
ROUTED = frozenset({"+CMT", "+CDS"})
# URCs naming where a PDU was stored.
ANNOUNCED = frozenset({"+CMTI", "+CDSI"})


@dataclass(frozen=True, slots=True)
class ReceivedPdu:
    """A PDU the modem handed over: an inbound message, a status report, or junk.

    `message` is the decoded PDU or None with `error` saying why; the raw
    `hex` is always kept. `location` is (memory, index) when it was stored.
    """

    modem: str
    hex: str
    length: int | None
    message: Deliver | StatusReport | Submit | None
    error: str | None = None
    location: tuple[str, int] | None = None

    @property
    def is_status_report(self) -> bool:
        return isinstance(self.message, StatusReport)

    @classmethod
    def decoded(cls, modem: str, pdu: str, length: int | None,
                location: tuple[str, int] | None = None) -> ReceivedPdu:
        """The PDU as handed over: decoded, or kept raw with the error that stopped it."""
        try:
            return cls(modem, pdu, length, decode_pdu(pdu, length), None, location)
        except PduError as exc:
            return cls(modem, pdu, length, None, str(exc), location)


Handler = Callable[[ReceivedPdu], Awaitable[None]]
Run = Callable[[str], Awaitable[Response]]   # one command; a refusal is returned, not raised


class Receiver:
    def __init__(self, name: str, run: Run, info: ModemInfo, counters: Counters,
                 profile: Callable[[], VendorProfile], handler: Callable[[], Handler | None]) -> None:
        self.name = name
        self._run = run
        self._info = info
        self._counters = counters
        self._profile = profile
        self._handler = handler

    async def on_urc(self, event: Urc) -> None:
        """Handle one of ROUTED or ANNOUNCED."""
        name = event.name.upper()
        if name in ROUTED:
            await self._routed(event)
        elif name in ANNOUNCED:
            await self._announced(name, event.line)

    async def _routed(self, event: Urc) -> None:
        if event.pdu is None:
            # The PDU line was lost or mangled (line noise): nothing to store. Refused at
            # once in phase 2+, it is sent again by the network; left unanswered, it would
            # keep the modem from routing anything else until its acknowledgement timeout.
            log.warning("modem=%s %s without a PDU line", self.name, event.line)
            if self._info.sms_service == 1:
                await self._run("AT+CNMA=2")
            return
        delivered = await self._deliver(self._decoded(event.pdu, _trailing_int(event.line), None))
        if self._info.sms_service == 1:
            # Phase 2+: acknowledge exactly once, and only what was stored;
            # without the ack the network re-delivers it.
            await self._run("AT+CNMA" if delivered else "AT+CNMA=2")

    async def _announced(self, name: str, line: str) -> None:
        try:
            where = parse_storage_indication(line)
        except ResponseParseError:
            log.warning("modem=%s unreadable %r", self.name, line)
            return
        found = await self._read(where.memory, where.index)
        if name == "+CDSI" and (found is None or not found.is_status_report):
            # Announced in the wrong memory: the EC25 names "SM" for a report it keeps in
            # "SR" (hardware-notes.md); a modem may do the reverse. Read the others.
            log.info("modem=%s no report at %s; reading the other memories", self.name, line)
            for memory in self.memories():
                if memory != where.memory.upper():
                    await self.sweep_memory(memory)

    def memories(self) -> list[str]:
        return [m for m in ("SM", "ME", "SR") if m in self._info.memories] or ["SM"]

    async def sweep(self) -> None:
        """Read and clear everything stored: what arrived while the gateway was away."""
        if self._handler() is None:
            return
        memories = self.memories()
        for memory in memories:
            await self.sweep_memory(memory)
        await self._select(memories[0])

    async def sweep_memory(self, memory: str) -> None:
        selected = await self._select(memory)
        if not selected.ok:
            return
        if self._profile().cmgl:
            response = await self._run("AT+CMGL=4")
            if response.ok:
                try:
                    items = parse_cmgl(response.lines)
                except ResponseParseError as exc:
                    # One bad PDU spoils the whole list: read slot by slot instead,
                    # where it is handled alone.
                    log.warning("modem=%s unreadable +CMGL in %s: %s", self.name, memory, exc)
                else:
                    for item in items:
                        if item.index is not None:
                            await self._take(item, memory, item.index)
                    return
        # No usable AT+CMGL: read each slot the memory has.
        for index in range(0, _cpms_total(selected.lines) + 1):
            await self._read(memory, index)

    async def _select(self, memory: str) -> Response:
        return await self._run(f'AT+CPMS="{memory}"')

    async def _read(self, memory: str, index: int) -> ReceivedPdu | None:
        """AT+CMGR of one slot, handed up; None when it is empty or cannot be read."""
        if not (await self._select(memory)).ok:
            return None
        response = await self._run(f"AT+CMGR={index}")
        if not response.ok:
            return None
        try:
            stored = parse_cmgr(response.lines)
        except ResponseParseError as exc:
            if len(response.lines) != 2:
                log.warning("modem=%s unreadable +CMGR for %s %d: %s", self.name, memory, index, exc)
                return None
            # A header and a PDU line that is not hex octets (line noise, a PDU cut
            # short): kept as undecodable, then deleted like any other.
            stored = StoredPdu(index, None, None, response.lines[1].strip())
        if stored is None:
            return None
        return await self._take(stored, memory, index)

    async def _take(self, stored: StoredPdu, memory: str, index: int) -> ReceivedPdu:
        received = self._decoded(stored.pdu, stored.length, (memory, index))
        if await self._deliver(received):
            await self._run(f"AT+CMGD={index}")
        return received

    def _decoded(self, pdu: str, length: int | None, location: tuple[str, int] | None) -> ReceivedPdu:
        received = ReceivedPdu.decoded(self.name, pdu, length, location)
        if received.error is not None:
            log.warning("modem=%s undecodable PDU kept: %r (%s)", self.name, pdu, received.error)
        return received

    async def _deliver(self, received: ReceivedPdu) -> bool:
        """Hand a PDU up; True once the layer above has it stored."""
        if received.is_status_report:
            self._counters.reports += 1
        else:
            self._counters.received += 1
        handler = self._handler()
        if handler is None:
            log.info("modem=%s received %s (no handler; left on the modem)", self.name, received.hex)
            return False
        try:
            await handler(received)
        except Exception:
            log.exception("modem=%s handler failed; the PDU stays on the modem", self.name)
            return False
        return True


def _trailing_int(line: str) -> int | None:
    tail = line.rsplit(",", 1)[-1].split(":")[-1].strip()
    return int(tail) if tail.isdigit() else None


def _cpms_total(lines: tuple[str, ...]) -> int:
    for line in lines:
        with contextlib.suppress(ResponseParseError):
            usage = parse_cpms(line)
            if usage:
                return min(usage[0].total, 255)
    return 0
