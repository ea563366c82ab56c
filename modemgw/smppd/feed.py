"""What each key's receivers are owed: delivery receipts and received messages, read from
the core's event log after a durable per-key cursor, sent as deliver_sm to the key's bound
receivers (round robin, within each session's window) and acknowledged by deliver_sm_resp.

The cursor only moves past an event once every earlier one is acknowledged (or owes
nothing), and is committed as it moves; so what was not acknowledged is sent again after a
reconnect or a restart, and nothing waits in memory alone while no receiver is bound. An
event may be delivered twice (acknowledged, then the process stopped before the cursor's
commit): at least once, as SMPP receivers expect.

An ESME_RX_P_APPN or ESME_RX_R_APPN answer settles the event (the ESME refuses it for
good); any other error status, a generic_nack, a lost session or a timeout sends it again,
after a pause that grows from 1 to 60 seconds while the errors go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..core import Core, CoreError
from ..smpp import CommandStatus, MessageState
from . import adapter

log = logging.getLogger("modemgw.smppd")

PAGE = 100
POLL = 1.0                      # s: changes made by another process (modemgw keys, a second server)
SAVE_LINGER = 0.05              # s a cursor's commit may wait to share an fsync
_SETTLED = (CommandStatus.ESME_RX_P_APPN, CommandStatus.ESME_RX_R_APPN)


@dataclass(frozen=True, slots=True)
class Item:
    cursor: int                 # the event's place in the log
    index: int                  # which of its deliver_sm (a long message's receipts: one per segment)
    fields: dict                # the deliver_sm's fields

    @property
    def key(self) -> tuple[int, int]:
        return self.cursor, self.index


class Receiver(Protocol):
    def deliver(self, item: Item) -> bool:
        """Send it if the session's window has room (False: try another, or later)."""


class Feed:
    """One key's: runs while at least one of its receivers is bound."""

    def __init__(self, core: Core, key: dict, *, clock: Callable[[], float]) -> None:
        self.core = core
        self.key = key
        self.clock = clock
        self.receivers: list[Receiver] = []
        self.wake = asyncio.Event()
        self._queue: deque[Item] = deque()          # read, not yet sent (or to be sent again)
        self._sent: dict[tuple[int, int], Item] = {}   # sent, awaiting deliver_sm_resp
        self._read = -1                             # the last event read
        self._saved = -1                            # the cursor as committed
        self._pause_until = 0.0
        self._backoff = 0.0
        self._task: asyncio.Task | None = None
        self._turn = 0

    # -- receivers come and go ------------------------------------------------------

    def attach(self, receiver: Receiver) -> None:
        self.receivers.append(receiver)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"smpp-feed-{self.key['id']}")
        self.wake.set()

    def detach(self, receiver: Receiver, unanswered: list[Item]) -> None:
        with contextlib.suppress(ValueError):
            self.receivers.remove(receiver)
        self.failed(unanswered, pause=False)

    def acked(self, item: Item, status: int) -> None:
        if item.key not in self._sent:
            return
        if status != CommandStatus.ESME_ROK and status not in _SETTLED:
            self.failed([item])
            return
        del self._sent[item.key]
        self._backoff = 0.0
        if status != CommandStatus.ESME_ROK:
            log.info("smpp key=%s event=%s refused for good by the ESME (status 0x%02X)",
                     self.key["id"], item.cursor, status)
        self.wake.set()

    def failed(self, items: list[Item], *, pause: bool = True) -> None:
        """Sent, and not acknowledged: to be sent again, in order, before anything newer."""
        for item in sorted(items, key=lambda i: i.key, reverse=True):
            if self._sent.pop(item.key, None) is not None:
                self._queue.appendleft(item)
        if pause and items:
            self._backoff = min(60.0, max(1.0, self._backoff * 2))
            self._pause_until = self.clock() + self._backoff
        self.wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._save()

    # -- the loop ---------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            if self._read < 0:
                self._read = self._saved = await self.core.store.smpp_cursor(self.key["id"])
            while self.receivers:
                self.wake.clear()
                if not self._queue and len(self._sent) < PAGE:
                    await self._fill()
                self._send()
                await self._save()
                timeout = POLL
                if self._queue and self.clock() < self._pause_until:
                    timeout = max(0.01, self._pause_until - self.clock())
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self.wake.wait()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("smpp key=%s: the delivery feed stopped", self.key["id"])
            self._task = None

    async def _fill(self) -> None:
        events = await self.core.store.list_events(after=self._read, limit=PAGE, api_key_id=self.key["id"])
        if not events:
            return
        ids = [e["message_id"] for e in events if e["message_id"] and e["type"] in adapter.RECEIPT_EVENTS]
        requested = await self.core.store.smpp_receipts(ids) if ids else {}
        for event in events:
            for index, fields in enumerate(await self._deliveries(event, requested)):
                self._queue.append(Item(event["cursor"], index, fields))
            self._read = event["cursor"]

    async def _deliveries(self, event: dict, requested: dict) -> list[dict]:
        kind = event["type"]
        if kind == "message.received":
            return [adapter.mobile_originated(json.loads(event["data"]))]
        wanted = requested.get(event["message_id"])
        if wanted is None or not adapter.wants(wanted["registered_delivery"], kind):
            return []
        try:
            row = await self.core.get(event["message_id"], key=self.key)
        except CoreError:
            return []
        final = adapter.FINAL_EVENTS.get(kind)
        state = adapter.STATES[final] if final else MessageState.ENROUTE
        base, segments = wanted["receipt_id"], wanted["segments"]
        ids = [base] if segments == 1 else [f"{base}.{k}" for k in range(1, segments + 1)]
        return [adapter.receipt(row, rid, state, event["at"], intermediate=final is None) for rid in ids]

    def _send(self) -> None:
        if self.clock() < self._pause_until:
            return
        while self._queue and self.receivers:
            for _ in range(len(self.receivers)):
                self._turn = (self._turn + 1) % len(self.receivers)
                item = self._queue[0]
                if self.receivers[self._turn].deliver(item):
                    self._queue.popleft()
                    self._sent[item.key] = item
                    break
            else:
                return                  # every window is full: an acknowledgement wakes us

    def _cursor(self) -> int:
        """The last event that owes nothing more."""
        waiting = [i.cursor for i in self._queue] + [cursor for cursor, _ in self._sent]
        return min(waiting) - 1 if waiting else self._read

    async def _save(self) -> None:
        cursor = self._cursor()
        if self._read >= 0 and cursor > self._saved:
            await self.core.store.save_smpp_cursor(self.key["id"], cursor, linger=SAVE_LINGER)
            self._saved = cursor
