"""Phone numbers from requests: normalised to E.164, or a short code sent as given.

A number must be *possible* (the right length for its country code), not
*valid* (in a range the numbering plan has allocated): the fictional +1 555
numbers that simulated modems and test handsets use are not valid, and a
network refuses an unallocated number anyway, which the message then reports.
A number that is possible only locally (dialled without its area code, such as
12345 in GB) is refused: given +44 in front it goes nowhere, and the message
would be reported sent to a number that does not exist.

Short codes (84424) are national and have no E.164 form. With `short_codes`
on, a number without a leading + that is not a possible full number but is a
possible short number for the region (libphonenumber's short-number metadata,
which phonenumberslite ships: it leaves out only the geocoding, carrier and
time zone data) is kept as its digits; the modem sends it as a national number.
Emergency numbers are refused either way.
"""

from __future__ import annotations

import functools
import re
from enum import Enum

from .errors import Invalid, Problem

def invalid(field: str, message: str) -> Invalid:
    return Invalid(field, message, Problem.NUMBER)

# Digits with the usual separators; no letters (parse() would read 1-800-FLOWERS as digits).
_SHAPE = re.compile(r"\+?[0-9][0-9 ().\-]*")
_SEPARATORS = re.compile(r"[ ().\-]")


def recipient(value: object, field: str, default_region: str | None, *,
              short_codes: bool = False, e164_shape: bool = False) -> str:
    """E.164 (+447700900123), or with `short_codes` a short code's digits (84424).

    With `e164_shape`, a number written with + and a known country code is taken when it
    has the shape of E.164 (8 to 15 digits), possible or not: for edges whose contract's
    own examples use numbers no plan allows (SMS Provider's +1234567890); the network
    refuses such a number, and the message then says so."""
    if not isinstance(value, str):
        raise invalid(field, f"{field} must be a string with a phone number in E.164 form (+14155550123)")
    text = value.strip()
    if not _SHAPE.fullmatch(text):
        raise invalid(field, f"{field} is not a phone number: use digits with a leading + and the "
                             f"country code, e.g. +14155550123")
    national = not text.startswith("+")
    if national and default_region is None:
        raise invalid(field, f"{field} needs a leading + and the country code (E.164, e.g. "
                             f"+14155550123); no default region is configured for national numbers")
    normalised = _normalise(text, default_region if national else None)
    if isinstance(normalised, str):
        return normalised
    if not national:
        digits = _SEPARATORS.sub("", text)[1:]
        if e164_shape and normalised is not None and 8 <= len(digits) <= 15:
            return "+" + digits
        if normalised is None:
            raise invalid(field, f"{field} is not a phone number (unknown country code, or too "
                                 f"short or too long)")
        raise invalid(field, f"{field} is not a possible number for country code "
                             f"+{normalised} (wrong length)")
    assert default_region is not None
    digits = _SEPARATORS.sub("", text)
    kind = _short(digits, default_region)
    if kind is Short.EMERGENCY:
        raise invalid(field, f"{field} is an emergency number in {default_region}: the gateway "
                             f"does not send to emergency numbers")
    if kind is Short.POSSIBLE and short_codes:
        return digits
    if kind is Short.POSSIBLE:
        raise invalid(field, f"{field} can only be a short code in {default_region}, and this gateway "
                             f"does not send to short codes ([api] allow_short_codes)")
    raise invalid(field, f"{field} is not a possible number in {default_region} (wrong length, "
                         f"or a local number without its area code): give the whole national "
                         f"number, or the number with a leading + and the country code")


@functools.lru_cache(maxsize=4096)
def _normalise(text: str, region: str | None) -> str | int | None:
    """E.164; the country code of an impossible number; None if unparseable. Cached:
    senders of alerts write to the same numbers again and again, and parsing is a
    noticeable part of accepting a message."""
    # Imported here, on the first number checked (about 1 MB resident with its metadata):
    # a gateway that has sent nothing since it started, or only receives, does not hold it.
    import phonenumbers
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    # IS_POSSIBLE_LOCAL_ONLY (a number without its area code) is not enough.
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        return int(number.country_code)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Short(Enum):
    NO = "no"
    POSSIBLE = "possible"        # the right length for a short number in the region
    EMERGENCY = "emergency"


@functools.lru_cache(maxsize=1024)
def _short(digits: str, region: str) -> Short:
    import phonenumbers     # on first use, as in _normalise
    from phonenumbers import shortnumberinfo
    # Exact, not connects_to_emergency_number: a text to 99912 goes to 99912, not to 999.
    if shortnumberinfo.is_emergency_number(digits, region):
        return Short.EMERGENCY
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return Short.NO
    return Short.POSSIBLE if shortnumberinfo.is_possible_short_number_for_region(number, region) \
        else Short.NO
