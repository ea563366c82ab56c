"""TP-DCS: data coding scheme (TS 23.038 §4)."""

from __future__ import annotations

from dataclasses import dataclass

GSM7 = "gsm7"
EIGHT_BIT = "8bit"
UCS2 = "ucs2"

_ALPHABETS = (GSM7, EIGHT_BIT, UCS2)
_MWI_KINDS = ("voicemail", "fax", "email", "other")


@dataclass(frozen=True, slots=True)
class MessageWaiting:
    """Message waiting indication groups 1100..1110."""

    active: bool
    kind: str
    store: bool


@dataclass(frozen=True, slots=True)
class DataCoding:
    raw: int
    alphabet: str = GSM7
    message_class: int | None = None
    compressed: bool = False
    auto_delete: bool = False
    waiting: MessageWaiting | None = None
    reserved: bool = False


def decode_dcs(raw: int) -> DataCoding:
    group = raw >> 4
    if group <= 0x07:
        # General data coding (00xx) and automatic deletion (01xx) groups.
        alpha = (raw >> 2) & 0x03
        reserved = alpha == 3
        return DataCoding(
            raw=raw,
            # Reserved alphabet: receivers assume the default alphabet (§4).
            alphabet=GSM7 if reserved else _ALPHABETS[alpha],
            message_class=raw & 0x03 if raw & 0x10 else None,
            compressed=bool(raw & 0x20),
            auto_delete=bool(raw & 0x40),
            reserved=reserved,
        )
    if group <= 0x0B:
        # Reserved coding groups: assume the default alphabet.
        return DataCoding(raw=raw, reserved=True)
    if group <= 0x0E:
        waiting = MessageWaiting(active=bool(raw & 0x08), kind=_MWI_KINDS[raw & 0x03],
                                 store=group != 0x0C)
        return DataCoding(raw=raw, alphabet=UCS2 if group == 0x0E else GSM7,
                          waiting=waiting, reserved=bool(raw & 0x04))
    # 1111: data coding / message class; bit 3 is reserved.
    return DataCoding(raw=raw, alphabet=EIGHT_BIT if raw & 0x04 else GSM7,
                      message_class=raw & 0x03, reserved=bool(raw & 0x08))


def encode_dcs(alphabet: str, flash: bool = False) -> int:
    """General data coding group: 0x00 / 0x08, with class 0 (flash) 0x10 / 0x18."""
    value = {GSM7: 0x00, EIGHT_BIT: 0x04, UCS2: 0x08}[alphabet]
    return value | 0x10 if flash else value
