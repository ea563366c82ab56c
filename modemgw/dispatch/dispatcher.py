"""The dispatcher: queued parts out through the modems, status reports and messages back in.

It composes the parts that do the work (`outbound`, `reports`, `inbound`,
`settling`) and owns their lifecycle: restart recovery before anything is
sent, one loop that assigns due parts and runs housekeeping, and a stop that
lets parts being sent finish and leaves everything else queued or kept in the
database for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from ..modem import Modem, ModemState, ReceivedPdu
from ..sms import StatusReport
from ..store import Store
from ..store.errors import StoreUnavailable
from .inbound import Inbound
from .limits import ModemLimits
from .outbound import Outbound
from .reports import Reports
from .routing import Route
from .settings import DispatchSettings
from .settling import Settling
from .spool import Spool

__all__ = ["DispatchSettings", "Dispatcher"]

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, store: Store, modems: list[Modem], *, routes: list[Route] | None = None,
                 limits: dict[str, ModemLimits] | None = None,
                 settings: DispatchSettings = DispatchSettings(),
                 on_change: Callable[[], None] = lambda: None,
                 clock: Callable[[], float] = time.time, spool: Spool | None = None) -> None:
        self.store = store
        self.spool = spool              # what arrives while the database is away (spool.py)
        self.settings = settings
        self.on_change = on_change
        self.clock = clock
        # The parts read the time through this dispatcher, so that replacing its
        # `clock` (as tests do to move past a window) reaches all of them.
        now = self._now
        self.outbound = Outbound(store, modems, routes=routes or [], limits=limits or {},
                                 settings=settings, on_change=on_change, notify=self.notify, clock=now)
        self.slots = self.outbound.slots
        self.reports = Reports(store, self.outbound, report_window=settings.report_window,
                               on_change=on_change, clock=now)
        self.inbound = Inbound(store, reassembly_timeout=settings.reassembly_timeout,
                               on_change=on_change, clock=now)
        self.settling = Settling(store, {m.name: m for m in modems}, settings=settings,
                                 on_change=on_change)
        self._wake = asyncio.Event()
        self.passes = 0                      # assignment passes done (observable in tests)
        self._stopping = False
        self._last_housekeeping: float | None = None
        self._last_unreported: float | None = None
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        reconciled = await self.store.reconcile_in_flight()
        if reconciled:
            log.warning("parts_in_doubt=%d (the gateway stopped while sending; now 'unknown')", reconciled)
        # What this node's modems (or a stopped node's) received before a stop; another
        # live node applies its own.
        elsewhere = await self.store.modems_elsewhere()
        await self.inbound.restore(elsewhere)
        await self.reports.restore(elsewhere)
        now = self.clock()
        for name, count in (await self.store.sent_today(now)).items():
            if name in self.slots:
                # A daily cap holds across restarts: what went out today still counts.
                self.slots[name].throttle.restore(count, now)
        self.outbound.start()
        self._task = asyncio.create_task(self._loop(), name="dispatcher")

    async def stop(self, grace: float = 20.0) -> None:
        """Stop assigning; let parts being sent finish (up to `grace` seconds), hand the rest back.

        Parts waiting in a modem's queue are still `queued` in the database, so
        they are simply sent after the next start.
        """
        self._stopping = True
        # Workers take no next part from here on, while the loop is being cancelled.
        self.outbound.stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.outbound.stop(grace)
        await self.reports.stop()

    def _now(self) -> float:
        return self.clock()

    def notify(self) -> None:
        """New work: a message was accepted, a modem came back."""
        self._wake.set()

    async def on_received(self, received: ReceivedPdu) -> None:
        """The modems' handler: returns once the PDU is committed (then it may be deleted),
        to the database or, while that cannot be reached, to the spool."""
        try:
            await self._take(received)
        except StoreUnavailable:
            if self.spool is None:
                raise
            self.spool.keep(received)
            log.warning("modem=%s database unreachable: received PDU kept in the spool (%d waiting)",
                        received.modem, self.spool.waiting)

    async def _take(self, received: ReceivedPdu) -> None:
        if isinstance(received.message, StatusReport):
            await self.reports.on_received(received, received.message)
        else:
            await self.inbound.on_received(received)

    # -- the loop ----------------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            now = self.clock()
            nxt = None
            try:
                await self._hand_over_spool()
                await self.reports.apply_unapplied()
                await self._housekeeping(now)
                # With every modem full (or away) the next due time does not matter: a
                # worker finishing or a modem coming back wakes the loop.
                if await self.outbound.assign(now):
                    nxt = await self.store.next_due_time(vias=self.outbound.due_vias)
            except StoreUnavailable as exc:
                log.warning("dispatcher pass: database unreachable (%s); trying again", exc)
            except Exception:
                log.exception("dispatcher pass failed; trying again")
            self.passes += 1
            delay = self.settings.idle_wakeup
            if nxt is not None and nxt > self.clock():
                delay = min(delay, nxt - self.clock())
            # Due parts that could not be placed wait for a wake-up: a worker
            # finishing a part or a modem changing state calls notify().
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow
            # a cancellation that arrives just as the event is set.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(delay, 0.01)):
                    await self._wake.wait()

    async def _hand_over_spool(self) -> None:
        """What the spool kept, to the database now that it answers (oldest first)."""
        while self.spool is not None and self.spool.waiting:
            kept = self.spool.kept()
            if not kept:
                self.spool.waiting = 0
                return
            for row_id, received in kept:
                await self._take(received)
                self.spool.handed_over(row_id)
            log.info("spooled PDUs handed over to the database (%d left)", self.spool.waiting)

    async def _housekeeping(self, now: float) -> None:
        # Expiry and the unknown-outcome policy are not urgent to the millisecond;
        # checking them on every pass (one per accepted request) costs more than it buys.
        if self._last_housekeeping is not None and \
                0 <= now - self._last_housekeeping < self.settings.housekeeping_interval:
            return
        self._last_housekeeping = now
        await self.settling.expire(now)
        await self.settling.settle_unknown(now)
        if self._last_unreported is None or not 0 <= now - self._last_unreported < \
                self.settings.unreported_interval:
            self._last_unreported = now
            await self.settling.expire_unreported(now)
        await self.inbound.expire(now)

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
                "iccid": info.iccid,
                "operator": info.operator, "signal_rssi": info.rssi, "signal_dbm": info.signal_dbm,
                "registration": info.registration, "sent_today": slot.throttle.sent_today,
                "counters": {"sent": m.counters.sent, "failed": m.counters.failed,
                             "unknown": m.counters.unknown, "received": m.counters.received,
                             "reports": m.counters.reports, "recoveries": m.counters.recoveries},
            })
        return out
