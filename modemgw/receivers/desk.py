"""Where every alert receiver hands its notifications: recipients, de-duplication, the
per-number limit and its summary SMS, and the counts /metrics shows.

Nothing is dropped silently. A notification is queued (one SMS per number, committed
before the receiver answers), or answered as a repeat or as a resolved notice not wanted,
or held back for a number over its limit: then it is counted in
`modemgw_alert_held_total`, logged, and named in the summary SMS that number gets when
its window ends. Summaries still held when the gateway stops are logged. What came in,
what was sent, held back or refused is also reported to the core's tallies (report.py),
which /metrics and the console read.

State is in memory: a restart forgets the windows and what was recently sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..config import IntegrationsConfig
from ..core import Core, Invalid, Submission
from ..core.checks import MAX_RECIPIENTS
from . import text
from .limits import Held, Ledger, Recent
from .report import Family, Report, Result, duration, topics

__all__ = ["Address", "Desk", "Notice", "Outcome", "Refused", "Result"]

log = logging.getLogger("modemgw.receivers")


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification, in SMS terms."""
    receiver: str
    text: str
    numbers: tuple[str, ...]          # E.164, distinct
    identity: str                     # what the same notification sent again has in common
    topic: str                        # what a summary calls it
    resolved: bool = False


@dataclass(frozen=True, slots=True)
class Refused:
    field: str
    message: str
    item: str = ""                    # what was given: the operator sees which one


@dataclass(frozen=True, slots=True)
class Outcome:
    result: Result
    messages: tuple[dict, ...] = ()
    held: tuple[str, ...] = ()        # numbers over their limit


@dataclass(frozen=True, slots=True)
class Address:
    """Where recipients were named: `field` (for errors) and its comma-separated values."""
    field: str
    value: str
    groups_only: bool = False         # ?group=: every item must be a group's name


