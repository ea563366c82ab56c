"""SMSC delivery receipts (§5.2.12 esm_class 0x04; text as in v3.4 Appendix B):

    id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...

`id` is the message id the submit_sm_resp gave, `sub`/`dlvrd` the messages submitted and
delivered (001 and 001 or 000: one receipt per submitted short message), the dates UTC,
`stat` the final state's seven-letter name, `err` three digits, `text` the first 20
characters of the message. Appendix B calls the format vendor specific; this is the one
Kannel, Jasmin, smpplib users and aiosmpplib's parser read (dates without seconds).
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass

from .constants import MessageState
from .errors import PduDecodeError

STAT: dict[MessageState, str] = {
    MessageState.ENROUTE: "ENROUTE", MessageState.DELIVERED: "DELIVRD",
    MessageState.EXPIRED: "EXPIRED", MessageState.DELETED: "DELETED",
    MessageState.UNDELIVERABLE: "UNDELIV", MessageState.ACCEPTED: "ACCEPTD",
    MessageState.UNKNOWN: "UNKNOWN", MessageState.REJECTED: "REJECTD",
}
_BY_STAT = {v: k for k, v in STAT.items()}
TEXT_CHARACTERS = 20

_RECEIPT = re.compile(r"id:(?P<id>\S*) sub:(?P<sub>\d{1,3}) dlvrd:(?P<dlvrd>\d{1,3}) "
                      r"submit date:(?P<submit>\d{10}) done date:(?P<done>\d{10}) "
                      r"stat:(?P<stat>[A-Z]{7}) err:(?P<err>\d{1,3})(?: [Tt]ext:(?P<text>.*))?", re.S)


@dataclass(frozen=True, slots=True)
class Receipt:
    id: str
    state: MessageState
    submitted_at: float                 # epoch seconds
    done_at: float
    submitted: int = 1
    delivered: int = 0
    error: int = 0
    text: str = ""

    def render(self) -> str:
        return (f"id:{self.id} sub:{self.submitted:03d} dlvrd:{self.delivered:03d} "
                f"submit date:{_date(self.submitted_at)} done date:{_date(self.done_at)} "
                f"stat:{STAT[self.state]} err:{self.error % 1000:03d} "
                f"text:{self.text[:TEXT_CHARACTERS]}")


def _date(at: float) -> str:
    return time.strftime("%y%m%d%H%M", time.gmtime(at))


def parse(text: str) -> Receipt:
    """A receipt's text back (for tests and tools); dates to the minute."""
    m = _RECEIPT.match(text)
    if m is None or m["stat"] not in _BY_STAT:
        raise PduDecodeError(f"not a delivery receipt: {text[:80]!r}", 0)
    def at(value: str) -> float:
        return float(calendar.timegm(time.strptime(value, "%y%m%d%H%M")))
    return Receipt(id=m["id"], state=_BY_STAT[m["stat"]], submitted_at=at(m["submit"]),
                   done_at=at(m["done"]), submitted=int(m["sub"]), delivered=int(m["dlvrd"]),
                   error=int(m["err"]), text=m["text"] or "")
