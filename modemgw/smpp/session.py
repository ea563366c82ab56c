"""One SMPP session, SMSC side, sans-IO (after h11): bytes in, PDUs out; PDUs in, bytes out.

    session = SmppSession(window=10)
    for event in session.receive_data(data):
        match event:
            case Refused(reply=reply, close=close):
                write(reply)                       # already answered (generic_nack, or the
                                                   # request's response with its status)
            case SubmitSm():
                write(session.send(SubmitSmResp(sequence=event.sequence, message_id=...)))
    write(session.request(DeliverSm(...)))         # numbered here; counted against the window

It keeps the bind state (§2.3) in two tables, one for what the ESME may send and one for
what this side may; a request the state does not allow is answered with
ESME_RINVBNDSTS (ESME_RALYBND for a second bind) and the state stays. It also keeps the
requests each side has not yet answered: a response to nothing is dropped, and this side
cannot send more than `window` requests at once nor answer what it was not asked.
Misuse raises `LocalProtocolError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final

from .codec import decode, encode
from .constants import MAX_SEQUENCE, CommandId as C, CommandStatus
from .errors import LocalProtocolError, PduDecodeError, RemoteProtocolError
from .framing import MAX_PDU, FrameBuffer
from .pdus import PDU_TYPES, GenericNack, Pdu


class Bind(Enum):
    OPEN = "open"
    TX = "bound_tx"
    RX = "bound_rx"
    TRX = "bound_trx"
    UNBINDING = "unbinding"        # this side sent unbind and waits for unbind_resp
    CLOSED = "closed"


_BOUND = (Bind.TX, Bind.RX, Bind.TRX)
_ANY_TIME = (C.ENQUIRE_LINK, C.ENQUIRE_LINK_RESP, C.GENERIC_NACK)
_FROM_TX = (C.SUBMIT_SM, C.SUBMIT_MULTI, C.DATA_SM, C.QUERY_SM, C.CANCEL_SM, C.REPLACE_SM)
_FROM_RX = (C.DELIVER_SM_RESP, C.DATA_SM_RESP)
_TO_RX = (C.DELIVER_SM, C.DATA_SM, C.ALERT_NOTIFICATION)


def _table(rows: dict[Bind, tuple[C, ...]]) -> dict[tuple[Bind, C], Bind]:
    return {(state, command): state for state, commands in rows.items() for command in commands}


# (state, command received) -> state after it. Binds and unbinds change the state when
# they are answered (SEND), not when they arrive.
RECEIVE: Final[dict[tuple[Bind, C], Bind]] = {
    **_table({Bind.OPEN: (*_ANY_TIME, C.BIND_TRANSMITTER, C.BIND_RECEIVER, C.BIND_TRANSCEIVER),
              Bind.TX: (*_ANY_TIME, *_FROM_TX, C.UNBIND, C.UNBIND_RESP),
              Bind.RX: (*_ANY_TIME, *_FROM_RX, C.UNBIND, C.UNBIND_RESP),
              Bind.TRX: (*_ANY_TIME, *_FROM_TX, *_FROM_RX, C.UNBIND, C.UNBIND_RESP),
              Bind.UNBINDING: (*_ANY_TIME, *_FROM_RX, C.UNBIND)}),
    (Bind.UNBINDING, C.UNBIND_RESP): Bind.CLOSED,
}
# (state, command sent) -> state after it; a bind's response binds only with ESME_ROK.
SEND: Final[dict[tuple[Bind, C], Bind]] = {
    **_table({Bind.OPEN: _ANY_TIME, Bind.TX: _ANY_TIME, Bind.RX: (*_ANY_TIME, *_TO_RX),
              Bind.TRX: (*_ANY_TIME, *_TO_RX), Bind.UNBINDING: _ANY_TIME}),
    (Bind.OPEN, C.BIND_TRANSMITTER_RESP): Bind.TX,
    (Bind.OPEN, C.BIND_RECEIVER_RESP): Bind.RX,
    (Bind.OPEN, C.BIND_TRANSCEIVER_RESP): Bind.TRX,
    **{(state, C.UNBIND): Bind.UNBINDING for state in _BOUND},
    **{(state, C.UNBIND_RESP): Bind.CLOSED for state in (*_BOUND, Bind.UNBINDING)},
}
_BINDS = (C.BIND_TRANSMITTER, C.BIND_RECEIVER, C.BIND_TRANSCEIVER)


@dataclass(frozen=True, slots=True)
class Refused:
    """Something the peer sent that the session answered itself (or dropped: `reply` empty).
    With `close`, the stream cannot be read any further: write the reply and hang up."""
    reason: str
    reply: bytes = b""
    close: bool = False


Event = Pdu | Refused


class SmppSession:
    def __init__(self, *, window: int = 10, max_pdu: int = MAX_PDU) -> None:
        if window < 1:
            raise LocalProtocolError("the window holds at least one request")
        self.window = window
        self.state = Bind.OPEN
        self._frames = FrameBuffer(max_pdu)
        self._sequence = 0
        self.outstanding: dict[int, Pdu] = {}          # our requests, by sequence
        self.unanswered: dict[int, C] = {}             # theirs, by sequence

    # -- receiving ----------------------------------------------------------------

    def receive_data(self, data: bytes) -> list[Event]:
        self._frames.feed(data)
        events: list[Event] = []
        while self.state is not Bind.CLOSED:
            try:
                frame = self._frames.next_frame()
            except RemoteProtocolError as exc:
                self.state = Bind.CLOSED
                events.append(Refused(str(exc), encode(GenericNack(sequence=exc.sequence,
                                                                   status=exc.status)), close=True))
                break
            if frame is None:
                break
            events.append(self._receive(frame))
        return events

    def _receive(self, frame: bytes) -> Event:
        try:
            pdu = decode(frame)
        except PduDecodeError as exc:
            return Refused(str(exc), self._refusal(exc.command_id, exc.sequence, exc.status))
        command = type(pdu).command_id
        if command.is_response:
            request = self.outstanding.pop(pdu.sequence, None)
            if command is not C.GENERIC_NACK and (request is None or request.command_id.response is not command):
                if request is not None:
                    self.outstanding[pdu.sequence] = request
                return Refused(f"{command.name.lower()} {pdu.sequence} answers no request of ours")
        after = RECEIVE.get((self.state, command))
        if after is None:
            if command.is_response:
                return Refused(f"{command.name.lower()} is not allowed in state {self.state.value}")
            status = CommandStatus.ESME_RALYBND if command in _BINDS and self.state in _BOUND \
                else CommandStatus.ESME_RINVBNDSTS
            return Refused(f"{command.name.lower()} is not allowed in state {self.state.value}",
                           self._refusal(command, pdu.sequence, status))
        self.state = after
        if not command.is_response:
            self.unanswered[pdu.sequence] = command
        return pdu

    def _refusal(self, command_id: int, sequence: int, status: int) -> bytes:
        """The request's own response with `status`; generic_nack for an unknown command,
        a response, or a request that has no response."""
        try:
            command = C(command_id)
        except ValueError:
            command = C.GENERIC_NACK
        response = C.GENERIC_NACK if command.is_response else command.response
        return encode(PDU_TYPES[response](sequence=sequence, status=status))

    # -- sending ------------------------------------------------------------------

    def send(self, pdu: Pdu) -> bytes:
        """The bytes of a PDU this side sends: a response to one of the peer's requests,
        or a request already numbered (see `request`)."""
        command = type(pdu).command_id
        if command.is_response:
            asked = self.unanswered.get(pdu.sequence)
            if command is not C.GENERIC_NACK and asked is not None and asked.response is not command:
                asked = None
            if asked is None and command is not C.GENERIC_NACK:
                raise LocalProtocolError(f"{command.name.lower()} {pdu.sequence} answers no request")
            self.unanswered.pop(pdu.sequence, None)
        else:
            if len(self.outstanding) >= self.window:
                raise LocalProtocolError(f"{len(self.outstanding)} requests are unanswered: the window is full")
            if pdu.sequence in self.outstanding or not 1 <= pdu.sequence <= MAX_SEQUENCE:
                raise LocalProtocolError(f"sequence {pdu.sequence} is in use or out of range")
        after = SEND.get((self.state, command))
        if after is None:
            if not command.is_response:
                raise LocalProtocolError(f"{command.name.lower()} cannot be sent in state {self.state.value}")
            after = self.state          # an error response to a request the state refused
        if command.is_response and pdu.status != CommandStatus.ESME_ROK and command in (
                C.BIND_TRANSMITTER_RESP, C.BIND_RECEIVER_RESP, C.BIND_TRANSCEIVER_RESP):
            after = self.state
        data = encode(pdu)
        if not command.is_response:
            self.outstanding[pdu.sequence] = pdu
        self.state = after
        return data

    def request(self, pdu_type: type[Pdu], **fields: object) -> tuple[Pdu, bytes]:
        """A request from this side with the next sequence number: the PDU and its bytes."""
        pdu = pdu_type(sequence=self.next_sequence(), **fields)   # type: ignore[arg-type]
        return pdu, self.send(pdu)

    def next_sequence(self) -> int:
        self._sequence = self._sequence % MAX_SEQUENCE + 1
        return self._sequence

    @property
    def can_request(self) -> bool:
        return len(self.outstanding) < self.window

    def close(self) -> None:
        self.state = Bind.CLOSED
