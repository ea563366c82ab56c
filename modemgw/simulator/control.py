"""The control socket: how another process makes a running simulator receive an SMS.

A simulated modem with a link (/tmp/ttyFAKE0) listens on a Unix socket next to
it (/tmp/ttyFAKE0.ctl, mode 0600). A client sends one JSON line,
{"op": "inject", "from": "+15551230001", "text": "hi"}, and reads one back:
{"parts": 1} once the network has the message (it reaches the modem as soon as
the modem can receive), or {"error": "..."} and nothing injected. `inject` is
that client; `modemgw simulate inject` calls it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from modemgw.sms import EncodedPdu, PduError

SUFFIX = ".ctl"
MAX_REQUEST = 64 * 1024       # one line: a text of 255 parts fits several times over
REQUEST_TIMEOUT = 5.0         # s for a client to send its line
log = logging.getLogger("modemgw.simulator")


class Op(StrEnum):
    INJECT = "inject"


class ControlError(Exception):
    """The simulator refused the request, or could not be reached."""


@dataclass(frozen=True, slots=True)
class Injection:
    originator: str
    text: str


def control_path(link: str | os.PathLike[str]) -> str:
    return os.fspath(link) + SUFFIX


class ControlServer:
    def __init__(self, path: str, inject: Callable[[str, str], tuple[EncodedPdu, ...]]) -> None:
        self.path = path
        self._inject = inject
        self._server: asyncio.Server | None = None

    async def start(self) -> bool:
        """Listen; False (and a warning) when the socket cannot be made: the modem
        works without it, only other processes cannot inject."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)  # left by a simulator that was killed
        try:
            self._server = await asyncio.start_unix_server(self._handle, self.path, limit=MAX_REQUEST)
            os.chmod(self.path, 0o600)
        except OSError as exc:
            log.warning("control=%s error=%r: no control socket", self.path, exc.strerror or str(exc))
            return False
        return True

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        await self._server.wait_closed()
        self._server = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                line = await reader.readline()
            answer = self._answer(line)
        except (TimeoutError, ValueError) as exc:  # ValueError: a line over MAX_REQUEST
            answer = {"error": f"no complete request line: {exc or 'timed out'}"}
        with contextlib.suppress(ConnectionError):
            writer.write(json.dumps(answer).encode() + b"\n")
            await writer.drain()
        writer.close()

    def _answer(self, line: bytes) -> dict:
        try:
            request = _parse(line)
            parts = self._inject(request.originator, request.text)
        except (ControlError, PduError) as exc:
            return {"error": str(exc)}
        log.info("injected from=%s parts=%d", request.originator, len(parts))
        return {"parts": len(parts)}


def _parse(line: bytes) -> Injection:
    try:
        request = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ControlError("the request is not a JSON line") from None
    if not isinstance(request, dict) or request.get("op") != Op.INJECT:
        raise ControlError(f"unknown request: only {{\"op\": \"{Op.INJECT}\", ...}}")
    originator, text = request.get("from"), request.get("text")
    if not isinstance(originator, str) or not isinstance(text, str) or not text:
        raise ControlError('"from" and a non-empty "text" are needed, both strings')
    return Injection(originator, text)


async def inject(path: str, originator: str, text: str, *, timeout: float = 10.0) -> int:
    """Have the simulator listening on `path` receive `text` from `originator`;
    the number of parts. Raises ControlError, and OSError when nothing listens."""
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_unix_connection(path, limit=MAX_REQUEST)
        try:
            request = {"op": Op.INJECT.value, "from": originator, "text": text}
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            line = await reader.readline()
        finally:
            writer.close()
    try:
        answer = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        answer = None
    if isinstance(answer, dict) and isinstance(answer.get("error"), str):
        raise ControlError(answer["error"])
    if not isinstance(answer, dict) or type(answer.get("parts")) is not int:
        raise ControlError(f"{path} did not answer like a simulated modem")
    return answer["parts"]
