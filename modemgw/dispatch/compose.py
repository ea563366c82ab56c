"""Turning an accepted request into what the store keeps: one message per recipient, its parts
encoded; and, when a part is sent, whether its PDU asks for a status report."""

from __future__ import annotations

from ..sms import ConcatReferences, PduError, Segmentation, encode_submit, segment
from ..store import NewMessage, NewPart

# TS 23.040 9.2.2.2 and 9.2.3.5: the first octet of an SMS-SUBMIT has TP-MTI 01 in
# bits 1-0 and TP-SRR in bit 5.
_MTI_MASK, _MTI_SUBMIT, _SRR = 0x03, 0x01, 0x20


def compose(to: str, text: str, *, sender: str | None, references: ConcatReferences,
            callback_url: str | None = None, scheduled_at: float | None = None,
            validity: int | None = None, now: float, flash: bool = False, priority: int = 0,
            policy: str = "at_most_once", national_languages: tuple[str, ...] = (),
            dialect: str = "native", segmentation: Segmentation | None = None,
            via: str | None = None) -> NewMessage:
    """Raises PduError for text or numbers that cannot be sent (the API turns it into a 400).

    The parts ask for a status report; the modem that sends a part may take the
    request out (`with_report_request`). `segmentation`: the text's, when the caller
    has it (`checks.segmented_text`); the text is segmented once, here or there."""
    seg = segment(text, national_languages) if segmentation is None else segmentation
    reference = references.next(to) if seg.segments > 1 else 0
    parts = encode_submit(to, text, reference=reference, status_report=True, validity=validity,
                          flash=flash, national_languages=national_languages, segmentation=seg)
    start = scheduled_at if scheduled_at is not None else now
    return NewMessage(
        to=to, sender=sender, text=text, encoding=seg.encoding,
        parts=tuple(NewPart(p.hex, p.tpdu_length) for p in parts),
        reference=reference if seg.segments > 1 else None,
        callback_url=callback_url, scheduled_at=scheduled_at, validity=validity,
        expires_at=start + validity if validity else None, priority=priority, flash=flash,
        policy=policy, dialect=dialect, via=via)


def with_report_request(pdu: str, requested: bool) -> str:
    """The SMS-SUBMIT `pdu` (hex, SMSC address first, as `encode_submit` writes it) with
    TP-SRR set or cleared. One bit of the first TPDU octet: the TPDU length, which
    AT+CMGS announces, does not change. Raises PduError for anything but an SMS-SUBMIT."""
    try:
        at = 2 + 2 * int(pdu[:2], 16)            # past the SMSC address and its length octet
        first = int(pdu[at:at + 2], 16)
    except ValueError:
        raise PduError(f"not a PDU in hex: {pdu[:16]!r}") from None
    if first & _MTI_MASK != _MTI_SUBMIT or len(pdu) < at + 2:
        raise PduError(f"not an SMS-SUBMIT (first octet {pdu[at:at + 2]!r})")
    wanted = first | _SRR if requested else first & ~_SRR
    if wanted == first:
        return pdu
    return f"{pdu[:at]}{wanted:02X}{pdu[at + 2:]}"
