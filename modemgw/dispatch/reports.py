"""Status reports in: each applied to the part it belongs to, in arrival order.

A report is committed before the handler returns (the modem may be told then)
and, in the usual case, applied in the same commit. One that finds no part may
have overtaken the +CMGS answer of the part being sent on its modem: it is kept
and applied once that answer is recorded (or after `REPORT_RACE_WAIT`). Later
reports from the same modem wait behind it, so reports apply in the order the
modem delivered them. A report kept while the database could not be reached is
applied by a later dispatcher pass, once it answers (`apply_unapplied`), and the
modem's later reports after it; one kept but not applied for another reason (a stop,
a crash) is applied at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection

from ..modem import ReceivedPdu
from ..sms import Outcome, StatusReport
from ..store import ReportUpdate, Store
from ..store.errors import StoreUnavailable
from . import matching
from .kept import decode_kept
from .outbound import Outbound, PartKey

log = logging.getLogger(__name__)

EXPIRED_STATUS = 0x46  # TP-ST "SM validity period expired"
REPORT_RACE_WAIT = 3.0  # seconds a report may wait for its part's +CMGS answer to be recorded


class Reports:
    def __init__(self, store: Store, outbound: Outbound, *, report_window: float,
                 on_change: Callable[[], None], clock: Callable[[], float]) -> None:
        self.store = store
        self.outbound = outbound
        self.report_window = report_window
        self.on_change = on_change
        self.clock = clock
        self._late: dict[str, int] = {}      # modem -> reports kept, waiting to be applied
        self._late_lock: dict[str, asyncio.Lock] = {}
        self._late_tasks: set[asyncio.Task[None]] = set()
        # Kept reports the database's absence kept from being applied, in arrival order
        # (modem, report, its received_pdus id): `apply_unapplied` applies them.
        self._unapplied: list[tuple[str, StatusReport, int]] = []

    async def on_received(self, received: ReceivedPdu, message: StatusReport) -> None:
        """The modems' handler for status reports (`message` is `received.message`):
        returns once the report is committed."""
        # Kept and, in the usual case, applied in the same commit. Behind a report
        # still waiting to be applied, it is only kept, and applied after that one.
        modem = received.modem
        behind = self._late.get(modem, 0) > 0 or self._unapplied_of(modem)
        pdu_id, match = await self.store.store_report(
            modem, received.hex, received.length, mr=message.message_reference,
            since=self.clock() - self.report_window, update=_update_of(message),
            choose=lambda candidates: None if behind else _choose(candidates, message))
        if match is not None:
            self._reported(modem, message, match)
            return
        # Committed, so the modem may be told now (it routes nothing else until then);
        # applying it may wait for the part being sent on this modem, whose +CMGS
        # answer a fast report can overtake.
        self._late[modem] = self._late.get(modem, 0) + 1
        task = asyncio.create_task(self._report_later(
            modem, message, pdu_id, self.outbound.in_flight(modem)))
        self._late_tasks.add(task)
        task.add_done_callback(self._late_tasks.discard)

    async def stop(self) -> None:
        """Reports waiting for a part that is now recorded apply at once; any still
        waiting stay kept and are applied at the next start."""
        late = set(self._late_tasks)
        if late:
            await asyncio.wait(late, timeout=REPORT_RACE_WAIT)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def restore(self, elsewhere: Collection[str] = ()) -> None:
        """Reports kept before a crash but not applied: apply them now (the modem was
        already told they were received, so nobody else will); but not those of the
        modems `elsewhere` (another live node's, which applies its own)."""
        for row, report in decode_kept(await self.store.pending_reports(), StatusReport):
            if row["modem"] not in elsewhere:
                await self._apply_kept(row["modem"], report, row["id"])

    async def _report_later(self, modem: str, report: StatusReport, pdu_id: int,
                            waiting_for: PartKey | None) -> None:
        """A kept report that found no part, applied in arrival order once the part that
        was being sent when it came (`waiting_for`) is recorded. Cancelled by a stop, it
        stays kept and is applied at the next start."""
        try:
            async with self._late_lock.setdefault(modem, asyncio.Lock()):
                if waiting_for is not None:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(REPORT_RACE_WAIT):
                            await self.outbound.recorded(modem, waiting_for)
                if self._unapplied_of(modem):
                    self._unapplied.append((modem, report, pdu_id))    # after those, in order
                else:
                    await self._apply_kept(modem, report, pdu_id)
        except StoreUnavailable as exc:
            self._unapplied.append((modem, report, pdu_id))
            log.warning("modem=%s status report mr=%d kept, to be applied once the database "
                        "answers (%s)", modem, report.message_reference, exc)
        except Exception:
            log.exception("modem=%s status report mr=%d not applied; kept for the next start",
                          modem, report.message_reference)
        finally:
            self._late[modem] -= 1

    def _unapplied_of(self, modem: str) -> bool:
        """Whether a report of `modem` waits for the database: the modem's later ones go after it."""
        return any(m == modem for m, _, _ in self._unapplied)

    async def apply_unapplied(self) -> None:
        """The reports kept while the database could not be reached, applied in arrival
        order; raises StoreUnavailable while it still cannot be (a later pass goes on)."""
        while self._unapplied:
            modem, report, pdu_id = self._unapplied[0]
            try:
                await self._apply_kept(modem, report, pdu_id)
            except StoreUnavailable:
                raise
            except Exception:
                log.exception("modem=%s status report mr=%d not applied; kept for the next start",
                              modem, report.message_reference)
            self._unapplied.pop(0)

    async def _apply_kept(self, modem: str, report: StatusReport, pdu_id: int) -> None:
        """Apply a report already in received_pdus (after a wait, or kept before a crash)."""
        candidates = await self.store.report_candidates(modem, report.message_reference,
                                                        self.clock() - self.report_window)
        match = _choose(candidates, report)
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


def _choose(candidates: list[dict], report: StatusReport) -> dict | None:
    reported_at = report.timestamp.timestamp() if report.timestamp else None
    return matching.choose(candidates, report.recipient.number, reported_at)


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
