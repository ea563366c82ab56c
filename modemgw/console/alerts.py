"""The Alerts page: what the alert receivers took in, sent, held back and why, and what
they could not send, per receiver and per recipient.

Read from the core's tallies, which the receivers write (modemgw/receivers/report.py):
the console never imports a receiver (tests/test_layers.py), so the series and the table
are named here as docs/alerting.md names them. The receivers' SMS that failed or expired
after they were queued come from the messages, as on the Messages page.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import Core, Note

NOTIFICATIONS = "modemgw_alert_notifications_total"
MESSAGES = "modemgw_alert_messages_total"
HELD = "modemgw_alert_held_total"
REJECTED = "modemgw_alert_rejected_recipients_total"
RECIPIENTS = "alert-recipients"
SHOWN = 20                  # notes and failed SMS on the page
RECIPIENTS_SHOWN = 50
UNDELIVERED = ("failed", "expired")


@dataclass(frozen=True, slots=True)
class Receiver:
    name: str
    outcomes: dict[str, int]        # notifications by outcome: queued, held, duplicate, skipped, refused
    alerts: int                     # SMS queued
    summaries: int
    held: int                       # SMS held back for a summary
    rejected: int                   # recipients refused

    @property
    def notifications(self) -> int:
        return sum(self.outcomes.values())


@dataclass(frozen=True, slots=True)
class Alerts:
    receivers: tuple[Receiver, ...]
    recipients: tuple[tuple[str, dict], ...]      # (number, its row), most recently addressed first
    recent: tuple[Note, ...]
    failures: tuple[Note, ...]
    undelivered: tuple[dict, ...]                  # the receivers' SMS that failed or expired

    @property
    def waiting(self) -> int:
        return sum(int(row.get("pending") or 0) for _, row in self.recipients)


def receivers(core: Core) -> tuple[Receiver, ...]:
    t = core.tallies
    names = sorted({labels["receiver"] for labels, _ in t.series(NOTIFICATIONS)})
    outcomes = {n: {labels["outcome"]: v for labels, v in t.series(NOTIFICATIONS) if labels["receiver"] == n}
                for n in names}
    return tuple(Receiver(n, outcomes[n], t.total(MESSAGES, receiver=n, kind="alert"),
                          t.total(MESSAGES, receiver=n, kind="summary"), t.total(HELD, receiver=n),
                          t.total(REJECTED, receiver=n)) for n in names)


async def gather(core: Core) -> Alerts:
    names = {labels["receiver"] for labels, _ in core.tallies.series(NOTIFICATIONS)}
    undelivered: list[dict] = []
    if names:
        # The newest of each status, of every edge: a receiver's failure older than the last
        # RECIPIENTS_SHOWN of its status is on the Messages page only.
        for status in UNDELIVERED:
            rows = await core.store.list_messages(status=status, limit=RECIPIENTS_SHOWN)
            undelivered += [m for m in rows if m.get("dialect") in names]
    undelivered.sort(key=lambda m: m["id"], reverse=True)
    # The tallies all read at once, after the last await: one moment's figures, which agree.
    return Alerts(receivers(core), tuple(core.tallies.rows(RECIPIENTS)[:RECIPIENTS_SHOWN]),
                  tuple(core.tallies.notes()[:SHOWN]), tuple(core.tallies.notes(failures=True)[:SHOWN]),
                  tuple(undelivered[:SHOWN]))
