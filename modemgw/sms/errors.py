"""The codec's one exception type."""


class PduError(ValueError):
    """Malformed or unencodable SMS data.

    Every decoder in `modemgw.sms` raises only this on bad input, with a
    message saying what is wrong and where; encoders raise it for input that
    cannot be represented (an alphanumeric destination, a text too long).
    """
