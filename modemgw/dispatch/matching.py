"""Which sent part a status report belongs to (pure).

A report quotes the TP-MR the modem gave the part and the recipient. The MR
is 8 bits and wraps after 256 submissions, and the recipient may come back
national (07911…) where it was sent international (+447911…), as oFono's
`sr_pdu3` test shows. So: same modem, same MR (or an unknown MR, when just
one such part fits), the same number when compared from the right, and the
most recent submission that precedes the report.
"""

from __future__ import annotations

from collections.abc import Sequence

MIN_DIGITS = 6


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def same_number(a: str, b: str) -> bool:
    da, db = _digits(a).lstrip("0"), _digits(b).lstrip("0")
    if not da or not db:
        return False
    short, long_ = sorted((da, db), key=len)
    return len(short) >= min(MIN_DIGITS, len(long_)) and long_.endswith(short)


def choose(candidates: Sequence[dict], recipient: str, reported_at: float | None,
           slack: float = 120.0) -> dict | None:
    """`candidates`: dicts with `to_number`, `submitted_at`, `status`; newest first is not assumed."""
    fitting = [c for c in candidates if same_number(c["to_number"], recipient)]
    if reported_at is not None:
        # The SC timestamp in a report is when it received the message, so
        # a part submitted after it (beyond clock skew) cannot be the one.
        fitting = [c for c in fitting if c["submitted_at"] is None
                   or c["submitted_at"] <= reported_at + slack] or fitting
    if not fitting:
        return None
    # A part that got this very MR beats one whose MR was never learnt (its
    # +CMGS answer was lost): the latter is only a guess.
    known = [c for c in fitting if c.get("mr") is not None]
    if known:
        fitting = known
    elif len(fitting) > 1:
        # Only guesses, and more than one: parts in doubt to one number, each
        # killed during its AT+CMGS. Some never went out; naming one delivered
        # could be false twice over, so none is (they stay `unknown`).
        return None
    open_ = [c for c in fitting if c["status"] in ("sent", "unknown")]
    pool = open_ or fitting
    return max(pool, key=lambda c: c["submitted_at"] or 0.0)
