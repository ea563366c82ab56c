"""The message core: what every edge (native API, dialects, SMPP, console, alert
receivers) calls, so that checks, idempotency, rate limits, ownership and statuses live
in one place.

    core = Core(store, references=ConcatReferences(), settings=Settings(default_region="GB"))
    key = await core.authenticate(token)
    await core.take(key)                                   # the key's rate limit
    accepted = await core.send(Submission(to=("+447700900123",), text="hi"), key=key)
    row = await core.get(accepted.messages[0]["id"], key=key)

Errors are `CoreError`s (`Invalid` with the caller's field name, `Unauthenticated`,
`Forbidden`, `NotFound`, `RateLimited`, `NoCapacity`); each edge maps them onto its own
error shape. A failed or expired message's `error_code` is an `ErrorCode`. `core.tallies`
holds what edges count for the operator (tallies.py).
"""

from .errors import (CoreError, Forbidden, Invalid, NoCapacity, NotFound, Problem, RateLimited,
                     Unauthenticated, Unavailable, core_error)
from ..store.status import ErrorCode
from .records import Accepted, Rejected, Submission
from .service import Core, Settings
from .tallies import Note, Tallies

__all__ = ["Accepted", "Core", "CoreError", "ErrorCode", "Forbidden", "Invalid", "NoCapacity", "NotFound", "Note", "Problem", "RateLimited", "Rejected", "Settings", "Submission", "Tallies", "Unauthenticated", "Unavailable", "core_error"]
