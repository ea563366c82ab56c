"""Events produced by `ATConnection.receive_data()`.

Small immutable records, emitted in the order their last byte arrived.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ResultKind(enum.Enum):
    """What kind of final result code ended a command."""

    OK = "OK"
    ERROR = "ERROR"  # plain ERROR and vendor synonyms (COMMAND NOT SUPPORT)
    CME_ERROR = "+CME ERROR"  # equipment error, 27.007 §9.2
    CMS_ERROR = "+CMS ERROR"  # message service error, 27.005 §3.2.5
    CALL = "CALL"  # V.250 call progress: NO CARRIER, BUSY, NO ANSWER, ...


@dataclass(frozen=True, slots=True)
class FinalResult:
    """The line that ended a command.

    `error` is the argument of `+CME ERROR:` / `+CMS ERROR:`: an int when the
    modem printed a number (AT+CMEE=1), the text when verbose (AT+CMEE=2),
    None for every other kind.
    """

    kind: ResultKind
    line: str
    error: int | str | None = None

    @property
    def ok(self) -> bool:
        return self.kind is ResultKind.OK


@dataclass(frozen=True, slots=True)
class Response:
    """A command finished: its information lines and its final result."""

    command: str
    lines: tuple[str, ...]
    result: FinalResult

    @property
    def ok(self) -> bool:
        return self.result.ok


@dataclass(frozen=True, slots=True)
class Prompt:
    """The modem printed `> ` and waits for the PDU (call `send_pdu()`)."""

    command: str


@dataclass(frozen=True, slots=True)
class Urc:
    """An unsolicited result code.

    `name` is the prefix before the colon (`+CMTI`, `^RSSI`) or the whole
    line for bare words (`RING`, `SMS Ready`). `pdu` is the hex PDU of
    `+CMT`/`+CDS`/`+CBM`: taken from the second line of the two-line form,
    from the payload of the one-line `+CDS: 0600...` form, and None when a
    two-line header was not followed by anything that looks like hex.
    """

    name: str
    line: str
    pdu: str | None = None

    @property
    def payload(self) -> str:
        """The text after the first colon, stripped ('' for bare words)."""
        _, sep, rest = self.line.partition(":")
        return rest.strip() if sep else ""


@dataclass(frozen=True, slots=True)
class UnexpectedLine:
    """A line that arrived while no command was running and is no known URC.

    Typical causes: the late result of an aborted command, boot noise, or a
    vendor URC missing from the table. Kept rather than dropped so the driver
    can log it.
    """

    line: str


Event = Response | Prompt | Urc | UnexpectedLine
