"""The modem driver: asyncio over a real serial port, with recovery."""

from .driver import Backoff, Modem, ModemInfo, ModemState, Timeouts
from .errors import (CommandFailed, CommandTimeout, ConfigurationError, ModemError, ModemUnavailable,
                     PortLost, SendFailed, SendUnknown, SimError)
from .receiving import ReceivedPdu

__all__ = [
    "Backoff", "CommandFailed", "CommandTimeout", "ConfigurationError", "Modem", "ModemError",
    "ModemInfo", "ModemState", "ModemUnavailable", "PortLost", "ReceivedPdu", "SendFailed",
    "SendUnknown", "SimError", "Timeouts",
]
