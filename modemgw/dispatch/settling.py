"""Housekeeping for parts that will get no answer: each ends in a final state.

A part whose submission had no answer is queued again when the modem shows it
never left, else settled after `unknown_window` by its message's delivery
policy. Messages past their validity expire, and sent parts that got no status
report within `report_window` stop waiting for one; a part sent without asking
for a report (`status_reports` off for its modem) waits for none: `sent` is its
final state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..modem import Modem
from ..store import Store
from .settings import DispatchSettings

log = logging.getLogger(__name__)


class Settling:
    def __init__(self, store: Store, modems: dict[str, Modem], *, settings: DispatchSettings,
                 on_change: Callable[[], None]) -> None:
        self.store = store
        self.modems = modems
        self.settings = settings
        self.on_change = on_change

    async def expire(self, now: float) -> None:
        """Messages past their validity that are not sent yet."""
        if await self.store.expire_due(now):
            self.on_change()

    async def expire_unreported(self, now: float) -> None:
        """Sent parts whose status report is now too old to match (a part that asked for
        none is never among them: the store keeps whether each one asked)."""
        if await self.store.expire_unreported(now - self.settings.report_window):
            self.on_change()

    async def settle_unknown(self, now: float) -> None:
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
            # Without a report request nothing can answer for the part but the modem's
            # next message references (above): the policy applies all the same.
            unreported = (f"no status report within {window:g} s"
                          if self.settings.requests_reports(part["modem"])
                          else f"nothing within {window:g} s (no status report requested)")
            resend = part["policy"] == "at_least_once" and part["resent"] == 0
            if resend:
                reason = (f"sent again: no answer from the modem and {unreported} "
                          f"(delivery_policy at_least_once)")
            elif part["policy"] == "at_least_once":
                reason = f"delivery unconfirmed: sent twice, {unreported} (delivery_policy at_least_once)"
            else:
                reason = (f"delivery unconfirmed: no answer from the modem after the part was written "
                          f"and {unreported}; not sent again (delivery_policy at_most_once)")
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
        modem = self.modems.get(part["modem"]) if part["modem"] else None
        if modem is None or modem.sim_reference_tracks is not True \
                or part["submitted_at"] is None:
            return False
        before, after = await self.store.submitted_around(part["modem"], part["submitted_at"])
        return (before is not None and after is not None and before["mr"] is not None
                and after["mr"] is not None and after["mr"] == (before["mr"] + 1) % 256)