class Desk:
    def __init__(self, core: Core, settings: IntegrationsConfig, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.core = core
        self.settings = settings
        self.clock = clock
        self.ledger = Ledger(settings.recipient_limit, settings.recipient_period)
        self.recent = Recent(settings.dedup_window)
        # Through self, so that a clock set later (as tests do) is the one the report reads too.
        self.report = Report(core.tallies, settings, self.ledger, lambda: self.clock())
        self._wake = asyncio.Event()

    # -- recipients ----------------------------------------------------------------

    def numbers(self, addresses: Iterable[Address]) -> tuple[tuple[str, ...], tuple[Refused, ...]]:
        """Numbers (group names expanded, normalised, each once) and what was refused."""
        out: dict[str, None] = {}
        refused = []
        for a in addresses:
            for item in (x.strip() for x in a.value.split(",")):
                if not item:
                    continue
                group = self.settings.groups.get(item)
                if group is None and (a.groups_only or not any(c.isdigit() for c in item)):
                    refused.append(Refused(a.field, f"{a.field}: no group {item!r} in [integrations.groups]",
                                          item))
                    continue
                for raw in group or (item,):
                    try:
                        out.setdefault(self.core.number(raw, a.field), None)
                    except Invalid as exc:
                        refused.append(Refused(a.field, exc.message, raw))
        return tuple(out), tuple(refused)

    def require(self, receiver: str, numbers: tuple[str, ...], refused: tuple[Refused, ...]) -> None:
        """No number at all: the request is refused (naming the first problem)."""
        for r in refused:
            log.warning("alert receiver=%s recipient refused: %s", receiver, r.message)
            self.report.recipient_refused(receiver, r.item, r.message)
        if not numbers:
            if refused:
                raise Invalid(refused[0].field, refused[0].message)
            raise Invalid("to", "no recipients: add ?to=NUMBER or ?group=NAME to the URL, "
                                "or an sms_to label or annotation to the alert")

    # -- sending -------------------------------------------------------------------

    async def deliver(self, notice: Notice, key: dict) -> Outcome:
        if notice.resolved and not self.settings.resolved:
            return self._finish(notice, Outcome(Result.SKIPPED))
        now = self.clock()
        await self.flush(now)
        identity = f"{notice.receiver}\n{notice.identity}\n{','.join(sorted(notice.numbers))}"
        if not self.recent.claim(identity, now):
            return self._finish(notice, Outcome(Result.DUPLICATE))
        admitted, held = [], []
        for n in notice.numbers:
            ok = self.ledger.admit(n, now, topic=notice.topic, owner=key, receiver=notice.receiver)
            (admitted if ok else held).append(n)
        if held:
            self._wake.set()               # a summary is due at the window's end
        try:
            rows = await self._send(notice.receiver, admitted, notice.text, key)
        except BaseException:
            self.recent.release(identity)
            for n in admitted:
                self.ledger.refund(n)
            raise
        outcome = Outcome(Result.QUEUED if rows else Result.HELD, rows, tuple(held))
        return self._finish(notice, outcome)

    async def _send(self, receiver: str, numbers: list[str], body: str, key: dict) -> tuple[dict, ...]:
        rows: list[dict] = []
        for i in range(0, len(numbers), MAX_RECIPIENTS):
            accepted = await self.core.send(Submission(
                to=tuple(numbers[i:i + MAX_RECIPIENTS]), text=body, dialect=receiver, to_is_list=True),
                key=key)
            rows.extend(accepted.messages)
        return tuple(rows)

    def _finish(self, notice: Notice, outcome: Outcome) -> Outcome:
        self.report.notification(notice, outcome)
        log.info("alert receiver=%s result=%s topic=%r sms=%d held=%d message=%s", notice.receiver,
                 outcome.result.value, notice.topic, len(outcome.messages), len(outcome.held),
                 ",".join(m["id"] for m in outcome.messages) or "-")
        for n in outcome.held:
            log.warning("alert receiver=%s held back for a summary: number=%s topic=%r over %d SMS per %s "
                        "(pending=%d)", notice.receiver, masked(n), notice.topic, self.ledger.limit,
                        duration(self.ledger.period), self.ledger.pending())
        return outcome

    # -- summaries -----------------------------------------------------------------

    async def flush(self, now: float | None = None) -> None:
        """Send the summaries that are due."""
        now = self.clock() if now is None else now
        for held in self.ledger.due(now):
            body = summary(held, self.ledger.limit, self.ledger.period, self.settings.segments,
                           self.core.settings.national_languages)
            try:
                [row] = await self._send(held.receiver, [held.number], body, held.owner)  # type: ignore[arg-type]
            except Exception as exc:
                log.exception("alert summary failed number=%s held=%d; tried again later",
                              masked(held.number), held.count)
                self.ledger.restore(held, now)
                self.report.summary_failed(held, exc)
                continue
            self.report.summary(held, row["id"])
            log.info("alert summary number=%s held=%d message=%s", masked(held.number), held.count, row["id"])

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Send each summary when its window ends (wake() after the clock moved, in tests)."""
        while True:
            self._wake.clear()
            try:
                await self.flush()
            except Exception:          # the next wake or due time tries again
                log.exception("alert summaries: flush failed")
            due = self.ledger.next_due()
            try:
                async with asyncio.timeout(None if due is None else max(0.0, due - self.clock()) + 0.01):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def stopped(self) -> None:
        for held in self.ledger.all_held():
            log.warning("alert summary not sent (the gateway is stopping): number=%s held=%d topics=%r",
                        masked(held.number), held.count, topics(held.topics))

    def families(self) -> list[Family]:
        """For /metrics (report.py)."""
        return self.report.families()


def summary(held: Held, limit: int, period: float, segments: int, national_languages: tuple[str, ...]) -> str:
    named = [f"{t} x{n}" for t, n in held.topics]
    head = f"modemgw held back {held.count} alert SMS to this number (at most {limit} per {duration(period)}):"
    return text.fit(lambda k: f"{head} {text.listing(named, k)}", len(named), segments, national_languages)


def masked(number: str) -> str:
    """A number in the log: enough to tell recipients apart, not to dial."""
    return "*" * max(0, len(number) - 4) + number[-4:]
