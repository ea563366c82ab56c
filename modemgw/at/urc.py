"""The table of unsolicited result codes and how to frame them.

A line is a URC when its prefix (the text before the colon) or the whole
line is listed here, unless the running command owns that prefix: `+CPIN:`
is a boot URC but the answer to AT+CPIN?, `+CREG: 1` a URC but `+CREG: 0,1`
the answer to AT+CREG?. That decision is made in `connection`; this module
only knows names.
"""

from __future__ import annotations

import re
from typing import Final

# Prefixed URCs (upper case, without the colon).
PREFIXED: Final = frozenset(
    {
        # 27.005 §3.4.1 new-message indications.
        "+CMTI", "+CMT", "+CDSI", "+CDS", "+CBMI", "+CBM",
        # 27.007 registration, SIM, call and USSD notifications.
        "+CREG", "+CGREG", "+CEREG", "+C5GREG", "+CPIN", "+CFUN",
        "+CRING", "+CLIP", "+CCWA", "+CUSD", "+CIEV", "+CSSI", "+CSSU",
        "+CTZV", "+CTZE", "+CTZEU",
        # Quectel boot/status (EC25 AT manual), SIMCom "+PACSP" (SIM800).
        "+QIND", "+QUSIM", "+PACSP",
        # Wavecom (python-gsmmodem test/fakemodems.py).
        "+WIND",
        # Huawei, as ModemManager's huawei plugin registers them
        # (plugins/huawei/mm-broadband-modem-huawei.c) and gammu #111/#138.
        "^RSSI", "^HCSQ", "^MODE", "^BOOT", "^DSFLOWRPT", "^SRVST",
        "^SIMST", "^SYSSTART", "^RSSILVL", "^HRSSILVL", "^CSNR", "^NDISSTAT",
        "^ORIG", "^CONF", "^CONN", "^CEND", "^TIME", "^NWTIME",
        "^STIN", "^SMMEMFULL",
    }
)

# URCs that are a whole fixed line (compared case-insensitively).
WORDS: Final = frozenset(
    {
        "RING",
        "RDY",  # Quectel/SIMCom: UART ready after boot
        "SMS READY", "CALL READY", "PB DONE",  # SIMCom boot (SIM800, SIM5360)
        "NORMAL POWER DOWN",  # SIMCom power-off notice
        "POWERED DOWN",  # Quectel power-off notice
        # A final result while a command runs; unsolicited when idle (remote hang-up).
        "NO CARRIER",
    }
)

# URCs whose PDU follows on the next line (27.005 §3.4.1, PDU mode):
# `+CMT: [<alpha>],<length>`, `+CBM: <length>`, `+CDS: <length>`.
TWO_LINE: Final = frozenset({"+CMT", "+CBM", "+CDS"})

_PREFIX: Final = re.compile(r"^([+^$%#*][A-Za-z0-9]+)\s*:")
_LENGTH_ONLY: Final = re.compile(r"^\d{1,3}$")
_HEX_LINE: Final = re.compile(r"^[0-9A-Fa-f]+\"?$")
_HEX_PAYLOAD: Final = re.compile(r"^[0-9A-Fa-f]{4,}$")


def prefix_of(line: str) -> str | None:
    """`+CMTI` for `+CMTI: "SM",3`; None for lines without such a prefix."""
    match = _PREFIX.match(line)
    return match.group(1).upper() if match else None


def urc_name(line: str, extra: frozenset[str] = frozenset()) -> str | None:
    """The URC name for this line (its prefix, or the line itself), else None."""
    prefix = prefix_of(line)
    if prefix is not None:
        return prefix if prefix in PREFIXED or prefix in extra else None
    upper = line.upper()
    if upper in WORDS or upper in extra:
        return line
    return None


def pdu_follows(name: str, line: str) -> bool:
    """Whether this URC line is the header of a two-line URC.

    `+CDS` has a one-line form carrying the TPDU itself (`+CDS: 06000B91...`,
    http://amro.blogspot.com/2007/09/receiving-sms-status-report-message.html)
    and a text-mode form with commas; only `+CDS: <length>` is a header.
    """
    if name not in TWO_LINE:
        return False
    if name == "+CDS":
        _, _, payload = line.partition(":")
        return bool(_LENGTH_ONLY.match(payload.strip()))
    return True


def inline_pdu(name: str, line: str) -> str | None:
    """The PDU carried on the URC line itself (one-line `+CDS:`), else None."""
    if name != "+CDS":
        return None
    _, _, payload = line.partition(":")
    payload = payload.strip()
    return payload if _HEX_PAYLOAD.match(payload) else None


def as_pdu_line(line: str) -> str | None:
    """The hex PDU if this line can be the second line of a two-line URC.

    A trailing stray `"` is dropped (gammu tests/at-sms/04.dump shows one).
    """
    return line.rstrip('"') if _HEX_LINE.match(line) else None
