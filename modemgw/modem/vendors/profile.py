"""What a vendor module may change in how the driver talks to a modem family."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VendorProfile:
    name: str
    # Lower-case substrings of the AT+CGMI reply that select this profile.
    manufacturers: tuple[str, ...] = ()
    # Sent after the standard set-up; a failure is logged, not fatal.
    init_commands: tuple[str, ...] = ()
    # Commands that read the ICCID, tried in order.
    iccid_commands: tuple[str, ...] = ("AT+CCID", "AT+ICCID")
    # Status report routing to try, best first (CNMI <ds>).
    ds_preference: tuple[int, ...] = (1, 2)
    # AT+CMGL=4 works in PDU mode (else each index is read with AT+CMGR).
    cmgl: bool = True
    # AT+CFUN=1,1 brings the modem back on the same port.
    soft_reset: bool = True
