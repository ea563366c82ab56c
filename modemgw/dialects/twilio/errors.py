"""Core errors as Twilio's: `{code, message, more_info, status}` with Twilio's error codes
(https://www.twilio.com/docs/api/errors), one table, each row tested."""

from __future__ import annotations

from aiohttp import web

from ...core import (CoreError, Forbidden, Invalid, NoCapacity, NotFound, Problem, RateLimited,
                     Unauthenticated, Unavailable)

# Twilio's dictionary has a code for a plain bad request ("400: Bad Request"): for what no
# more specific code describes (a bad PageSize, an unreadable body).
BAD_REQUEST = 400
INTERNAL = 20500
# A bad value of a Messages parameter, by the parameter's name.
PARAMETERS = {
    "To": 21211,              # "Invalid 'To' Phone Number"
    "From": 21606,            # "The 'From' phone number provided is not a valid message-capable ..."
    "Body": 21602,            # "Message body is required"
    "StatusCallback": 21609,  # "Invalid StatusCallback"
    "ValidityPeriod": 21624,  # "Invalid validity period value"
    "SendAt": 35114,          # "Scheduling does not support this timestamp"
    "MediaUrl": 21621,        # "The 'From' number has not been enabled for MMS"
}
TOO_LONG = 21617              # "The concatenated message body exceeds the 1600 character limit"
# Another account's message is "not found" too, as Twilio answers for it.
ERRORS: dict[type[CoreError], tuple[int, int]] = {
    Unauthenticated: (401, 20003),   # "Authenticate"
    Forbidden: (404, 20404),
    NotFound: (404, 20404),          # "The requested resource ... was not found"
    RateLimited: (429, 20429),       # "Too Many Requests"
    NoCapacity: (400, 21611),        # "This 'From' number has exceeded the maximum number of queued messages"
    Unavailable: (503, 20503),       # "Service unavailable": the database cannot be reached
}


class Refused(CoreError):
    """A request this dialect refuses on its own, with Twilio's code for it."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def classify(err: CoreError) -> tuple[int, int]:
    """(HTTP status, Twilio code)."""
    if isinstance(err, Refused):
        return err.status, err.code
    if isinstance(err, Invalid):
        if err.problem is Problem.TOO_LONG:
            return 400, TOO_LONG
        return 400, PARAMETERS.get(err.field or "", BAD_REQUEST)
    for kind, answer in ERRORS.items():
        if isinstance(err, kind):
            return answer
    return 500, INTERNAL


def render(err: CoreError) -> web.Response:
    status, code = classify(err)
    response = web.json_response({"code": code, "message": err.message,
                                  "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status},
                                 status=status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return response
