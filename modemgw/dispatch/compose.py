"""Turning an accepted request into what the store keeps: one message per recipient, its parts encoded."""

from __future__ import annotations

from ..sms import ConcatReferences, encode_submit, segment
from ..store import NewMessage, NewPart


def compose(to: str, text: str, *, sender: str | None, references: ConcatReferences,
            callback_url: str | None = None, scheduled_at: float | None = None,
            validity: int | None = None, now: float, flash: bool = False, priority: int = 0,
            policy: str = "at_most_once", national_languages: tuple[str, ...] = (),
            dialect: str = "native") -> NewMessage:
    """Raises PduError for text or numbers that cannot be sent (the API turns it into a 400)."""
    seg = segment(text, national_languages)
    reference = references.next(to) if seg.segments > 1 else 0
    parts = encode_submit(to, text, reference=reference, status_report=True, validity=validity,
                          flash=flash, national_languages=national_languages)
    start = scheduled_at if scheduled_at is not None else now
    return NewMessage(
        to=to, sender=sender, text=text, encoding=seg.encoding,
        parts=tuple(NewPart(p.hex, p.tpdu_length) for p in parts),
        reference=reference if seg.segments > 1 else None,
        callback_url=callback_url, scheduled_at=scheduled_at, validity=validity,
        expires_at=start + validity if validity else None, priority=priority, flash=flash,
        policy=policy, dialect=dialect)
