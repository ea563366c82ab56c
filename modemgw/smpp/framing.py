"""Cutting a byte stream into PDUs by their 4-octet command_length (§3.2).

The length is checked once the 16-octet header is in (no PDU is shorter), so that the
refusal carries the header's sequence however the bytes were chunked: under 16 or over
`max_pdu` it cannot be right, and since the stream can then no longer be cut,
`next_frame` raises `RemoteProtocolError` (ESME_RINVCMDLEN) and the buffer refuses
anything more. Nothing is ever allocated for the announced length: the buffer holds only
what was fed, so a 2 GB command_length costs its header's 16 octets.
"""

from __future__ import annotations

from typing import Final

from .constants import HEADER_LENGTH, CommandStatus
from .errors import RemoteProtocolError

# The largest PDU a peer may send: a submit_multi to 255 destinations with a 254-octet
# short message, or a message_payload of several kilobytes, fits well within it.
MAX_PDU: Final = 70_000


class FrameBuffer:
    """Pull-based, like `at.lines.LineBuffer`: feed bytes, take whole frames one by one."""

    def __init__(self, max_pdu: int = MAX_PDU) -> None:
        self.max_pdu = max_pdu
        self._buf = bytearray()
        self._broken: RemoteProtocolError | None = None

    def __len__(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> None:
        if self._broken is None:
            self._buf += data

    def next_frame(self) -> bytes | None:
        """One whole PDU, or None until more bytes come."""
        if self._broken is not None:
            raise self._broken
        if len(self._buf) < HEADER_LENGTH:
            return None
        length = int.from_bytes(self._buf[:4], "big")
        if not HEADER_LENGTH <= length <= self.max_pdu:
            sequence = int.from_bytes(self._buf[12:16], "big")
            self._broken = RemoteProtocolError(
                f"command_length {length} is outside {HEADER_LENGTH} to {self.max_pdu}: the stream "
                f"cannot be read further", CommandStatus.ESME_RINVCMDLEN, sequence=sequence)
            self._buf.clear()
            raise self._broken
        if len(self._buf) < length:
            return None
        frame = bytes(self._buf[:length])
        del self._buf[:length]
        return frame
