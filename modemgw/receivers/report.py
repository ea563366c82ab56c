"""What the alert receivers tell the operator: what each notification became and why,
and everything they could not send, written to the core's tallies, where /metrics
(`families`) and the console's Alerts page both read it.

- Counters `modemgw_alert_*`, by receiver and outcome (never by number): the metrics.
- Table `alert-recipients`, a row per number (core/tallies.py keeps the most recently
  addressed): the notifications that named it, the SMS and summaries queued for it, the
  SMS held back, and where it stands (SMS in its window, what waits for the summary).
- Notes: each notification's outcome with its reason, and apart from those, each
  failure: a notification refused (it will never be sent), a recipient refused (the others
  got the SMS), a summary that could not be queued (tried again), a fault on this side
  (the sender retries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import TYPE_CHECKING

from ..config import IntegrationsConfig
from ..core import Tallies
from ..core.tallies import Family
from .limits import Held, Ledger

if TYPE_CHECKING:
    from .desk import Notice, Outcome

RECIPIENTS = "alert-recipients"

HELP = {
    "modemgw_alert_notifications_total": "Alert notifications received, by receiver and outcome.",
    "modemgw_alert_messages_total": "SMS queued by the alert receivers (kind alert or summary).",
    "modemgw_alert_held_total": "SMS not sent to a number over its limit (named in a summary SMS later).",
    "modemgw_alert_rejected_recipients_total": "Recipients of alerts refused (not a number, no such group).",
}


class Result(Enum):
    """What a notification became (a note's kind, and the metrics' outcome)."""
    QUEUED = "queued"                 # SMS queued for at least one number
    HELD = "held"                     # every number is over its limit: held for the summary
    DUPLICATE = "duplicate"           # the same notification within the de-duplication window
    SKIPPED = "skipped"               # a resolved notice, and [integrations] resolved = false


class Kind(Enum):
    """What a note is about, besides a notification's Result."""
    SUMMARY = "summary"                        # a summary SMS queued
    REFUSED = "refused"                        # answered 4xx: nothing of it will be sent
    RECIPIENT_REFUSED = "recipient refused"    # left out; the other numbers got the SMS
    SUMMARY_FAILED = "summary failed"          # not queued now; kept, and tried again
    ERROR = "error"                            # a fault on this side, answered 5xx: the sender retries


