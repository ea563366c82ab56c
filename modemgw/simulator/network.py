"""The simulated mobile network behind the modem.

It takes submitted SMS-SUBMITs, reassembles them into what the recipient's
handset shows, produces status reports, and delivers inbound messages. What
it hands to the modem waits here while the modem cannot take it (off,
booting, hung, memory full) - like a service centre retrying.
"""

import asyncio
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from modemgw.sms import EncodedPdu, Submit, encode_deliver, encode_status_report

from .settings import Settings


@dataclass(frozen=True)
class Delivery:
    """Something the network sends to the modem: an SMS-DELIVER part or a status report."""

    kind: str  # "sms" or "report"
    pdu: EncodedPdu


@dataclass
class SubmittedMessage:
    message_reference: int
    submit: Submit
    at: datetime


@dataclass
class HandsetMessage:
    """A complete message as the recipient's phone displays it."""

    destination: str
    text: str
    message_references: list[int] = field(default_factory=list)


class Receiver(Protocol):
    def can_receive(self) -> bool: ...

    def receive(self, delivery: Delivery) -> bool:
        """False when the modem refused it (memory full); the network retries."""
        ...


def _now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


class Network:
    def __init__(self, settings: Settings, counters: Counter[str], on_change: Callable[[], None]) -> None:
        self.settings = settings
        self.counters = counters
        self.submitted: list[SubmittedMessage] = []
        self.delivered: list[HandsetMessage] = []
        # Per-destination status for reports, overriding settings.report_status.
        self.report_status: dict[str, int] = {}
        self.receiver: Receiver | None = None
        self._on_change = on_change
        self._parts: dict[tuple[str, int, int], dict[int, tuple[int, str]]] = {}
        self._waiting: deque[Delivery] = deque()
        self._timers: set[asyncio.TimerHandle] = set()
        self._concat_reference = 0

    def inbox(self, number: str) -> list[str]:
        """Texts the handset `number` received, in arrival order."""
        return [m.text for m in self.delivered if m.destination == number]

    def inboxes(self) -> dict[str, list[str]]:
        boxes: dict[str, list[str]] = defaultdict(list)
        for m in self.delivered:
            boxes[m.destination].append(m.text)
        return dict(boxes)

    # -- mobile originated -------------------------------------------------

    def submit(self, submit: Submit, message_reference: int) -> None:
        now = _now()
        destination = submit.destination.number
        self.submitted.append(SubmittedMessage(message_reference, submit, now))
        self.counters["submitted"] += 1
        self._reassemble(destination, submit, message_reference)
        if submit.status_report_request:
            self._schedule_reports(message_reference, destination, now)
        self._on_change()

    def _reassemble(self, destination: str, submit: Submit, message_reference: int) -> None:
        concat = submit.udh.concat if submit.udh is not None else None
        if concat is None or concat.total <= 1:
            self.delivered.append(HandsetMessage(destination, submit.text, [message_reference]))
            return
        key = (destination, concat.reference, concat.total)
        parts = self._parts.setdefault(key, {})
        parts[concat.sequence] = (message_reference, submit.text)
        if len(parts) == concat.total:
            del self._parts[key]
            ordered = [parts[i] for i in sorted(parts)]
            self.delivered.append(
                HandsetMessage(destination, "".join(t for _, t in ordered), [mr for mr, _ in ordered])
            )

    def _schedule_reports(self, message_reference: int, recipient: str, submitted_at: datetime) -> None:
        final = self.report_status.get(recipient, self.settings.report_status)
        statuses = [final]
        if self.settings.intermediate_status is not None:
            statuses.insert(0, self.settings.intermediate_status)
        for step, status in enumerate(statuses, start=1):
            self._later(
                self.settings.report_delay * step,
                self._report, message_reference, recipient, status, submitted_at,
            )

    def _report(self, message_reference: int, recipient: str, status: int, submitted_at: datetime) -> None:
        pdu = encode_status_report(
            message_reference, recipient, status=status, timestamp=submitted_at,
            discharge_time=_now(), smsc=self.settings.smsc or None,
        )
        self.counters["reports_generated"] += 1
        self.send(Delivery("report", pdu))

    # -- mobile terminated -------------------------------------------------

    def inject_sms(self, originator: str, text: str) -> tuple[EncodedPdu, ...]:
        """A message from `originator` to the modem's SIM; long texts arrive in parts."""
        self._concat_reference = (self._concat_reference + 1) % 256
        parts = encode_deliver(
            originator, text, timestamp=_now(), smsc=self.settings.smsc or None,
            reference=self._concat_reference,
        )
        self.counters["injected"] += 1
        for part in parts:
            self.send(Delivery("sms", part))
        return parts

    def send(self, delivery: Delivery) -> None:
        self._waiting.append(delivery)
        self.flush()

    def retry_later(self, delivery: Delivery) -> None:
        self.counters["retries"] += 1
        self._later(self.settings.redeliver_delay, self.send, delivery)

    def flush(self) -> None:
        """Hand over what waited while the modem could not receive."""
        while self._waiting and self.receiver is not None and self.receiver.can_receive():
            delivery = self._waiting.popleft()
            if not self.receiver.receive(delivery):
                self.retry_later(delivery)
        self._on_change()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def _later(self, delay: float, callback: Callable[..., None], *args: object) -> None:
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(handle)
            callback(*args)

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    def stop(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
