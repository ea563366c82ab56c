"""The AT package's two exception types."""


class LocalProtocolError(RuntimeError):
    """The caller asked `ATConnection` for something its state does not allow.

    Examples: sending a command while another one is running, sending a PDU
    before the modem printed its `> ` prompt, or a command containing a line
    terminator. This is a bug in the caller, never caused by modem output.
    """


class ResponseParseError(ValueError):
    """A modem reply did not have the shape a parser in `responses` expects.

    Every parser in `modemgw.at.responses` raises only this on bad input; the
    message quotes the offending text.
    """
