"""The AT command/response state machine (sans-IO).

One command at a time, as V.250 requires. Incoming lines are routed by this
order of rules, applied to each line as it completes:

1. the PDU line of a pending two-line URC (`+CMT`, `+CDS`, `+CBM`);
2. echo of the running command, or of the PDU after the prompt: dropped;
3. a final result code while a command runs: ends it with a `Response`;
4. a known URC not owned by the running command: `Urc`;
5. otherwise an information line of the running command, or an
   `UnexpectedLine` when none is running.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from . import urc
from .errors import LocalProtocolError
from .events import Event, Prompt, Response, UnexpectedLine, Urc
from .finals import parse_final
from .lines import PROMPT, LineBuffer

CTRL_Z: Final = b"\x1a"
ESC: Final = b"\x1b"

# Names of the extended commands in a command line, for deciding whether a
# `+XXX:` line answers the command or is a URC: "AT+CPMS?;+CNMI=?" owns
# +CPMS and +CNMI.
_COMMAND_NAME: Final = re.compile(r"(?:^AT|;)\s*([+^$%#*][A-Za-z0-9]+)", re.IGNORECASE)
_HEX: Final = re.compile(r"^[0-9A-Fa-f]+$")


class State(enum.Enum):
    IDLE = "idle"  # no command running; send_command() allowed
    RUNNING = "running"  # waiting for the final result
    AWAITING_PROMPT = "awaiting prompt"  # expect_prompt command, no `> ` yet
    PROMPTED = "prompted"  # `> ` seen; send_pdu() expected
    PDU_SENT = "pdu sent"  # PDU written; waiting for the final result


@dataclass(frozen=True, slots=True)
class PendingCommand:
    """The running command and the information lines collected so far."""

    command: str
    lines: tuple[str, ...]


class ATConnection:
    """Turns modem output into events; turns driver requests into bytes."""

    def __init__(self, *, extra_urcs: Iterable[str] = ()) -> None:
        """`extra_urcs`: more URC prefixes (`+ZPASR`) or whole lines to know."""
        self._extra_urcs = frozenset(name.upper() for name in extra_urcs)
        self._buffer = LineBuffer()
        self._state = State.IDLE
        self._command = ""
        self._owned: frozenset[str] = frozenset()
        self._lines: list[str] = []
        self._pdu = ""
        self._urc_header: tuple[str, str] | None = None  # (name, line)

    @property
    def state(self) -> State:
        return self._state

    @property
    def pending(self) -> PendingCommand | None:
        """The running command, or None when idle (see `abort()`)."""
        if self._state is State.IDLE:
            return None
        return PendingCommand(self._command, tuple(self._lines))

    def send_command(self, command: str, *, expect_prompt: bool = False) -> bytes:
        """Start `command` (without the trailing CR); return the bytes to write.

        Pass `expect_prompt=True` for commands answered by `> ` (AT+CMGS,
        AT+CMGW, AT+CMGC): only then is `> ` recognised without a line end.
        """
        if self._state is not State.IDLE:
            raise LocalProtocolError(f"{self._command!r} is still running")
        if not command or any(c in command for c in "\r\n\x1a\x1b"):
            raise LocalProtocolError(f"not a single command line: {command!r}")
        if not command.isascii():
            raise LocalProtocolError(f"command is not ASCII: {command!r}")
        self._command = command
        self._owned = frozenset(name.upper() for name in _COMMAND_NAME.findall(command))
        self._lines = []
        self._pdu = ""
        self._state = State.AWAITING_PROMPT if expect_prompt else State.RUNNING
        return command.encode("ascii") + b"\r"

    def send_pdu(self, pdu_hex: str) -> bytes:
        """After a `Prompt` event: return the PDU followed by Ctrl-Z."""
        if self._state is not State.PROMPTED:
            raise LocalProtocolError(f"no prompt to answer (state {self._state.value})")
        if not _HEX.match(pdu_hex) or len(pdu_hex) % 2:
            raise LocalProtocolError(f"PDU is not an even number of hex digits: {pdu_hex!r}")
        self._pdu = pdu_hex.upper()
        self._state = State.PDU_SENT
        return self._pdu.encode("ascii") + CTRL_Z

    def abort(self) -> bytes:
        """Give up on the running command (the driver timed out).

        Returns ESC while the modem waits for a PDU (it cancels the message)
        and b"" otherwise. The connection is idle afterwards; read `pending`
        first to keep lines already received (the Wavecom answers AT+CPIN?
        with `+CPIN: READY` and no final result). Lines the modem prints
        later for the abandoned command arrive as `UnexpectedLine`s; send a
        plain `AT` and wait for its `OK` to be sure the modem is in step.
        """
        waiting_for_pdu = self._state in (State.AWAITING_PROMPT, State.PROMPTED)
        self._state = State.IDLE
        self._lines = []
        return ESC if waiting_for_pdu else b""

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed bytes read from the modem; return the events they complete."""
        self._buffer.feed(data)
        events: list[Event] = []
        while True:
            token = self._buffer.next_token(prompt_allowed=self._prompt_allowed())
            if token is None:
                return events
            if token is PROMPT:
                self._flush_urc_header(events)
                self._on_prompt(events)
            else:
                self._on_line(token, events)

    def _prompt_allowed(self) -> bool:
        # Also after the PDU: with echo on, a second `> ` may precede the result.
        return self._state in (State.AWAITING_PROMPT, State.PROMPTED, State.PDU_SENT)

    def _on_prompt(self, events: list[Event]) -> None:
        if self._state is State.AWAITING_PROMPT:
            self._state = State.PROMPTED
            events.append(Prompt(self._command))
        # Any further `> ` (echo of the PDU, a repeated prompt) carries nothing.

    def _on_line(self, line: str, events: list[Event]) -> None:
        if self._urc_header is not None:
            pdu = urc.as_pdu_line(line)
            if pdu is not None:
                name, header = self._urc_header
                self._urc_header = None
                events.append(Urc(name, header, pdu))
                return
            self._flush_urc_header(events)
        if self._is_echo(line):
            return
        if self._state is not State.IDLE:
            result = parse_final(line)
            if result is not None:
                events.append(Response(self._command, tuple(self._lines), result))
                self._state = State.IDLE
                self._lines = []
                return
        name = urc.urc_name(line, self._extra_urcs)
        if name is not None and not (self._state is not State.IDLE and name.upper() in self._owned):
            if urc.pdu_follows(name, line):
                self._urc_header = (name, line)
            else:
                events.append(Urc(name, line, urc.inline_pdu(name, line)))
            return
        if self._state is State.IDLE:
            events.append(UnexpectedLine(line))
        else:
            self._lines.append(line)

    def _flush_urc_header(self, events: list[Event]) -> None:
        """Emit a two-line URC header whose PDU line never came."""
        if self._urc_header is not None:
            name, header = self._urc_header
            self._urc_header = None
            events.append(Urc(name, header, None))

    def _is_echo(self, line: str) -> bool:
        if self._state is State.IDLE:
            return False
        if line.upper() == self._command.upper():
            return True
        if self._state is State.PDU_SENT and _HEX.match(line):
            # Some modems wrap or truncate the echoed PDU.
            return line.upper() in self._pdu
        return False
