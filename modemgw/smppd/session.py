"""One ESME's TCP connection: reads PDUs through the sans-IO `SmppSession`, answers binds,
submits, queries and keep-alives, and carries its key's receipts and received messages
when it is bound as a receiver.

Requests are handled concurrently up to the window; beyond it the connection stops
reading (TCP holds the rest back), so a fast ESME is slowed, not refused. A long
message's segments are held until the last one is in (requests.py says how they are
answered, each with its own id, `<message id>.<n>`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
from collections.abc import Callable

from ..core import Core, CoreError, Unauthenticated, core_error
from ..smpp import (INTERFACE_VERSION, Bind, BindReceiver, BindTransceiver, BindTransmitter, CommandStatus as S,
                    DeliverSm, DeliverSmResp, EnquireLink, EnquireLinkResp, GenericNack, LocalProtocolError, Pdu,
                    PduDecodeError, QuerySm, Refused, SmppSession, Tag, Tlv, Unbind, UnbindResp)
from ..smpp.codec import header
from ..smpp.concat import Assembler
from ..smpp.pdus import PDU_TYPES
from . import adapter
from .feed import Item
from .requests import Piece, answer, error
from .settings import SmppSettings

log = logging.getLogger("modemgw.smppd")

# What `modemgw keys create` derives (store/keys.py): anything else cannot be a system_id.
SYSTEM_ID = re.compile(r"mgw[0-9a-f]{12}")
_ids = itertools.count(1)


class Connection:
    def __init__(self, server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.core: Core = server.core
        self.settings: SmppSettings = server.settings
        self.clock: Callable[[], float] = server.clock
        self.reader, self.writer = reader, writer
        self.session = SmppSession(window=self.settings.window)
        self.id = next(_ids)
        self.key: dict | None = None
        self.closing = False
        self._closed = asyncio.Event()
        self._slots = asyncio.Semaphore(self.settings.window)
        self._tasks: set[asyncio.Task] = set()
        self._deliveries: dict[int, tuple[Item, float]] = {}    # our deliver_sm by sequence
        self._ping: float | None = None                         # when our enquire_link went out
        self.segments: Assembler[Piece] = Assembler(timeout=self.settings.segment_timeout,
                                                    limit=self.settings.max_segments)
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)

    # -- the read loop ------------------------------------------------------------------

    async def run(self) -> None:
        started = self.clock()
        log.info("smpp session=%d peer=%s connected", self.id, self.peer)
        try:
            while not self.closing:
                if self.session.state is Bind.OPEN:
                    wait = self.settings.bind_timeout - (self.clock() - started)
                else:
                    wait = self.settings.enquire_link
                try:
                    async with asyncio.timeout(max(0.01, wait)):
                        data = await self.reader.read(65536)
                except TimeoutError:
                    self._idle()
                    continue
                if not data:
                    break
                for event in self.session.receive_data(data):
                    await self._dispatch(event)
                    if self.closing:
                        break
                self._check_timeouts()
        except (ConnectionError, OSError):
            pass
        finally:
            await self._cleanup()

    def _idle(self) -> None:
        if self.session.state is Bind.OPEN:
            self.close("no bind within the bind timeout")
        elif self._ping is not None:
            self.close("no answer to enquire_link")
        elif self.session.can_request:
            self._ping = self.clock()
            self.write(self.session.request(EnquireLink)[1])
        self._check_timeouts()

    def _check_timeouts(self) -> None:
        now = self.clock()
        limit = self.settings.enquire_link
        if any(now - sent > limit for _, sent in self._deliveries.values()) or \
                (self._ping is not None and now - self._ping > limit):
            self.close("a request of ours went unanswered")
        for pieces in self.segments.expire(now):
            self._answer([error(p.pdu, S.ESME_RSUBMITFAIL) for p in pieces if not p.answered])

    async def _dispatch(self, event: Pdu | Refused) -> None:
        if isinstance(event, Refused):
            log.info("smpp session=%d refused: %s", self.id, event.reason)
            if event.reply:
                self.write(event.reply)
            if event.close:
                self.close("unreadable stream")
            return
        self.server.count("in", type(event).command_id, event.status)
        match event:
            case EnquireLink():
                self.write(self.session.send(EnquireLinkResp(sequence=event.sequence)))
            case EnquireLinkResp():
                self._ping = None
            case DeliverSmResp() | GenericNack():
                delivered = self._deliveries.pop(event.sequence, None)
                if delivered is not None and self.key is not None:
                    self.server.feed(self.key).acked(delivered[0], event.status)
            case BindTransmitter() | BindReceiver() | BindTransceiver():
                await self._bind(event)
            case Unbind():
                self.write(self.session.send(UnbindResp(sequence=event.sequence)))
                self.close("unbound by the ESME")
            case UnbindResp():
                self.close("unbound")
            case _:
                await self._slots.acquire()
                task = asyncio.create_task(self._handle(event))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    # -- binds ------------------------------------------------------------------------------

    async def _bind(self, pdu: BindTransmitter | BindReceiver | BindTransceiver) -> None:
        resp = PDU_TYPES[type(pdu).command_id.response]
        status, key = S.ESME_ROK, None
        if self.server.bound_sessions() >= self.settings.max_sessions:
            status = S.ESME_RBINDFAIL
        elif not SYSTEM_ID.fullmatch(pdu.system_id):
            status = S.ESME_RINVSYSID
        else:
            try:
                key = await self.core.authenticate_credential("smpp", pdu.system_id, pdu.password)
            except Unauthenticated:
                status = S.ESME_RINVPASWD
        if key is None:
            self.write(self.session.send(resp(sequence=pdu.sequence, status=status)))
            log.info("smpp session=%d peer=%s bind refused status=0x%02X system_id=%s", self.id, self.peer,
                     status, pdu.system_id[:16])
            self.close("bind refused")
            return
        await self.core.store.smpp_cursor(key["id"])     # from now on, nothing of this key's is lost
        tlvs = (Tlv(Tag.SC_INTERFACE_VERSION, bytes([INTERFACE_VERSION])),) \
            if pdu.interface_version >= INTERFACE_VERSION else ()
        self.write(self.session.send(resp(sequence=pdu.sequence, system_id=self.settings.system_id, tlvs=tlvs)))
        self.key = key
        log.info("smpp session=%d peer=%s key=%s bound as %s", self.id, self.peer, key["id"],
                 self.session.state.value)
        if self.session.state in (Bind.RX, Bind.TRX):
            self.server.feed(key).attach(self)

    # -- requests ---------------------------------------------------------------------------

    async def _handle(self, pdu: Pdu) -> None:
        try:
            try:
                assert self.key is not None
                await self.core.take(self.key)
                answers = await answer(self, pdu)
            except PduDecodeError as exc:
                answers = [error(pdu, exc.status)]
            except CoreError as exc:
                default = S.ESME_RQUERYFAIL if isinstance(pdu, QuerySm) else S.ESME_RSUBMITFAIL
                answers = [error(pdu, adapter.status(exc, default))]
            except Exception as exc:
                refused = core_error(exc)       # the database away: not a fault to trace
                if refused is None:
                    log.exception("smpp session=%d %s failed", self.id, type(pdu).__name__)
                else:
                    log.warning("smpp session=%d %s refused: %s", self.id, type(pdu).__name__, refused)
                answers = [error(pdu, S.ESME_RSYSERR)]
            self._answer(answers)
            with contextlib.suppress(ConnectionError):
                await self.writer.drain()
        finally:
            self._slots.release()

    # -- what this side sends --------------------------------------------------------------

    def deliver(self, item: Item) -> bool:
        """A receipt or received message for the ESME, if the window has room."""
        if self.closing or not self.session.can_request:
            return False
        try:
            pdu, data = self.session.request(DeliverSm, **item.fields)
        except LocalProtocolError:
            return False
        self._deliveries[pdu.sequence] = (item, self.clock())
        self.write(data)
        return True

    def write(self, data: bytes) -> None:
        """One PDU's bytes (every caller writes exactly one), counted for /metrics."""
        if not self.writer.is_closing():
            self.writer.write(data)
            _, command, status, _ = header(data)
            self.server.count("out", command, status)

    def _answer(self, answers: list[Pdu]) -> None:
        for reply in answers:
            try:
                self.write(self.session.send(reply))
            except LocalProtocolError:
                pass            # the session ended (unbind) while this request was handled

    def close(self, reason: str) -> None:
        if not self.closing:
            self.closing = True
            self._closed.set()
            log.info("smpp session=%d closing: %s", self.id, reason)
            self.writer.close()

    async def unbind(self, reason: str, wait: float = 1.0) -> None:
        """End the session from this side: unbind, and close after its answer (or `wait`)."""
        if self.session.state in (Bind.TX, Bind.RX, Bind.TRX) and self.session.can_request:
            self.write(self.session.request(Unbind)[1])
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._closed.wait()       # set when the unbind_resp comes
        self.close(reason)

    async def _cleanup(self) -> None:
        self.close("connection ended")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.key is not None:
            self.server.feed(self.key).detach(self, [item for item, _ in self._deliveries.values()])
        self._deliveries.clear()
        self.segments.drop()
        self.server.forget(self)
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()

