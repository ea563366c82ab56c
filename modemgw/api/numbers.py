"""Phone numbers from requests, normalised to E.164.

A number must be *possible* (the right length for its country code), not
*valid* (in a range the numbering plan has allocated): the fictional +1 555
numbers that simulated modems and test handsets use are not valid, and a
network refuses an unallocated number anyway, which the message then reports.
"""

from __future__ import annotations

import functools
import re

import phonenumbers

from .errors import invalid

# Digits with the usual separators; no letters (parse() would read 1-800-FLOWERS as digits).
_SHAPE = re.compile(r"\+?[0-9][0-9 ().\-]*")


def e164(value: object, field: str, default_region: str | None) -> str:
    if not isinstance(value, str):
        raise invalid(field, f"{field} must be a string with a phone number in E.164 form (+14155550123)")
    text = value.strip()
    if not _SHAPE.fullmatch(text):
        raise invalid(field, f"{field} is not a phone number: use digits with a leading + and the "
                             f"country code, e.g. +14155550123")
    if not text.startswith("+") and default_region is None:
        raise invalid(field, f"{field} needs a leading + and the country code (E.164, e.g. "
                             f"+14155550123); no default region is configured for national numbers")
    normalised = _normalise(text, None if text.startswith("+") else default_region)
    if isinstance(normalised, int):
        raise invalid(field, f"{field} is not a possible number for country code "
                             f"+{normalised} (wrong length)")
    if normalised is None:
        raise invalid(field, f"{field} is not a phone number (unknown country code, or too short "
                             f"or too long)")
    return normalised


@functools.lru_cache(maxsize=4096)
def _normalise(text: str, region: str | None) -> str | int | None:
    """E.164; the country code of an impossible number; None if unparseable. Cached:
    senders of alerts write to the same numbers again and again, and parsing is a
    noticeable part of accepting a message."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return int(number.country_code)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
