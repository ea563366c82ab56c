"""A simulated GSM modem on a pseudo-terminal, speaking AT commands in PDU mode.

Tests, demos and newcomers run the real serial code path against it without
hardware. See `Simulator` for the API and `modemgw simulate -h`.
"""

from .cli import main
from .faults import Faults
from .profiles import PROFILES, Profile
from .settings import Settings
from .simulator import Simulator

__all__ = ["PROFILES", "Faults", "Profile", "Settings", "Simulator", "main"]
