"""Decoding a PDU as a modem prints it: with or without the SMSC address in front."""

from __future__ import annotations

from .address import decode_smsc
from .deliver import MTI_DELIVER, Deliver, decode_deliver
from .errors import PduError
from .reader import Reader
from .status_report import MTI_STATUS_REPORT, StatusReport, decode_status_report
from .submit import MTI_SUBMIT, Submit, decode_submit

_DECODERS = {
    MTI_DELIVER: decode_deliver,
    MTI_SUBMIT: decode_submit,
    MTI_STATUS_REPORT: decode_status_report,
}


def parse_hex(text: str) -> bytes:
    cleaned = "".join(text.split())
    if len(cleaned) % 2:
        raise PduError(f"PDU has an odd number of hex digits ({len(cleaned)})")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        bad = next((c for c in cleaned if c not in "0123456789abcdefABCDEF"), "?")
        raise PduError(f"PDU contains {bad!r}, which is not a hex digit") from None


def decode_tpdu(tpdu: bytes, smsc=None) -> Deliver | StatusReport | Submit:
    if not tpdu:
        raise PduError("empty TPDU")
    mti = tpdu[0] & 0x03
    decoder = _DECODERS.get(mti)
    if decoder is None:
        raise PduError("TP-MTI 3 is reserved: not a PDU a modem hands to the TE")
    return decoder(tpdu, smsc)


def _with_smsc(octets: bytes) -> Deliver | StatusReport | Submit:
    r = Reader(octets)
    length = octets[0] if octets else 0
    # An SMSC address is at most 11 octets (TS 24.011 §8.2.5.1) and its type
    # octet has bit 8 set; a TPDU's first octets rarely look like that.
    if length > 11 or (length and (len(octets) < 2 or not octets[1] & 0x80)):
        raise PduError(f"first octet 0x{length:02X} is not an SMSC address length")
    smsc = decode_smsc(r)
    return decode_tpdu(r.rest(), smsc)


def _plausible_tpdu(octets: bytes) -> Deliver | StatusReport | Submit:
    # Guessing "no SMSC prefix" without a length to confirm it: a truncated
    # PDU with a prefix can read as a short TPDU, but not with a valid date.
    result = decode_tpdu(octets)
    if not isinstance(result, Submit) and result.timestamp is None:
        raise PduError("no valid TP-SCTS when read as a TPDU")
    return result


def decode_pdu(hex_pdu: str | bytes, length: int | None = None) -> Deliver | StatusReport | Submit:
    """Decode an SMS-DELIVER, SMS-STATUS-REPORT or SMS-SUBMIT.

    `length` is the `<length>` the modem printed (TPDU octets, SMSC excluded).
    When it matches the PDU it decides whether an SMSC prefix is present;
    modems do print wrong lengths, so otherwise both readings are tried,
    SMSC first (27.005 PDU mode includes it).
    """
    octets = parse_hex(hex_pdu) if isinstance(hex_pdu, str) else bytes(hex_pdu)
    if not octets:
        raise PduError("empty PDU")
    attempts = [_with_smsc, _plausible_tpdu]
    if length is not None:
        if length == len(octets):
            attempts = [decode_tpdu]
        elif octets[0] + 1 + length == len(octets):
            attempts = [_with_smsc]
    errors: list[str] = []
    for attempt in attempts:
        try:
            return attempt(octets)
        except PduError as exc:
            errors.append(str(exc))
    if len(errors) == 1:
        raise PduError(errors[0])
    raise PduError(f"{errors[0]}; read without an SMSC address: {errors[1]}")
