"""Received messages in: parts joined into inbound messages.

Every received PDU is committed before the handler returns (the modem may
delete it then). A multi-part message is stored once, when its last part
arrives or `reassembly_timeout` after its first (then marked incomplete). A
part received again (the SC re-delivers when its acknowledgement was lost) is
kept and never delivered twice. Parts not yet joined survive a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass

from ..modem import ReceivedPdu
from ..sms import Deliver, Duplicate, InboundMessage, Reassembler
from ..store import Store
from .kept import decode_kept

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Kept:
    """A received part's row: the reassembler carries it as the part's tag."""
    pdu_id: int
    modem: str


class Inbound:
    def __init__(self, store: Store, *, reassembly_timeout: float, on_change: Callable[[], None],
                 clock: Callable[[], float]) -> None:
        self.store = store
        self.on_change = on_change
        self.clock = clock
        self._reassembler = Reassembler(timeout=reassembly_timeout)
        self._lock = asyncio.Lock()

    async def on_received(self, received: ReceivedPdu) -> None:
        """Anything but a status report: returns once the PDU is committed."""
        message = received.message
        kind = ("deliver" if isinstance(message, Deliver) else
                "undecodable" if message is None else "submit")
        pdu_id = await self.store.store_received(received.modem, received.hex, received.length, kind,
                                                 received.error)
        if isinstance(message, Deliver):
            await self._reassemble(message, _Kept(pdu_id, received.modem))

    async def expire(self, now: float) -> None:
        """Messages whose parts stopped coming are stored as they are, incomplete."""
        async with self._lock:
            for message in self._reassembler.expire(now):
                await self._store_inbound(message)

    async def restore(self, elsewhere: Collection[str] = ()) -> None:
        """Parts received before a restart but not yet joined go back into the reassembler
        (but for those of the modems `elsewhere`: another live node's own)."""
        for row, part in decode_kept(await self.store.pending_received(), Deliver):
            if row["modem"] not in elsewhere:
                await self._reassemble(part, _Kept(row["id"], row["modem"]))

    async def _reassemble(self, part: Deliver, kept: _Kept) -> None:
        async with self._lock:
            added = self._reassembler.add(part, self.clock(), tag=kept)
            if isinstance(added, Duplicate):
                # Settled as it is: left unlinked, a restart would put it back into the
                # reassembler as the start of a new set, released later as a bogus partial.
                await self.store.received_duplicate(kept.pdu_id)
                log.info("modem=%s received a part again (pdu %d); kept, not delivered twice",
                         kept.modem, kept.pdu_id)
            elif added is not None:
                await self._store_inbound(added)

    async def _store_inbound(self, message: InboundMessage) -> None:
        kept: list[_Kept] = list(message.tags)
        sent_at = message.timestamp.timestamp() if message.timestamp else None
        inbound_id = await self.store.store_inbound(
            modem=kept[0].modem if kept else "?", from_number=message.originator, text=message.text,
            parts=message.total, complete=message.complete, sent_at=sent_at,
            pdu_ids=[k.pdu_id for k in kept])
        log.info("inbound=%s from=%s parts=%d complete=%s", inbound_id, message.originator,
                 message.total, message.complete)
        self.on_change()
