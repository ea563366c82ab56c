"""The SMPP listener(s): plain TCP and optionally TLS, one `Connection` per ESME, one
`Feed` per key with bound receivers, and the checks that end the sessions of a key that
was revoked (`modemgw keys revoke`, from another process: polled)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections import Counter
from collections.abc import Callable

from ..core import Core, Unauthenticated
from ..smpp import Bind, CommandId, CommandStatus
from .feed import Feed
from .session import Connection
from .settings import SmppSettings

log = logging.getLogger("modemgw.smppd")


class SmppServer:
    def __init__(self, core: Core, settings: SmppSettings, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.core = core
        self.settings = settings
        self.clock = clock
        self.connections: set[Connection] = set()
        self.feeds: dict[int, Feed] = {}
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task] = set()
        self._watch: asyncio.Task | None = None
        self.pdus: Counter[tuple[str, int, int]] = Counter()     # (direction, command_id, status)

    async def start(self) -> None:
        s = self.settings
        if s.listen is not None:
            self._servers.append(await asyncio.start_server(self._accept, s.listen[0], s.listen[1]))
        if s.tls_listen is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(s.certificate, s.key)
            self._servers.append(await asyncio.start_server(self._accept, s.tls_listen[0], s.tls_listen[1],
                                                            ssl=context))
        self._watch = asyncio.create_task(self._revocations(), name="smpp-revocations")
        for address in self.addresses:
            log.info("smpp listening on %s:%d", *address)

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """(host, port) of each listener, plain first (port 0 in the settings: the one chosen)."""
        return [server.sockets[0].getsockname()[:2] for server in self._servers if server.sockets]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = Connection(self, reader, writer)
        self.connections.add(connection)
        await connection.run()

    def bound_sessions(self) -> int:
        return sum(1 for c in self.connections if c.key is not None and not c.closing)

    def feed(self, key: dict) -> Feed:
        feed = self.feeds.get(key["id"])
        if feed is None:
            feed = self.feeds[key["id"]] = Feed(self.core, key, clock=self.clock)
        return feed

    def count(self, direction: str, command_id: int, status: int) -> None:
        self.pdus[direction, command_id, status] += 1

    def families(self) -> list[tuple[str, str, str, list[tuple[dict[str, str], float]]]]:
        """/metrics: bound sessions by kind, and PDUs by direction, command and status."""
        bound = Counter(c.session.state for c in self.connections if c.key is not None and not c.closing)
        sessions = [({"bind": state.value.removeprefix("bound_")}, float(bound[state]))
                    for state in (Bind.TX, Bind.RX, Bind.TRX)]
        pdus = [({"direction": d, "command": _name(CommandId, c), "status": _name(CommandStatus, s, upper=True)},
                 float(n)) for (d, c, s), n in sorted(self.pdus.items())]
        return [("modemgw_smpp_sessions", "gauge", "SMPP sessions bound, by kind.", sessions),
                ("modemgw_smpp_pdus_total", "counter", "SMPP PDUs received (in) and sent (out), by "
                 "command and command_status.", pdus)]

    def forget(self, connection: Connection) -> None:
        self.connections.discard(connection)

    def notify(self) -> None:
        """Something happened to messages (a status, a received SMS): feeds look at once."""
        for feed in self.feeds.values():
            if feed.receivers:
                feed.wake.set()

    async def _revocations(self) -> None:
        while True:
            await asyncio.sleep(self.settings.revocation_check)
            try:
                await self.check_revocations()
            except Exception:
                log.exception("smpp: checking for revoked keys failed")

    async def check_revocations(self) -> None:
        """Unbind the sessions of keys revoked since they bound."""
        for key_id in {c.key["id"] for c in self.connections if c.key is not None}:
            try:
                await self.core.key(key_id)
            except Unauthenticated:
                for c in [c for c in self.connections if c.key is not None and c.key["id"] == key_id]:
                    log.info("smpp session=%d key=%s revoked: unbinding", c.id, key_id)
                    await c.unbind("the key was revoked")

    async def stop(self) -> None:
        """Stop listening, unbind every session (each waits a moment for its answer), and
        commit how far each key's receivers have got."""
        for server in self._servers:
            server.close()
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await asyncio.gather(*(c.unbind("the gateway is stopping") for c in list(self.connections)),
                             return_exceptions=True)
        for server in self._servers:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await server.wait_closed()
        for feed in self.feeds.values():
            await feed.stop()


def _name(enum, value: int, *, upper: bool = False) -> str:
    try:
        name = enum(value).name
    except ValueError:
        return f"0x{value:08x}"
    return name if upper else name.lower()
