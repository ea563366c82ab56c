"""What the core refuses. Every edge (the native API, a dialect, SMPP) maps these onto its
own error shape; none of them decides on its own what is valid."""

from __future__ import annotations

from enum import Enum

from ..store.errors import StoreUnavailable


class Problem(Enum):
    """What is wrong with a field, for edges whose contract has a code per kind."""
    NUMBER = "number"              # not a phone number the gateway can send to
    TOO_LONG = "too_long"          # a text over the edge's length limit, or over 255 parts
    SENDER = "sender"
    OTHER = "other"


class CoreError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(CoreError):
    """A request field is wrong; `field` is the caller's name for it (e.g. "to[3]")."""

    def __init__(self, field: str | None, message: str, problem: Problem = Problem.OTHER) -> None:
        super().__init__(message)
        self.field = field
        self.problem = problem


class Unauthenticated(CoreError):
    pass


class Forbidden(CoreError):
    pass


class NotFound(CoreError):
    pass


class RateLimited(CoreError):
    def __init__(self, message: str, retry_after: int, decision: object = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.decision = decision           # the limiter's Decision, for the edge's headers


class Unavailable(CoreError):
    """The database cannot be reached (a node cut off from PostgreSQL). A request whose
    commit was under way when it went may have been kept: a retry with the same
    Idempotency-Key gets it, not a second copy. `retry_after` seconds is a fair wait
    before trying again (on any node)."""

    def __init__(self, message: str = "the gateway's database cannot be reached; try again shortly "
                                      "(with the same Idempotency-Key, if the request had one)",
                 retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def core_error(exc: BaseException) -> CoreError | None:
    """The core error an exception from below the core stands for, if any (an edge's
    middleware asks before it calls a failure a fault of the gateway's)."""
    return Unavailable() if isinstance(exc, StoreUnavailable) else None


class NoCapacity(CoreError):
    """Every modem that could send has used up its daily cap (a provider's "insufficient
    credits"): accepting would only queue the message until tomorrow."""
