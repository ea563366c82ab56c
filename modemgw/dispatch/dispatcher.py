"""The dispatcher: queued parts out through the modems, status reports back in.

One loop assigns due parts to modems; one worker per modem submits them in
order, respecting that modem's rate limit and daily cap. Every step is
committed before the next one starts: a part is marked `sending` before
its PDU is written, so after a crash it is known to be in doubt, never lost
and never blindly sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..modem import Modem, ModemState, ModemUnavailable, ReceivedPdu, SendFailed, SendUnknown
from ..sms import (Deliver, Duplicate, EncodedPdu, InboundMessage, Outcome, PduError, Reassembler,
                   StatusReport, decode_pdu)
from ..store import DuePart, ErrorCode, ReportUpdate, Store
from ..store.days import day_of
from . import matching
from .limits import ModemLimits, Throttle
from .retry import RetryPolicy
from .routing import Route, eligible

log = logging.getLogger(__name__)

EXPIRED_STATUS = 0x46  # TP-ST "SM validity period expired"
REPORT_RACE_WAIT = 3.0  # seconds a report may wait for its part's +CMGS answer to be recorded


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    retry: RetryPolicy = RetryPolicy()
    report_window: float = 7 * 86400       # how far back a status report may match
    unknown_window: float = 600.0          # wait this long for a report before applying the policy
    unreported_interval: float = 60.0      # how often to look for sent parts past the report window
    drain_after: int = 5                   # consecutive failures that take a modem out of rotation
    drain_for: float = 300.0
    reassembly_timeout: float = 3600.0
    idle_wakeup: float = 5.0               # upper bound on sleeping, for expiry and housekeeping
    queue_depth: int = 4                   # parts handed to a modem ahead of its current one
    housekeeping_interval: float = 1.0     # expiry, unknown outcomes, partial inbound messages


@dataclass(frozen=True, slots=True)
class _Kept:
    """A received part's row: the reassembler carries it as the part's tag."""
    pdu_id: int
    modem: str


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
        self.in_flight: tuple[str, int] | None = None

    @property
    def sending(self) -> bool:
        return self.in_flight is not None

    @property
    def load(self) -> int:
        return self.queue.qsize() + self.modem.in_flight


class Dispatcher:
    def __init__(self, store: Store, modems: list[Modem], *, routes: list[Route] | None = None,
                 limits: dict[str, ModemLimits] | None = None,
                 settings: DispatchSettings = DispatchSettings(),
                 on_change: Callable[[], None] = lambda: None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.routes = routes or []
        self.settings = settings
        self.on_change = on_change
        self.clock = clock
        self.slots = {m.name: _ModemSlot(m, (limits or {}).get(m.name, ModemLimits())) for m in modems}
        self._assigned: set[tuple[str, int]] = set()
        self._pinned: dict[str, str] = {}    # message id -> modem, while parts are assigned
        self._wake = asyncio.Event()
        self.passes = 0                      # assignment passes done (observable in tests)
        self._stopping = False
        self._last_housekeeping: float | None = None
        self._last_unreported: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._reassembler = Reassembler(timeout=settings.reassembly_timeout)
        self._receive_lock = asyncio.Lock()
        self._sent = asyncio.Condition()     # a part's outcome was recorded
        self._late: dict[str, int] = {}      # modem -> reports kept, waiting to be applied
        self._late_lock: dict[str, asyncio.Lock] = {}
        self._late_tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        reconciled = await self.store.reconcile_in_flight()
        if reconciled:
            log.warning("parts_in_doubt=%d (the gateway stopped while sending; now 'unknown')", reconciled)
        await self._restore_reassembly()
        await self._restore_reports()
        now = self.clock()
        for name, count in (await self.store.sent_today(now)).items():
            if name in self.slots:
                # A daily cap holds across restarts: what went out today still counts.
                self.slots[name].throttle.restore(count, now)
        for slot in self.slots.values():
            slot.modem.state_listeners.append(lambda _state: self.notify())
            slot.task = asyncio.create_task(self._worker(slot), name=f"dispatch-{slot.modem.name}")
        self._task = asyncio.create_task(self._loop(), name="dispatcher")

    async def stop(self, grace: float = 20.0) -> None:
        """Stop assigning; let parts being sent finish (up to `grace` seconds), hand the rest back.

        Parts waiting in a modem's queue are still `queued` in the database, so
        they are simply sent after the next start.
        """
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
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
        # Reports waiting for a part that is now recorded apply at once; any still
        # waiting stay kept and are applied at the next start.
        late = set(self._late_tasks)
        if late:
            await asyncio.wait(late, timeout=REPORT_RACE_WAIT)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    def notify(self) -> None:
        """New work: a message was accepted, a modem came back."""
        self._wake.set()

    # -- assigning ---------------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            now = self.clock()
            had_room = False
            try:
                await self._housekeeping(now)
                had_room = await self._assign(now)
            except Exception:
                log.exception("dispatcher pass failed; trying again")
            self.passes += 1
            delay = self.settings.idle_wakeup
            # With every modem full (or away) the next due time does not matter: a
            # worker finishing or a modem coming back wakes the loop.
            nxt = await self.store.next_due_time() if had_room else None
            if nxt is not None and nxt > self.clock():
                delay = min(delay, nxt - self.clock())
            # Due parts that could not be placed wait for a wake-up: a worker
            # finishing a part or a modem changing state calls notify().
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow
            # a cancellation that arrives just as the event is set.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(delay, 0.01)):
                    await self._wake.wait()

    async def _housekeeping(self, now: float) -> None:
        # Expiry and the unknown-outcome policy are not urgent to the millisecond;
        # checking them on every pass (one per accepted request) costs more than it buys.
        if self._last_housekeeping is not None and \
                0 <= now - self._last_housekeeping < self.settings.housekeeping_interval:
            return
        self._last_housekeeping = now
        if await self.store.expire_due(now):
            self.on_change()
        await self._settle_unknown(now)
        if self._last_unreported is None or not 0 <= now - self._last_unreported < \
                self.settings.unreported_interval:
            self._last_unreported = now
            if await self.store.expire_unreported(now - self.settings.report_window):
                self.on_change()
        async with self._receive_lock:
            for message in self._reassembler.expire(now):
                await self._store_inbound(message)

    async def _settle_unknown(self, now: float) -> None:
        """Parts whose submission had no answer end in a final state: queued again when the
        modem shows they never left it, else after `unknown_window` by the message's policy."""
        window = self.settings.unknown_window
        for part in await self.store.unknown_parts():
            mid, seq = part["message_id"], part["seq"]
            if part["mr"] is None and await self._never_left(part):
                if await self.store.requeue_unsent(mid, seq, "not sent: the modem's next message "
                                                             "reference shows it never left; queued again"):
                    log.info("message=%s part=%d modem=%s outcome was unknown; the SIM's message "
                             "reference shows it never left: queued again", mid, seq, part["modem"])
                    self.on_change()
                continue
            if part["submitted_at"] is None or part["submitted_at"] > now - window:
                continue
            resend = part["policy"] == "at_least_once" and part["resent"] == 0
            if resend:
                reason = (f"sent again: no answer from the modem and no status report within "
                          f"{window:g} s (delivery_policy at_least_once)")
            elif part["policy"] == "at_least_once":
                reason = (f"delivery unconfirmed: sent twice, no status report within {window:g} s "
                          f"(delivery_policy at_least_once)")
            else:
                reason = (f"delivery unconfirmed: no answer from the modem after the part was written "
                          f"and no status report within {window:g} s; not sent again "
                          f"(delivery_policy at_most_once)")
            await self.store.resolve_unknown(mid, seq, resend=resend, reason=reason)
            log.warning("message=%s part=%d %s", mid, seq, reason)
            self.on_change()

    async def _never_left(self, part: dict) -> bool:
        """Does the modem show that this part in doubt took no message reference?

        A modem that keeps TP-MR on the SIM (EF_SMSS, confirmed by the driver in this
        session) numbers its submissions one after another, also across a reboot. When
        the submission just after the part got the MR right after the one just before
        it, the part in between took none: it never reached the network. (A refused
        submission between them is not in this sequence; it could only make the gap
        larger, which proves nothing, so the error can only be to keep waiting.)"""
        slot = self.slots.get(part["modem"]) if part["modem"] else None
        if slot is None or getattr(slot.modem, "sim_reference_tracks", None) is not True \
                or part["submitted_at"] is None:
            return False
        before, after = await self.store.submitted_around(part["modem"], part["submitted_at"])
        return (before is not None and after is not None and before["mr"] is not None
                and after["mr"] is not None and after["mr"] == (before["mr"] + 1) % 256)

    def _ready(self, now: float) -> list[str]:
        return [name for name, s in self.slots.items()
                if s.modem.state == ModemState.READY and s.drained_until <= now
                and not s.throttle.capped(now)]

    async def _assign(self, now: float) -> bool:
        """Hand due parts to modems with room; False when none had any."""
        # Each modem gets only a few parts ahead: the rest stay in the database,
        # free to go to whichever modem is ready first.
        room = {}
        for n in self._ready(now):
            slot = self.slots[n]
            room[n] = self.settings.queue_depth - slot.load
            left = slot.throttle.remaining(now)
            if left is not None:
                # Never more handed to a modem than its daily cap still allows.
                room[n] = min(room[n], left - slot.queue.qsize() - int(slot.sending))
        total = sum(r for r in room.values() if r > 0)
        if total <= 0:
            return False
        for part in await self.store.due_parts(now, limit=4 * total + len(self._assigned)):
            key = (part.message_id, part.seq)
            if key in self._assigned:
                continue
            pinned = self._pinned.get(part.message_id) or part.modem
            if pinned is not None:
                # Parts of one message go through one modem (the handset joins
                # them by sender number). Wait for it if it is not ready.
                if room.get(pinned, 0) <= 0:
                    continue
                name = pinned
            else:
                choices = [n for n in eligible(list(room), self.routes, part.to, part.sender)
                           if room[n] > 0]
                if not choices:
                    continue
                name = min(choices, key=lambda n: (self.slots[n].load, self.slots[n].throttle.sent_today))
            room[name] -= 1
            self._assigned.add(key)
            self._pinned[part.message_id] = name
            self.slots[name].queue.put_nowait(part)
        return True

    # -- sending -----------------------------------------------------------------

    async def _worker(self, slot: _ModemSlot) -> None:
        while not self._stopping:
            part: DuePart | None = await slot.queue.get()
            if self._stopping:
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
        if self._stopping or slot.queue.empty() or slot.modem.state != ModemState.READY \
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
        try:
            mr = await slot.modem.send(EncodedPdu(part.pdu, part.tpdu_length))
        except SendUnknown as exc:
            slot.throttle.record(self.clock())
            await self.store.mark_sent(part.message_id, part.seq, None, unknown=True, error=str(exc))
            log.warning("message=%s part=%d modem=%s outcome unknown: %s", part.message_id, part.seq,
                        name, exc)
        except ModemUnavailable as exc:
            # Nothing was written: back to the queue; another modem may take it.
            await self.store.mark_retry(part.message_id, part.seq, self.clock(), str(exc),
                                        release_modem=True)
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
                marked_next = await self.store.mark_sent(part.message_id, part.seq, mr, next_sending=nxt)
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

    async def _failed(self, slot: _ModemSlot, part: DuePart, exc: SendFailed) -> None:
        name = slot.modem.name
        attempts = part.attempts + 1
        if exc.permanent or self.settings.retry.exhausted(attempts):
            reason = str(exc) if exc.permanent else f"gave up after {attempts} attempts: {exc}"
            code = ErrorCode.NETWORK_REJECTED if exc.permanent else ErrorCode.RETRIES_EXHAUSTED
            await self.store.mark_failed(part.message_id, part.seq, reason, code=code,
                                         detail=exc.code if isinstance(exc.code, int) else None)
            log.warning("message=%s part=%d modem=%s failed: %s", part.message_id, part.seq, name, reason)
            return
        slot.failures += 1
        if slot.failures >= self.settings.drain_after:
            slot.drained_until = self.clock() + self.settings.drain_for
            log.warning("modem=%s drained for %gs after %d failures in a row", name,
                        self.settings.drain_for, slot.failures)
            slot.failures = 0
        retry_at = self.clock() + self.settings.retry.delay(attempts)
        await self.store.mark_retry(part.message_id, part.seq, retry_at, str(exc), release_modem=True)
        log.info("message=%s part=%d modem=%s temporary error, retry in %.0fs: %s", part.message_id,
                 part.seq, name, retry_at - self.clock(), exc)

    # -- receiving ---------------------------------------------------------------

    async def on_received(self, received: ReceivedPdu) -> None:
        """The modems' handler: returns once the PDU is committed (then it may be deleted)."""
        message = received.message
        if isinstance(message, StatusReport):
            # Kept and, in the usual case, applied in the same commit. Behind a report
            # still waiting to be applied, it is only kept, and applied after that one.
            modem, slot = received.modem, self.slots.get(received.modem)
            behind = self._late.get(modem, 0) > 0
            pdu_id, match = await self.store.store_report(
                modem, received.hex, received.length, mr=message.message_reference,
                since=self.clock() - self.settings.report_window, update=_update_of(message),
                choose=lambda candidates: None if behind else self._choose(candidates, message))
            if match is not None:
                self._reported(modem, message, match)
                return
            # Committed, so the modem may be told now (it routes nothing else until then);
            # applying it may wait for the part being sent on this modem, whose +CMGS
            # answer a fast report can overtake.
            self._late[modem] = self._late.get(modem, 0) + 1
            task = asyncio.create_task(self._report_later(
                modem, message, pdu_id, slot.in_flight if slot is not None else None))
            self._late_tasks.add(task)
            task.add_done_callback(self._late_tasks.discard)
            return
        kind = ("deliver" if isinstance(message, Deliver) else
                "undecodable" if message is None else "submit")
        pdu_id = await self.store.store_received(received.modem, received.hex, received.length, kind,
                                                 received.error)
        if isinstance(message, Deliver):
            await self._reassemble(message, _Kept(pdu_id, received.modem))

    async def _reassemble(self, part: Deliver, kept: _Kept) -> None:
        async with self._receive_lock:
            added = self._reassembler.add(part, self.clock(), tag=kept)
            if isinstance(added, Duplicate):
                # Settled as it is: left unlinked, a restart would put it back into the
                # reassembler as the start of a new set, released later as a bogus partial.
                await self.store.received_duplicate(kept.pdu_id)
                log.info("modem=%s received a part again (pdu %d); kept, not delivered twice",
                         kept.modem, kept.pdu_id)
            elif added is not None:
                await self._store_inbound(added)

    @staticmethod
    def _choose(candidates: list[dict], report: StatusReport) -> dict | None:
        reported_at = report.timestamp.timestamp() if report.timestamp else None
        return matching.choose(candidates, report.recipient.number, reported_at)

    async def _report_later(self, modem: str, report: StatusReport, pdu_id: int,
                            waiting_for: tuple[str, int] | None) -> None:
        """A kept report that found no part, applied in arrival order once the part that
        was being sent when it came (`waiting_for`) is recorded. Cancelled by a stop, it
        stays kept and is applied at the next start."""
        try:
            async with self._late_lock.setdefault(modem, asyncio.Lock()):
                slot = self.slots.get(modem)
                if slot is not None and waiting_for is not None:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(REPORT_RACE_WAIT):
                            async with self._sent:
                                await self._sent.wait_for(lambda: slot.in_flight != waiting_for)
                await self._apply_kept(modem, report, pdu_id)
        except Exception:
            log.exception("modem=%s status report mr=%d not applied; kept for the next start",
                          modem, report.message_reference)
        finally:
            self._late[modem] -= 1

    async def _apply_kept(self, modem: str, report: StatusReport, pdu_id: int) -> None:
        """Apply a report already in received_pdus (after a wait, or kept before a crash)."""
        candidates = await self.store.report_candidates(modem, report.message_reference,
                                                        self.clock() - self.settings.report_window)
        match = self._choose(candidates, report)
        if match is None:
            log.warning("modem=%s status report mr=%d to=%s matches no sent part", modem,
                        report.message_reference, report.recipient.number)
            await self.store.report_handled(pdu_id)
            return
        u = _update_of(report)
        await self.store.apply_report(match["message_id"], match["seq"], part_status=u.part_status,
                                      report_status=u.report_status, reason=u.reason, at=u.at,
                                      pdu=u.pdu, pdu_id=pdu_id)
        self._reported(modem, report, match)

    def _reported(self, modem: str, report: StatusReport, match: dict) -> None:
        log.info("message=%s part=%d modem=%s report %s (0x%02X %s)", match["message_id"], match["seq"],
                 modem, report.outcome.value, report.status, report.reason)
        self.on_change()

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

    async def _restore_reports(self) -> None:
        """Reports kept before a crash but not applied: apply them now (the modem was
        already told they were received, so nobody else will)."""
        for row in await self.store.pending_reports():
            try:
                report = decode_pdu(row["pdu"], row["length"])
            except PduError:
                continue
            if isinstance(report, StatusReport):
                await self._apply_kept(row["modem"], report, row["id"])

    async def _restore_reassembly(self) -> None:
        """Parts received before a restart but not yet joined go back into the reassembler."""
        for row in await self.store.pending_received():
            try:
                message = decode_pdu(row["pdu"], row["length"])
            except PduError:
                continue
            if isinstance(message, Deliver):
                await self._reassemble(message, _Kept(row["id"], row["modem"]))

    # -- for the API -----------------------------------------------------------

    def capacity(self) -> int | None:
        """Parts the modems may still send today under their daily caps; None when a modem
        that is not offline for good has no cap."""
        now = self.clock()
        left = 0
        for slot in self.slots.values():
            if slot.modem.state == ModemState.FAILED:
                continue
            remaining = slot.throttle.remaining(now)
            if remaining is None:
                return None
            left += remaining
        return left

    def modems(self) -> list[dict]:
        now = self.clock()
        out = []
        for name, slot in self.slots.items():
            m = slot.modem
            info = m.info
            out.append({
                "name": name, "state": m.state.value, "error": m.last_error,
                "drained": slot.drained_until > now, "queued": slot.queue.qsize(),
                "manufacturer": info.manufacturer, "model": info.model, "imei": info.imei,
                "operator": info.operator, "signal_rssi": info.rssi, "signal_dbm": info.signal_dbm,
                "registration": info.registration, "sent_today": slot.throttle.sent_today,
                "counters": {"sent": m.counters.sent, "failed": m.counters.failed,
                             "unknown": m.counters.unknown, "received": m.counters.received,
                             "reports": m.counters.reports, "recoveries": m.counters.recoveries},
            })
        return out


_PART_STATUS = {Outcome.DELIVERED: "delivered", Outcome.PENDING: "sent",
                Outcome.FAILED_PERMANENT: "failed", Outcome.FAILED_TEMPORARY: "failed"}


def _update_of(report: StatusReport) -> ReportUpdate:
    """What a status report does to the part it belongs to."""
    status = "expired" if report.status == EXPIRED_STATUS else _PART_STATUS[report.outcome]
    at = report.discharge_time.timestamp() if report.discharge_time else None
    submitted = report.timestamp.timestamp() if report.timestamp else None
    return ReportUpdate(status, report.status, report.reason, at,
                        {"mr": report.message_reference, "recipient": report.recipient.number},
                        submitted)
