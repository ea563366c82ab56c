"""PDUs kept in `received_pdus` before a restart, decoded again for the part that applies them.

A row whose PDU no longer decodes, or decodes to another kind of PDU, is
skipped and left as it is (logged), so one bad row never stops a start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import TypeVar

from ..sms import PduError, decode_pdu

log = logging.getLogger(__name__)

T = TypeVar("T")


def decode_kept(rows: Iterable[dict], kind: type[T]) -> Iterator[tuple[dict, T]]:
    """Each kept row whose PDU decodes to a `kind`, with the decoded PDU."""
    for row in rows:
        try:
            pdu = decode_pdu(row["pdu"], row["length"])
        except PduError as e:
            log.warning("modem=%s kept pdu %d does not decode (%s); skipped", row["modem"], row["id"], e)
            continue
        if isinstance(pdu, kind):
            yield row, pdu
