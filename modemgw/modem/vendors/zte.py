"""ZTE sticks (K3565-Z, MF190, MF626).

- `AT+CSMP=...` clears the SMSC number on the SIM: never sent
  (https://github.com/faucamp/python-gsmmodem/issues/8).
- `AT+CSCA?` answers `+CME ERROR: 14` (SIM busy) right after start-up: the driver
  retries SIM-busy answers (https://github.com/faucamp/python-gsmmodem/issues/11).
- The ICCID is read with `AT+ZGETICCID`.
"""

from .profile import VendorProfile

PROFILE = VendorProfile(
    name="zte",
    manufacturers=("zte",),
    iccid_commands=("AT+ZGETICCID", "AT+CCID"),
)
