"""Message and inbound ids as 128-bit numbers, for edges whose contract has a
fixed-format id (a UUID; Twilio's SM + 32 hex digits).

The number is the id itself, read as an integer, so it converts both ways without a
lookup: in a response, in a request for the message, and in a webhook, whose snapshot
holds only the id.

    n = number("msg_01hx...", "msg")          # None: not a message id
    from_number("msg", n) == "msg_01hx..."

`new_id("msg")` is a fresh message id, for an edge that must name a message before it is
sent (Submission.message_id).
"""

from ..store.ids import from_number, new_id, number

__all__ = ["from_number", "new_id", "number"]
