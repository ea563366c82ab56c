"""The SMPP package's exception types: one for what a peer sent, one for caller misuse."""

from __future__ import annotations


class PduDecodeError(ValueError):
    """Bytes from the peer that are not a PDU this codec accepts.

    `status` is the command_status to answer with (in the request's own response, or a
    generic_nack), `sequence` and `command_id` what the header said (0 when the header
    itself was unreadable). The message names the field and its offset in the PDU.
    """

    def __init__(self, message: str, status: int, *, sequence: int = 0, command_id: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.sequence = sequence
        self.command_id = command_id


class LocalProtocolError(RuntimeError):
    """The caller asked for something the protocol or the session's state does not allow:
    a value too long for its field, a response to a request never received, a request
    beyond the window. A bug in the caller, never caused by what the peer sent."""


class RemoteProtocolError(PduDecodeError):
    """The peer broke the protocol in a way that ends the session (a command_length
    that cannot be right, so the stream cannot be read any further)."""
