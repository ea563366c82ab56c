"""SIMCom modules (SIM800, SIM7600, A7670).

- SIM800L accepts `<ds>` 0 or 1 only, and routes reports as `+CDS`
  (https://github.com/faucamp/python-gsmmodem/issues/60).
- `AT+CMGF` answers ERROR until `SMS Ready` has been printed after power-up
  (https://github.com/Seeed-Studio/GPRS_SIM900/issues/39): the driver retries it.
- The ICCID is read with `AT+CCID` (SIM800) or `AT+CICCID` (SIM7600).
"""

from .profile import VendorProfile

PROFILE = VendorProfile(
    name="simcom",
    manufacturers=("simcom", "sim com"),
    iccid_commands=("AT+CCID", "AT+CICCID"),
)
