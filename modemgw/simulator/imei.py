"""A simulated modem's IMEI and its SIM's ICCID: distinct per name, the same on every run,
with a valid check digit.

A gateway finds a modem by IMEI (`imei = ...` in a `[[modem]]` entry) and says
which modem sent what by it, and a message may be pinned to a SIM by its ICCID, so two
simulated modems must not share either, and a simulated modem must keep its own across
restarts. The IMEI's 14 digits are a fixed TAC (the one the simulator always used) and
six digits from a hash of the name; the 15th is the Luhn check digit of 3GPP TS 23.003
annex B. The ICCID (ITU-T E.118) is 89 (telecommunications), 999 (no country: a test
number), 13 digits from the hash and its own Luhn digit: 19 digits, as most SIMs have.
"""

import hashlib

TAC = "99000086"


def imei_for(name: str) -> str:
    serial = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % 10**6
    body = f"{TAC}{serial:06d}"
    return body + luhn_digit(body)


def iccid_for(name: str) -> str:
    serial = int.from_bytes(hashlib.sha256(b"iccid:" + name.encode()).digest()[:8], "big") % 10**13
    body = f"89999{serial:013d}"
    return body + luhn_digit(body)


def luhn_digit(digits: str) -> str:
    """The digit that makes `digits` + it pass the Luhn check (every second digit
    from the right of the full number doubled)."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str(-total % 10)
