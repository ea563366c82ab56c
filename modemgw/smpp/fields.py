"""Reading and writing SMPP's field types (§3.1): integers of 1, 2 and 4 octets (big
endian), C-octet strings (ASCII up to a NUL, with a maximum that counts the NUL), octet
strings of a given length, and TLVs.

A `Reader` never reads past its end: a field that does not fit raises `PduDecodeError`
naming the field and its offset in the PDU, with the status the layout gives for it.
"""

from __future__ import annotations

from .constants import CommandStatus
from .errors import LocalProtocolError, PduDecodeError
from .pdus import Tlv


class Reader:
    __slots__ = ("data", "pos", "sequence", "command_id")

    def __init__(self, data: bytes, pos: int = 0, *, sequence: int = 0, command_id: int = 0) -> None:
        self.data = data
        self.pos = pos
        self.sequence = sequence
        self.command_id = command_id

    def fail(self, message: str, status: int) -> PduDecodeError:
        return PduDecodeError(f"{message} (offset {self.pos})", status, sequence=self.sequence,
                              command_id=self.command_id)

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def integer(self, size: int, name: str) -> int:
        if self.remaining < size:
            raise self.fail(f"{name}: the PDU ends inside this {size}-octet integer",
                            CommandStatus.ESME_RINVCMDLEN)
        value = int.from_bytes(self.data[self.pos:self.pos + size], "big")
        self.pos += size
        return value

    def cstring(self, maximum: int, name: str, status: int) -> str:
        """Up to `maximum` octets including the NUL; read as Latin-1 (never fails)."""
        end = self.data.find(b"\x00", self.pos, self.pos + maximum)
        if end < 0:
            if self.data.find(b"\x00", self.pos) < 0:
                raise self.fail(f"{name}: no NUL ends this C-octet string before the PDU does",
                                CommandStatus.ESME_RINVCMDLEN)
            raise self.fail(f"{name}: longer than {maximum - 1} characters", status)
        value = self.data[self.pos:end].decode("latin-1")
        self.pos = end + 1
        return value

    def octets(self, size: int, name: str) -> bytes:
        if self.remaining < size:
            raise self.fail(f"{name}: {size} octets announced, {self.remaining} left in the PDU",
                            CommandStatus.ESME_RINVMSGLEN)
        value = self.data[self.pos:self.pos + size]
        self.pos += size
        return bytes(value)

    def tlv(self, lengths: dict[int, tuple[int, int]]) -> Tlv:
        if self.remaining < 4:
            raise self.fail("an optional parameter's tag and length are cut short",
                            CommandStatus.ESME_RINVOPTPARSTREAM)
        tag = self.integer(2, "tag")
        length = self.integer(2, "length")
        if self.remaining < length:
            raise self.fail(f"optional parameter 0x{tag:04X}: {length} octets announced, "
                            f"{self.remaining} left", CommandStatus.ESME_RINVOPTPARSTREAM)
        bounds = lengths.get(tag)
        if bounds is not None and not bounds[0] <= length <= bounds[1]:
            raise self.fail(f"optional parameter 0x{tag:04X}: length {length}, expected "
                            f"{bounds[0]} to {bounds[1]}", CommandStatus.ESME_RINVPARLEN)
        return Tlv(tag, self.octets(length, f"optional parameter 0x{tag:04X}"))


class Writer:
    __slots__ = ("out",)

    def __init__(self) -> None:
        self.out = bytearray()

    def integer(self, value: int, size: int, name: str) -> None:
        if not isinstance(value, int) or not 0 <= value < 1 << (8 * size):
            raise LocalProtocolError(f"{name}: {value!r} does not fit in {size} octet(s)")
        self.out += value.to_bytes(size, "big")

    def cstring(self, value: str, maximum: int, name: str) -> None:
        try:
            raw = value.encode("latin-1")
        except (UnicodeEncodeError, AttributeError):
            raise LocalProtocolError(f"{name}: {value!r} is not a string of octets") from None
        if b"\x00" in raw or len(raw) + 1 > maximum:
            raise LocalProtocolError(f"{name}: at most {maximum - 1} octets and no NUL, got {value!r}")
        self.out += raw + b"\x00"

    def octets(self, value: bytes) -> None:
        self.out += value

    def tlv(self, tlv: Tlv) -> None:
        if not 0 <= tlv.tag <= 0xFFFF or len(tlv.value) > 0xFFFF:
            raise LocalProtocolError(f"optional parameter 0x{tlv.tag:X}: tag or value too large")
        self.out += tlv.tag.to_bytes(2, "big") + len(tlv.value).to_bytes(2, "big") + tlv.value


def tlv_int(value: int, size: int = 1) -> bytes:
    """An integer TLV's value."""
    return value.to_bytes(size, "big")


def tlv_cstring(value: str) -> bytes:
    """A C-octet string TLV's value (receipted_message_id, additional_status_info_text)."""
    return value.encode("latin-1") + b"\x00"
