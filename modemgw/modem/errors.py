"""What the modem driver reports upward."""

from __future__ import annotations


class ModemError(Exception):
    """Base class for driver errors."""


class PortLost(ModemError):
    """The serial port went away (USB unplug, re-enumeration, EIO)."""

    def __init__(self, message: str, pdu_written: bool = False) -> None:
        super().__init__(message)
        self.pdu_written = pdu_written


class CommandTimeout(ModemError):
    def __init__(self, command: str, timeout: float, pdu_written: bool = False) -> None:
        super().__init__(f"{command!r} got no final result within {timeout:g} s")
        self.command = command
        self.pdu_written = pdu_written


class CommandFailed(ModemError):
    """A command ended in ERROR, +CME ERROR or +CMS ERROR."""

    def __init__(self, command: str, result_line: str, error: int | str | None = None) -> None:
        super().__init__(f"{command!r} failed: {result_line}")
        self.command = command
        self.result_line = result_line
        self.error = error


class SimError(ModemError):
    """The SIM needs attention: a wrong PIN, a PUK, no SIM. Never retried automatically:
    each wrong PIN attempt counts towards locking the SIM."""


class ConfigurationError(ModemError):
    """The modem cannot send as configured (no SMSC on the SIM, no PDU mode)."""


class ModemUnavailable(ModemError):
    """The modem is not ready to send (offline, recovering, or failed)."""


class SendFailed(ModemError):
    """The network or modem refused the part: nothing went out."""

    def __init__(self, message: str, *, permanent: bool, code: int | str | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class SendUnknown(ModemError):
    """The PDU was written but no answer came: it may have gone out.
    Not a failure: resending blindly could deliver it twice."""
