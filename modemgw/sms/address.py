"""Addresses: TP-OA / TP-DA / TP-RA and the SMSC address (TS 23.040 §9.1.2.5, TS 24.011 §8.2.5.1)."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import PduError
from .gsm7 import DEFAULT
from .packing import pack_septets, unpack_septets
from .reader import Reader
from .semi_octets import decode_digits, encode_digits

TON_UNKNOWN = 0
TON_INTERNATIONAL = 1
TON_NATIONAL = 2
TON_ALPHANUMERIC = 5
NPI_ISDN = 1


@dataclass(frozen=True, slots=True)
class Address:
    """`number` has a leading '+' when international; alphanumeric senders are decoded text."""

    number: str
    ton: int = TON_UNKNOWN
    npi: int = NPI_ISDN

    @property
    def alphanumeric(self) -> bool:
        return self.ton == TON_ALPHANUMERIC

    @property
    def digits(self) -> str:
        return self.number.lstrip("+")

    def __str__(self) -> str:
        return self.number


def _type_octet(toa: int) -> tuple[int, int]:
    return (toa >> 4) & 0x07, toa & 0x0F


def _number(digits: str, ton: int) -> str:
    return "+" + digits if ton == TON_INTERNATIONAL and digits else digits


def decode_address(r: Reader, field: str) -> Address:
    """A TP address: length in semi-octets (useful digits), type, then the value."""
    length = r.octet(f"{field} length")
    toa = r.octet(f"{field} type")
    value = r.take((length + 1) // 2, field)
    ton, npi = _type_octet(toa)
    if ton == TON_ALPHANUMERIC:
        # The length counts semi-octets of packed septets: floor(len*4/7)
        # septets, or a trailing fill nibble decodes as a spurious '@'.
        septets = unpack_septets(value, length * 4 // 7)
        return Address(DEFAULT.decode(septets), ton, npi)
    return Address(_number(decode_digits(value, length), ton), ton, npi)


def decode_smsc(r: Reader) -> Address | None:
    """The SMSC address in front of the TPDU: length in octets (type included)."""
    length = r.octet("SMSC length")
    if length == 0:
        return None
    toa = r.octet("SMSC type")
    value = r.take(length - 1, "SMSC address")
    ton, npi = _type_octet(toa)
    return Address(_number(decode_digits(value, 2 * len(value)), ton), ton, npi)


def _split(number: str) -> tuple[str, int]:
    number = number.strip()
    if number.startswith("+"):
        return number[1:], TON_INTERNATIONAL
    return number, TON_UNKNOWN


def encode_phone_number(number: str, field: str = "destination") -> bytes:
    """TP-DA style: digits only; '+' makes it international (type 0x91), else 0x81."""
    digits, ton = _split(number)
    if not digits or not digits.isascii() or not digits.isdigit():
        raise PduError(f"{field} {number!r} is not a phone number (digits, optional leading '+')")
    if len(digits) > 20:
        raise PduError(f"{field} {number!r} has more than 20 digits")
    return bytes([len(digits), 0x80 | (ton << 4) | NPI_ISDN]) + encode_digits(digits)


def encode_originator(originator: str) -> bytes:
    """TP-OA: a phone number, or an alphanumeric sender of up to 11 GSM characters."""
    digits, _ = _split(originator)
    if digits.isascii() and digits.isdigit():
        return encode_phone_number(originator, "originator")
    septets = DEFAULT.encode(originator)
    if not septets or len(septets) > 11:
        raise PduError(f"alphanumeric originator {originator!r} must be 1 to 11 GSM characters")
    packed = pack_septets(septets)
    semi_octets = (len(septets) * 7 + 3) // 4
    return bytes([semi_octets, 0x80 | (TON_ALPHANUMERIC << 4)]) + packed


def encode_smsc(number: str | None) -> bytes:
    """'00' (use the SMSC stored on the SIM) when no number is given."""
    if not number:
        return b"\x00"
    address = encode_phone_number(number, "SMSC")
    return bytes([len(address) - 1]) + address[1:]
