"""Byte framing: split the modem's output into lines and `> ` prompts.

Any run of CR and LF ends a line, so `\\r\\n`, `\\r\\r\\n` (echo, Huawei
+CLAC) and a lone `\\r` all work, and the result does not depend on where
the serial driver happened to cut the stream. Lines are decoded as
latin-1, which never fails and keeps every byte (`line.encode("latin-1")`
gives them back); NULs are dropped and surrounding blanks, Ctrl-Z and ESC
stripped. Empty lines are skipped.
"""

from __future__ import annotations

from typing import Final

# Anything longer is surely garbage; cut it rather than buffer without bound.
# (A 176-octet SIM record is 352 hex digits; +CMGL lines are shorter still.)
MAX_LINE: Final = 4096

_STRIP: Final = " \t\x1a\x1b"


class PromptToken:
    """The `> ` prompt, which has no line terminator."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PROMPT"


PROMPT: Final = PromptToken()


class LineBuffer:
    """Accumulates bytes; hands out complete lines and prompts one by one.

    Pull-based (like h11's ReceiveBuffer) so that the caller can switch
    prompt detection on or off between tokens as its state changes.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        self._buf += data

    def __len__(self) -> int:
        return len(self._buf)

    def next_token(self, *, prompt_allowed: bool) -> str | PromptToken | None:
        """Return the next line or PROMPT, or None if more bytes are needed.

        With `prompt_allowed`, `> ` at the start of a line is a prompt even
        without a terminator; text following it on the same line (the echoed
        PDU) becomes the next line.
        """
        buf = self._buf
        while True:
            start = 0
            while start < len(buf) and buf[start] in b"\r\n\x00":
                start += 1
            del buf[:start]
            if not buf:
                return None
            if prompt_allowed and buf[0:1] == b">":
                if len(buf) == 1:
                    return None  # cannot tell "> " from ">text" yet
                if buf[1:2] == b" ":
                    del buf[:2]
                    return PROMPT
            end = _find_terminator(buf)
            if end < 0:
                if len(buf) <= MAX_LINE:
                    return None
                end = MAX_LINE
                raw = bytes(buf[:end])
                del buf[:end]
            else:
                raw = bytes(buf[:end])
                del buf[: end + 1]
            line = raw.replace(b"\x00", b"").decode("latin-1").strip(_STRIP)
            if line:
                return line


def _find_terminator(buf: bytearray) -> int:
    """Index of the first CR or LF within the first MAX_LINE+1 bytes, or -1.

    Looking no further than MAX_LINE keeps the cut of an overlong line at the
    same place however the bytes were chunked.
    """
    limit = MAX_LINE + 1
    found = [i for i in (buf.find(b"\r", 0, limit), buf.find(b"\n", 0, limit)) if i >= 0]
    return min(found, default=-1)
