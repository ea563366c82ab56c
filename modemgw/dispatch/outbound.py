"""Queued parts out through the modems: assignment and one worker per modem.

Each modem gets only a few parts ahead of the one it is sending; the parts of
one message all go through one modem; a worker submits in order, within its
modem's rate limit and daily cap. Every step is committed before the next one
starts: a part is marked `sending` before its PDU is written, so after a crash
it is known to be in doubt, never lost and never blindly sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ..modem import Modem, ModemState, ModemUnavailable, SendFailed, SendUnknown
from ..sms import EncodedPdu
from ..store import DuePart, ErrorCode, Store
from ..store.errors import StoreUnavailable
from .compose import with_report_request
from .limits import ModemLimits, Throttle
from .routing import Route, carriers, eligible, serves
from .settings import DispatchSettings

log = logging.getLogger(__name__)

PartKey = tuple[str, int]   # (message id, part seq)
T = TypeVar("T")


class _ModemSlot:
    def __init__(self, modem: Modem, limits: ModemLimits) -> None:
        self.modem = modem
        self.queue: asyncio.Queue[DuePart] = asyncio.Queue()
        self.throttle = Throttle(limits)
        self.failures = 0
        self.drained_until = 0.0
        self.task: asyncio.Task[None] | None = None
        # The part between mark_sending and its recorded outcome: it must not be
        # cancelled, and a status report that finds no part may be waiting for it.
        self.in_flight: PartKey | None = None

    @property
    def sending(self) -> bool:
        return self.in_flight is not None

    @property
    def load(self) -> int:
        return self.queue.qsize() + self.modem.in_flight


class Outbound:
    def __init__(self, store: Store, modems: list[Modem], *, routes: list[Route],
                 limits: dict[str, ModemLimits], settings: DispatchSettings,
                 on_change: Callable[[], None], notify: Callable[[], None],
                 clock: Callable[[], float]) -> None:
        self.store = store
        self.routes = routes
        self.settings = settings
        self.on_change = on_change
        self.notify = notify                 # asks for an assignment pass
        self.clock = clock
        self.slots = {m.name: _ModemSlot(m, limits.get(m.name, ModemLimits())) for m in modems}
        self.stopping = False
        self._assigned: set[PartKey] = set()
        self._pinned: dict[str, str] = {}    # message id -> modem, while parts are assigned
        self.due_vias: list[str] | None = None   # the pins the ready modems carry (assign)
        self._sent = asyncio.Condition()     # a part's outcome was recorded

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        for slot in self.slots.values():
            slot.modem.state_listeners.append(lambda _state: self.notify())
            slot.task = asyncio.create_task(self._worker(slot), name=f"dispatch-{slot.modem.name}")

    async def stop(self, grace: float) -> None:
        """Let parts being sent finish (up to `grace` seconds); idle workers stop at once."""
        self.stopping = True
        busy = [s.task for s in self.slots.values() if s.task is not None and s.sending]
        for slot in self.slots.values():
            if slot.task is not None and not slot.sending:
                slot.task.cancel()
        if busy:
            log.info("waiting up to %gs for %d part(s) being sent", grace, len(busy))
            await asyncio.wait(busy, timeout=grace)
        tasks = [s.task for s in self.slots.values() if s.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- what status reports wait on ---------------------------------------------

    def in_flight(self, modem: str) -> PartKey | None:
        slot = self.slots.get(modem)
        return slot.in_flight if slot is not None else None

    async def recorded(self, modem: str, part: PartKey) -> None:
        """Returns once `part` is no longer being sent on `modem` (its outcome is recorded)."""
        slot = self.slots[modem]
        async with self._sent:
            await self._sent.wait_for(lambda: slot.in_flight != part)

    # -- assigning ---------------------------------------------------------------

    def _ready(self, now: float) -> list[str]:
        return [name for name, s in self.slots.items()
                if s.modem.state == ModemState.READY and s.drained_until <= now
                and not s.throttle.capped(now)]

    async def assign(self, now: float) -> bool:
        """Hand due parts to modems with room; False when none had any."""
        # Each modem gets only a few parts ahead: the rest stay in the database,
        # free to go to whichever modem is ready first.
        room = {}
        ready = self._ready(now)
        # Each modem's SIM, as read when it became ready: a message pinned to a SIM waits
        # for the modem that holds it (routing.py).
        sims = {n: s.modem.info.iccid for n, s in self.slots.items()}
        # What the modems that can send today carry: the next due time the dispatcher
        # sleeps by leaves out parts pinned to one that cannot (away, capped).
        self.due_vias = serves(self.settings.node, {n: sims[n] for n in ready})
        for n in ready:
            slot = self.slots[n]
            # queue_depth counts the parts ahead of the one being submitted: a pass that
            # runs during a submission (as the one a worker asked for usually does) fills
            # the queue as one that runs between two, so a busy modem needs a pass every
            # queue_depth // 2 + 1 parts, not one every other part.
            room[n] = self.settings.queue_depth - slot.queue.qsize()
            left = slot.throttle.remaining(now)
            if left is not None:
                # Never more handed to a modem than its daily cap still allows.
                room[n] = min(room[n], left - slot.queue.qsize() - int(slot.sending))
        total = sum(r for r in room.values() if r > 0)
        if total <= 0:
            return False
        unplaced = []
        # Only what a modem with room can take: parts pinned or tied to one without room
        # are left in the queue, where they would otherwise fill every claim ahead of
        # the parts others could send.
        open_ = {n: sims[n] for n, r in room.items() if r > 0}
        for part in await self.store.claim_due(now, limit=4 * total + len(self._assigned),
                                               modems=list(open_), vias=serves(self.settings.node, open_)):
            key = (part.message_id, part.seq)
            if key in self._assigned:
                continue
            unplaced.append(key)
            pinned = self._pinned.get(part.message_id) or part.modem
            if pinned is not None:
                # Parts of one message go through one modem (the handset joins
                # them by sender number). Wait for it if it is not ready, or if it no
                # longer carries the message's pin (its SIM was changed).
                if room.get(pinned, 0) <= 0 or pinned not in carriers(part.via, open_):
                    continue
                name = pinned
            else:
                allowed = carriers(part.via, open_)
                choices = [n for n in eligible(allowed, self.routes, part.to, part.sender) if room[n] > 0]
                if not choices:
                    continue
                name = min(choices, key=lambda n: (self.slots[n].load, self.slots[n].throttle.sent_today))
            room[name] -= 1
            unplaced.pop()
            self._assigned.add(key)
            self._pinned[part.message_id] = name
            self.slots[name].queue.put_nowait(part)
        if unplaced:
            # Claimed (with several nodes) but no room here: for other nodes to take now.
            await self.store.release_claims(unplaced)
        return True

    # -- sending -----------------------------------------------------------------

    async def _worker(self, slot: _ModemSlot) -> None:
        while not self.stopping:
            part: DuePart | None = await slot.queue.get()
            if self.stopping:
                return
            marked = False
            # While the modem's queue holds more, each outcome is committed together
            # with marking the next part `sending`: one commit per part.
            while part is not None:
                following = None
                try:
                    following = await self._send(slot, part, marked)
                except Exception:
                    log.exception("message=%s part=%d modem=%s send step failed", part.message_id,
                                  part.seq, slot.modem.name)
                finally:
                    await self._finished(slot, part, following)
                part, marked = following, True

    async def _finished(self, slot: _ModemSlot, part: DuePart, following: DuePart | None) -> None:
        key = (part.message_id, part.seq)
        if slot.in_flight == key:
            slot.in_flight = None           # its outcome could not be recorded
        async with self._sent:
            self._sent.notify_all()
        self._assigned.discard(key)
        if not any(mid == part.message_id for mid, _ in self._assigned):
            self._pinned.pop(part.message_id, None)
        # A pass refills the queue; one per part would be mostly empty work.
        if following is None or slot.queue.qsize() < self.settings.queue_depth // 2:
            self.notify()

    def _take_following(self, slot: _ModemSlot) -> DuePart | None:
        """The modem's next part, if it may be submitted right away."""
        now = self.clock()
        if self.stopping or slot.queue.empty() or slot.modem.state != ModemState.READY \
                or slot.throttle.wait(now) > 0 or slot.throttle.capped(now):
            return None
        return slot.queue.get_nowait()

    async def _send(self, slot: _ModemSlot, part: DuePart, marked: bool) -> DuePart | None:
        """Submit one part and record the outcome; returns the next part when it was
        marked `sending` in the same commit (the caller submits it next)."""
        name = slot.modem.name
        key = (part.message_id, part.seq)
        if not marked:
            wait = slot.throttle.wait(self.clock())
            if wait:
                await asyncio.sleep(wait)
            if slot.modem.state != ModemState.READY:
                await self.store.mark_retry(part.message_id, part.seq, self.clock(),
                                            f"modem {name} not ready", release_modem=True)
                return None
            if slot.throttle.capped(self.clock()):
                return None                 # the daily cap was reached meanwhile: stays queued
            slot.in_flight = key
            if not await self.store.mark_sending(part.message_id, part.seq, name):
                return None                 # failed or expired while it waited in the queue
        slot.in_flight = key
        following = None
        # The modem's [[modem]] status_reports (else [sending]'s) decides TP-SRR.
        asks = self.settings.requests_reports(name)
        try:
            pdu = with_report_request(part.pdu, asks)
            mr = await slot.modem.send(EncodedPdu(pdu, part.tpdu_length))
        except SendUnknown as exc:
            slot.throttle.record(self.clock())
            await self._record(lambda: self.store.mark_sent(part.message_id, part.seq, None, unknown=True,
                                                            error=str(exc), report_requested=asks))
            log.warning("message=%s part=%d modem=%s outcome unknown: %s", part.message_id, part.seq,
                        name, exc)
        except ModemUnavailable as exc:
            # Nothing was written: back to the queue; another modem may take it.
            await self._record(lambda: self.store.mark_retry(part.message_id, part.seq, self.clock(), str(exc),
                                                             release_modem=True))
        except SendFailed as exc:
            slot.throttle.record(self.clock(), counted=False)
            await self._failed(slot, part, exc)
        else:
            slot.throttle.record(self.clock())
            slot.failures = 0
            following = self._take_following(slot)
            nxt = (following.message_id, following.seq, name) if following is not None else None
            marked_next = False
            try:
                marked_next = await self._record(lambda: self.store.mark_sent(
                    part.message_id, part.seq, mr, next_sending=nxt, report_requested=asks))
            finally:
                if following is not None and not marked_next:
                    # Not marked (no longer queued, or the commit failed): not sent now;
                    # if still queued, the dispatcher hands it out again.
                    self._assigned.discard((following.message_id, following.seq))
                    following = None
            log.info("message=%s part=%d/%d modem=%s sent mr=%d", part.message_id, part.seq,
                     part.total, name, mr)
        slot.in_flight = None if following is None else (following.message_id, following.seq)
        self.on_change()
        return following

    async def _record(self, write: Callable[[], Awaitable[T]]) -> T:
        """A part's outcome once its PDU was written, written until the database takes it:
        only this node knows whether the part reached the network, and its modem sends
        nothing else meanwhile (a status report for it waits too). Given up only as the
        node stops: the part stays `sending`, and the next start calls it unknown."""
        delay = 0.5
        while True:
            try:
                return await write()
            except StoreUnavailable as exc:
                if self.stopping:
                    raise
                log.warning("database unreachable, a part's outcome is kept until it answers: %s", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _failed(self, slot: _ModemSlot, part: DuePart, exc: SendFailed) -> None:
        name = slot.modem.name
        attempts = part.attempts + 1
        if exc.permanent or self.settings.retry.exhausted(attempts):
            reason = str(exc) if exc.permanent else f"gave up after {attempts} attempts: {exc}"
            code = ErrorCode.NETWORK_REJECTED if exc.permanent else ErrorCode.RETRIES_EXHAUSTED
            detail = exc.code if isinstance(exc.code, int) else None
            await self._record(lambda: self.store.mark_failed(part.message_id, part.seq, reason, code=code,
                                                              detail=detail))
            log.warning("message=%s part=%d modem=%s failed: %s", part.message_id, part.seq, name, reason)
            return
        slot.failures += 1
        if slot.failures >= self.settings.drain_after:
            slot.drained_until = self.clock() + self.settings.drain_for
            log.warning("modem=%s drained for %gs after %d failures in a row", name,
                        self.settings.drain_for, slot.failures)
            slot.failures = 0
        retry_at = self.clock() + self.settings.retry.delay(attempts)
        await self._record(lambda: self.store.mark_retry(part.message_id, part.seq, retry_at, str(exc),
                                                         release_modem=True))
        log.info("message=%s part=%d modem=%s temporary error, retry in %.0fs: %s", part.message_id,
                 part.seq, name, retry_at - self.clock(), exc)