class Report:
    def __init__(self, tallies: Tallies, settings: IntegrationsConfig, ledger: Ledger,
                 clock: Callable[[], float]) -> None:
        self.tallies = tallies
        self.settings = settings
        self.ledger = ledger
        self.clock = clock                # the desk's, which the windows are kept in
        # Every series from the start at 0, so that rate() and the dashboard see the first one.
        for receiver in settings.enabled:
            for outcome in (*(r.value for r in Result), Kind.REFUSED.value):
                self.count("modemgw_alert_notifications_total", 0, receiver=receiver, outcome=outcome)
            for kind in ("alert", "summary"):
                self.count("modemgw_alert_messages_total", 0, receiver=receiver, kind=kind)
            self.count("modemgw_alert_held_total", 0, receiver=receiver)
            self.count("modemgw_alert_rejected_recipients_total", 0, receiver=receiver)

    def count(self, name: str, n: int = 1, **labels: str) -> None:
        self.tallies.count(name, n, **labels)

    # -- what happened -------------------------------------------------------------

    def notification(self, notice: Notice, outcome: Outcome) -> None:
        receiver = notice.receiver
        self.count("modemgw_alert_notifications_total", receiver=receiver, outcome=outcome.result.value)
        self.count("modemgw_alert_messages_total", len(outcome.messages), receiver=receiver, kind="alert")
        self.count("modemgw_alert_held_total", len(outcome.held), receiver=receiver)
        sent = {m["to_number"]: m["id"] for m in outcome.messages}
        for n in notice.numbers:
            self._recipient(n, receiver, {"notifications": 1, "alerts": int(n in sent),
                                          "held": int(n in outcome.held)}, sent.get(n))
        self.tallies.note(receiver, outcome.result.value, f"{notice.topic}: {self._why(notice, outcome)}")

    def _why(self, notice: Notice, outcome: Outcome) -> str:
        if outcome.result is Result.DUPLICATE:
            return f"the same notification within {self.settings.dedup_window:g} s: not sent again"
        if outcome.result is Result.SKIPPED:
            return "a resolved notice, and [integrations] resolved = false"
        said = f"{len(outcome.messages)} SMS queued" if outcome.messages else "no SMS now"
        if outcome.held:
            said += (f"; held back for {', '.join(outcome.held)} (over {self.ledger.limit} SMS per "
                     f"{duration(self.ledger.period)}): named in the summary at the window's end")
        return said

    def summary(self, held: Held, message_id: str) -> None:
        self.count("modemgw_alert_messages_total", receiver=held.receiver, kind="summary")
        self._recipient(held.number, held.receiver, {"summaries": 1}, message_id)
        self.tallies.note(held.receiver, Kind.SUMMARY.value,
                          f"summary to {held.number} of {held.count} SMS held back: {topics(held.topics)}")

    # -- what could not be sent ----------------------------------------------------

    def refused(self, receiver: str, why: str) -> None:
        self.count("modemgw_alert_notifications_total", receiver=receiver, outcome=Kind.REFUSED.value)
        self.tallies.note(receiver, Kind.REFUSED.value, why, failure=True)

    def recipient_refused(self, receiver: str, item: str, why: str) -> None:
        self.count("modemgw_alert_rejected_recipients_total", receiver=receiver)
        self.tallies.note(receiver, Kind.RECIPIENT_REFUSED.value, f"{item!r} left out: {why}", failure=True)

    def summary_failed(self, held: Held, error: BaseException) -> None:
        self._recipient(held.number, held.receiver, {}, None)
        self.tallies.note(held.receiver, Kind.SUMMARY_FAILED.value,
                          f"summary to {held.number} of {held.count} SMS held back not queued "
                          f"({_error(error)}): kept, and tried again at the next window's end", failure=True)

    def error(self, receiver: str, error: BaseException) -> None:
        self.tallies.note(receiver, Kind.ERROR.value, f"answered 500, the sender retries: {_error(error)} "
                                                      f"(the gateway's log has the details)", failure=True)

    # -- per number ----------------------------------------------------------------

    def _recipient(self, number: str, receiver: str, add: dict[str, int], message_id: str | None) -> None:
        before = self.tallies.row(RECIPIENTS, number) or {}
        fields: dict[str, object] = {"via": tuple(sorted({*before.get("via", ()), receiver})),  # type: ignore[misc]
                                     "limit": self.ledger.limit, **self._standing(number)}
        if message_id is not None:
            fields.update(last_message=message_id, last_at=self.tallies.clock())
        self.tallies.update(RECIPIENTS, number, add=add, fields=fields)

    def _standing(self, number: str) -> dict[str, object]:
        s = self.ledger.standing(number)
        if s is None:
            return {"window_sent": 0, "window_ends": None, "pending": 0, "topics": ""}
        # The windows are in the desk's monotonic clock; the console shows wall-clock times.
        ends = self.tallies.clock() + max(0.0, s.ends - self.clock())
        return {"window_sent": s.sent, "window_ends": ends, "pending": s.pending, "topics": topics(s.held)}

    # -- metrics -------------------------------------------------------------------

    def families(self) -> list[Family]:
        """For /metrics, as `metrics.render` takes them."""
        out: list[Family] = [(name, "counter", help_, [(labels, float(v)) for labels, v in self.tallies.series(name)])
                             for name, help_ in HELP.items()]
        out.append(("modemgw_alert_held_pending", "gauge",
                    "Alert notifications held back and not yet summed up in an SMS.",
                    [({}, float(self.ledger.pending()))]))
        return out


def topics(held: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{t} x{n}" for t, n in held)


def duration(seconds: float) -> str:
    s = round(seconds)
    if s % 3600 == 0:
        return f"{s // 3600} h"
    if s % 60 == 0:
        return f"{s // 60} min"
    return f"{s} s"


def _error(error: BaseException) -> str:
    said = getattr(error, "message", None) or str(error)
    return f"{type(error).__name__}: {said}"[:200] if said else type(error).__name__
