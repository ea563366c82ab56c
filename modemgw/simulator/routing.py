"""How messages from the network reach the host, per AT+CNMI and AT+CSMS.

SMS-DELIVERs: routed as +CMT (<mt>=2), stored and announced as +CMTI (<mt>=1)
or stored silently (<mt>=0). Status reports: routed as +CDS (<ds>=1), stored
and announced as +CDSI (<ds>=2) or stored silently (<ds>=0, where smstools
polls for them). With AT+CSMS=1 every routed message waits for AT+CNMA.
"""

from collections import deque
from typing import TYPE_CHECKING

from .network import Delivery
from .results import cms
from .storage import REC_UNREAD, Memory, StoredMessage

if TYPE_CHECKING:
    from .modem import Modem


class Router:
    def __init__(self, modem: "Modem") -> None:
        self.modem = modem
        self.awaiting_ack: Delivery | None = None
        self._queue: deque[tuple[Delivery, str]] = deque()
        self._routings = 0  # tells an acknowledgement timeout which routing it belongs to

    def receive(self, delivery: Delivery) -> bool:
        """False when there was no room to store it; the network retries."""
        m, pdu = self.modem, delivery.pdu
        receive_memory = m.memories[m.cpms[2]]
        if delivery.kind == "sms":
            if m.cnmi[1] in (2, 3):
                self._route(delivery, f"+CMT: ,{pdu.tpdu_length}\r\n{pdu.hex}")
                return True
            return self._store(delivery, receive_memory, "+CMTI" if m.cnmi[1] == 1 else None)
        mode = m.settings.report_mode
        if mode == "auto":
            mode = {1: "cds", 2: "cdsi"}.get(m.cnmi[3], "stored")
        if mode == "cds":
            self._route(delivery, f"+CDS: {pdu.tpdu_length}\r\n{pdu.hex}")
            return True
        if mode == "cdsi":
            return self._store(delivery, m.memories.get(m.profile.report_memory or "", receive_memory), "+CDSI")
        return self._store(delivery, receive_memory, None)

    def _store(self, delivery: Delivery, memory: Memory, announce: str | None) -> bool:
        m = self.modem
        index = memory.store(StoredMessage(REC_UNREAD, delivery.pdu.hex, delivery.pdu.tpdu_length))
        if index is None:
            m.counters["memory_full"] += 1
            return False
        m.counters[f"stored_{delivery.kind}"] += 1
        if announce == "+CDSI":
            m.counters["cdsi"] += 1
            # EC25 firmwares store in "SR" but name "SM" here.
            m.urc(f'+CDSI: "{m.profile.cdsi_announces or memory.name}",{index}')
        elif announce == "+CMTI":
            m.counters["cmti"] += 1
            m.urc(f'+CMTI: "{memory.name}",{index}')
        return True

    def _route(self, delivery: Delivery, text: str) -> None:
        self._queue.append((delivery, text))
        self._route_next()

    def _route_next(self) -> None:
        m = self.modem
        # Phase 2+ (CSMS=1): one routed message at a time, each waiting for AT+CNMA.
        while self._queue and self.awaiting_ack is None:
            delivery, text = self._queue.popleft()
            m.counters["cmt" if delivery.kind == "sms" else "cds"] += 1
            m.urc(text)
            if m.csms == 1:
                self.awaiting_ack = delivery
                self._routings += 1
                m.later(m.settings.ack_timeout, self._ack_missing, self._routings)

    def _ack_missing(self, routing: int) -> None:
        if self.awaiting_ack is not None and routing == self._routings:
            self._settle(positive=False)

    def acknowledge(self, positive: bool) -> None:
        """AT+CNMA: settle the routed message that waits for it."""
        if self.modem.csms != 1 or self.awaiting_ack is None:
            raise cms(340)
        self._settle(positive)

    def _settle(self, positive: bool) -> None:
        m = self.modem
        delivery, self.awaiting_ack = self.awaiting_ack, None
        assert delivery is not None
        if positive:
            m.counters["acks"] += 1
        else:
            # RP-ERROR to the network: the service centre tries again later.
            m.counters["nacks"] += 1
            m.network.retry_later(delivery)
        self._route_next()

    def withdraw(self) -> list[Delivery]:
        """On power loss: what was routed but not acknowledged goes back to the network."""
        pending = [self.awaiting_ack] if self.awaiting_ack else []
        pending += [delivery for delivery, _ in self._queue]
        self.awaiting_ack = None
        self._queue.clear()
        return pending
