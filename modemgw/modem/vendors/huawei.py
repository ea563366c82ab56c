"""Huawei sticks (E173, E1752, E3372 in stick mode).

- `^RSSI`, `^BOOT`, `^MODE` URCs arrive every few seconds; `AT^CURC=0` turns them
  off (https://github.com/gammu/gammu/issues/111, https://github.com/gammu/gammu/issues/138,
  https://github.com/zabsalahid/serialport-gsm/issues/61).
- `AT+CFUN=1,1` on an E173 reboots it into mass-storage mode, leaving a dead port
  (https://github.com/gammu/gammu/issues/687): reopen the port instead.
- Brovi E3372 firmware lists no "SR" memory
  (https://github.com/gammu/gammu/blob/master/tests/at-cpms/brovi-e3372-325.dump).
- The ICCID is read with `AT^ICCID?`.
"""

from .profile import VendorProfile

PROFILE = VendorProfile(
    name="huawei",
    manufacturers=("huawei",),
    init_commands=("AT^CURC=0",),
    iccid_commands=("AT^ICCID?", "AT+CCID"),
    soft_reset=False,
)
