"""What an encoder hands to the modem layer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EncodedPdu:
    """`hex` includes the SMSC prefix; `tpdu_length` excludes it.

    `AT+CMGS=<tpdu_length>` then `hex` + Ctrl-Z. Counting the SMSC octets
    in the length is the classic cause of `+CMS ERROR: 304`.
    """

    hex: str
    tpdu_length: int
