"""AT command protocol core for GSM/LTE modems, sans-IO (after h11).

Pure code: bytes in, events out. No serial port, no asyncio, no clock; the
driver owns those and decides on timeouts.

Typical use by a driver::

    conn = ATConnection()
    port.write(conn.send_command("AT+CMGS=23", expect_prompt=True))
    while waiting:
        for event in conn.receive_data(port.read()):
            match event:
                case Prompt():
                    port.write(conn.send_pdu(tpdu_hex_with_sca))
                case Response(result=result, lines=lines):
                    ...            # the command is done; conn is idle again
                case Urc(name="+CMTI"):
                    ...            # unsolicited, queue it for later
                case UnexpectedLine(line=line):
                    log(line)
    # on timeout:
    salvage = conn.pending        # lines received so far, if any
    port.write(conn.abort())      # ESC if the modem waits for a PDU

`ATConnection`
    `send_command(cmd, expect_prompt=False) -> bytes`: start a command (one at
    a time); `send_pdu(hex) -> bytes`: answer a Prompt (PDU + Ctrl-Z);
    `abort() -> bytes`: give up on the running command; `receive_data(bytes)
    -> list[Event]`; `state`, `pending`. Misuse raises `LocalProtocolError`.
Events (`events`)
    `Response(command, lines, result: FinalResult)`, `Prompt(command)`,
    `Urc(name, line, pdu)`, `UnexpectedLine(line)`. `FinalResult(kind:
    ResultKind, line, error)` with `error` the `+CME/+CMS ERROR` argument.
`cms_errors.classify(code_or_text) -> (kind, meaning)`
    `kind` is "temporary" or "permanent"; the table is `CMS_ERRORS`.
`responses`
    Parsers for +CMGS, +CMGR, +CMGL, +CMTI/+CDSI, +CNMI=?, +CPMS=?, +CPMS,
    +CSMS, +CSMS=?, +CSCA, +CSQ, +CREG/+CGREG/+CEREG, +COPS, +CPIN; they
    raise only `ResponseParseError`.

Echo may be on or off (the echo is recognised and dropped); the modem must
use verbose result codes (ATV1, the default) and PDU mode for +CMT/+CDS.
"""

from .cms_errors import CMS_ERRORS, classify
from .connection import ATConnection, PendingCommand, State
from .errors import LocalProtocolError, ResponseParseError
from .events import Event, FinalResult, Prompt, Response, ResultKind, UnexpectedLine, Urc

__all__ = [
    "ATConnection",
    "CMS_ERRORS",
    "Event",
    "FinalResult",
    "LocalProtocolError",
    "PendingCommand",
    "Prompt",
    "Response",
    "ResponseParseError",
    "ResultKind",
    "State",
    "UnexpectedLine",
    "Urc",
    "classify",
]
