"""The gateway process: store, modems (real or simulated), dispatcher, webhooks and the API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

from .config import Config, ModemConfig
from .dispatch.dispatcher import DispatchSettings, Dispatcher
from .dispatch.limits import ModemLimits
from .dispatch.routing import Route
from .modem import Modem, Timeouts
from .sms import ConcatReferences
from .dispatch.spool import Spool
from .store import Store
from .store.cluster import CHANGES, NEW_PARTS
from .store.store import is_url

if TYPE_CHECKING:
    from .receivers import Desk

log = logging.getLogger(__name__)


@dataclass
class Gateway:
    config: Config
    store: Store = field(init=False)
    modems: list[Modem] = field(default_factory=list)
    simulators: dict[str, object] = field(default_factory=dict)
    dispatcher: Dispatcher | None = None
    smpp: object | None = None              # the SMPP server, when [smpp] is configured
    desk: Desk | None = None            # the alert receivers' shared state
    webhooks: object | None = None
    runner: web.AppRunner | None = None
    references: ConcatReferences = field(default_factory=ConcatReferences)
    stop_grace: float = 20.0     # seconds for parts being sent to finish on SIGTERM
    _tmp: str | None = None
    _tasks: list[asyncio.Task] = field(default_factory=list)

    def __post_init__(self) -> None:
        from .dialects import DialectConfig, load
        # Only the enabled dialects are imported (memory on a small board).
        self.dialects = [load(name) for name in self.config.dialects]
        self.dialect_configs = {}
        for d in self.dialects:
            table = dict(self.config.dialect_settings.get(d.name, {}))
            self.dialect_configs[d.name] = DialectConfig(inbound_url=table.pop("inbound_url", None),
                                                         options=table)
        inbound = [(c.inbound_url, name) for name, c in self.dialect_configs.items() if c.inbound_url]
        receivers = self.config.integrations
        if receivers.homeassistant_inbound_webhook and "homeassistant" in receivers.enabled:
            inbound.append((receivers.homeassistant_inbound_webhook, "homeassistant"))
        owners = {d.name: d.inbound_owner(self.dialect_configs[d.name]) for d in self.dialects
                  if d.inbound_owner is not None}
        self.store = Store(self.config.database, default_webhook_url=self.config.webhook_url,
                           inbound_webhooks=inbound,
                           inbound_owners={name: owner for name, owner in owners.items() if owner})

    @property
    def url(self) -> str:
        host = self.config.listen_host
        port = self.bound_port or self.config.listen_port
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}"

    @property
    def bound_port(self) -> int | None:
        if self.runner is None:
            return None
        for site in self.runner.sites:
            server = getattr(site, "_server", None)
            if server is not None and server.sockets:
                return server.sockets[0].getsockname()[1]
        return None

    async def start(self) -> None:
        await self.store.open()
        await self.store.ensure_default_secret()
        self.references = ConcatReferences(await self.store.last_references())
        await self._start_simulators()
        routes, limits = [], {}
        for mc in self.config.modems:
            self.modems.append(self._modem(mc))
            if mc.routes or mc.senders:
                routes.append(Route(mc.name, mc.routes, mc.senders))
            limits[mc.name] = ModemLimits(mc.per_minute, mc.per_day)
        for sc in self.config.simulators:
            limits[sc.name] = ModemLimits(sc.per_minute, sc.per_day)
        settings = DispatchSettings(node=self.config.node_name, unknown_window=self.config.unknown_window,
                                    report_window=self.config.report_window,
                                    status_reports=self.config.status_reports,
                                    modem_status_reports={mc.name: mc.status_reports for mc in self.config.modems
                                                          if mc.status_reports is not None})
        # This process among the nodes sharing the database (docs/scale-out.md): its
        # modems are its own, and its parts caught sending at the last stop are reconciled.
        await self.store.register_node(self.config.node_name, [m.name for m in self.modems],
                                       lease=self.config.lease_seconds)
        # A node on PostgreSQL keeps what its modems receive while the database is away.
        spool = Spool(self.config.spool) if is_url(self.config.database) else None
        self.dispatcher = Dispatcher(self.store, self.modems, routes=routes, limits=limits,
                                     settings=settings, on_change=self._changed, spool=spool)
        for modem in self.modems:
            modem.handler = self.dispatcher.on_received
        await self.dispatcher.start()
        self._tasks.append(asyncio.create_task(self._heartbeat(), name="heartbeat"))
        self._tasks.append(asyncio.create_task(self.store.listen(self._elsewhere), name="listen"))
        await self._start_webhooks()
        for modem in self.modems:
            await modem.start()
        await self._start_api()
        await self._start_smpp()
        log.info("gateway listening on %s with %d modem(s)", self.url, len(self.modems))

    def _modem(self, mc: ModemConfig) -> Modem:
        if mc.port is None:
            # Stable identity (USB serial number / IMEI) is resolved to a port by `identity`.
            from .identity import resolver
            path = resolver(mc)
        else:
            path = mc.port
        return Modem(mc.name, path, baudrate=mc.baudrate, pin=mc.pin, smsc=mc.smsc,
                     timeouts=Timeouts(submit=mc.submit_timeout))

    async def _start_simulators(self) -> None:
        if not self.config.simulators:
            return
        from .simulator import Settings, Simulator
        self._tmp = tempfile.mkdtemp(prefix="modemgw-sim-")
        for sc in self.config.simulators:
            link = os.path.join(self._tmp, sc.name)
            sim = Simulator(link, profile=sc.profile,
                            settings=Settings(latency=sc.latency, report_delay=sc.report_delay,
                                              report_status=sc.report_status))
            await sim.start()
            self.simulators[sc.name] = sim
            self.modems.append(Modem(sc.name, link))

    async def _start_webhooks(self) -> None:
        try:
            from .webhooks import WebhookSender
        except ImportError:  # pragma: no cover - the package ships with modemgw
            return
        formats = {d.name: d.webhook_format for d in self.dialects if d.webhook_format is not None}
        if self.config.integrations.enabled:
            # Imported only when a receiver is enabled, as the dialects are.
            from .receivers import WEBHOOK_FORMATS
            formats = {**WEBHOOK_FORMATS, **formats}
        # SMPP delivers its receipts over its sessions: its messages have no webhooks.
        from .webhooks.formats import SILENT
        formats.setdefault("smpp", SILENT)
        self.webhooks = WebhookSender(self.store, retry_for=self.config.webhook_retry_hours * 3600,
                                      timeout=self.config.webhook_timeout, formats=formats)
        self._tasks.append(asyncio.create_task(self.webhooks.run(), name="webhooks"))

    async def _start_api(self) -> None:
        from .api import create_app
        from .api.server import Limits, serve
        assert self.dispatcher is not None
        from .core import Core, Settings
        from .core.ratelimit import RateLimiter, SharedRateLimiter
        c = self.config
        # Several nodes on one PostgreSQL share each key's bucket there: the limit holds
        # across them (docs/scale-out.md).
        limiter = (SharedRateLimiter(self.store, c.rate_limit_per_minute) if is_url(c.database)
                   else RateLimiter(c.rate_limit_per_minute))
        self.core = Core(self.store, references=self.references, limiter=limiter,
                         on_accepted=self.dispatcher.notify, capacity=self.dispatcher.capacity,
                         modems=self.dispatcher.modems, on_outbox=self._changed,
                         settings=Settings(default_region=c.default_region,
                                           allow_short_codes=c.allow_short_codes,
                                           national_languages=c.national_languages,
                                           policy=c.delivery_policy, pins=c.pins))
        app = create_app(self.store, modems=self.dispatcher.modems, references=self.references,
                         metrics=self.metrics, core=self.core)
        for dialect in self.dialects:
            # A sub-application: its own routes, credentials and error shape under its prefix.
            app.add_subapp(dialect.prefix, dialect.create_app(self.core, self.dialect_configs[dialect.name]))
        if c.console_enabled:
            # Imported only when enabled: a gateway without the console loads none of it.
            from .console import PREFIX as CONSOLE, ConsoleSettings, create_app as console_app
            app.add_subapp(CONSOLE, console_app(self.core, ConsoleSettings(
                remote=c.console_remote, key_login=c.console_key_login)))
        if c.integrations.enabled:
            # The alert receivers (one sub-application; they share one Desk, whose counts /metrics
            # shows), imported only when one is enabled.
            from .receivers import PREFIX, Desk, create_app as receivers_app
            self.desk = Desk(self.core, c.integrations)
            app.add_subapp(PREFIX, receivers_app(self.desk))
        self.runner = await serve(app, c.listen_host, c.listen_port, Limits(
            header_timeout=c.header_timeout, body_timeout=c.body_timeout,
            keepalive_timeout=c.keepalive_timeout, max_connections=c.max_connections))

    async def _start_smpp(self) -> None:
        s = self.config.smpp
        if s.listen is None and s.tls_listen is None:
            return
        # Imported only when configured: a gateway without SMPP loads none of it.
        from .smppd import SmppServer, SmppSettings
        self.smpp = SmppServer(self.core, SmppSettings(
            listen=s.listen, tls_listen=s.tls_listen, certificate=s.certificate, key=s.key,
            max_sessions=s.max_sessions, window=s.window, enquire_link=s.enquire_link))
        await self.smpp.start()

    async def metrics(self) -> str:
        from .metrics import render
        assert self.dispatcher is not None
        modems = self.dispatcher.modems()
        caps = {m.name: m.per_day for m in (*self.config.modems, *self.config.simulators)}
        daily = {m["name"]: (m["sent_today"], caps.get(m["name"])) for m in modems}
        due = await self.store.next_due_time()      # the oldest queued part's due time
        return render(self.modems, await self.store.counts(), {m["name"]: m["drained"] for m in modems},
                      daily=daily, queue_age=max(0.0, time.time() - due) if due is not None else 0.0,
                      families=(*(self.desk.families() if self.desk is not None else ()),
                                *(self.smpp.families() if self.smpp is not None else ())))  # type: ignore[attr-defined]

    async def _heartbeat(self) -> None:
        """Beat this node's heartbeat (renewing what it holds) three times a lease; parts
        a stopped node left in doubt are reconciled by whichever node beats first."""
        while True:
            await asyncio.sleep(self.config.lease_seconds / 3)
            try:
                if await self.store.heartbeat():
                    self._elsewhere(CHANGES)
            except Exception as exc:
                log.warning("heartbeat failed: %s", exc)

    def _elsewhere(self, changes: str) -> None:
        """Another node committed a change (store/cluster.py CHANGES): new parts to send,
        deliveries to make, events to read. Only new parts wake the dispatcher: a pass
        for nothing would be a claim transaction for nothing."""
        if self.dispatcher is not None and NEW_PARTS in changes:
            self.dispatcher.notify()
        self._changed()

    def _changed(self) -> None:
        if self.webhooks is not None:
            self.webhooks.notify()
        if self.smpp is not None:
            self.smpp.notify()  # type: ignore[attr-defined]

    async def stop(self) -> None:
        """Stop accepting, let parts being sent finish, then close everything; all
        committed state is on disk (the writer drains its queue before closing)."""
        if self.smpp is not None:
            await self.smpp.stop()  # type: ignore[attr-defined]
        if self.runner is not None:
            await self.runner.cleanup()
        if self.dispatcher is not None:
            await self.dispatcher.stop(grace=self.stop_grace)
        if self.webhooks is not None:
            with contextlib.suppress(Exception):
                await self.webhooks.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            # Parts this node held but did not send: other nodes may take them now.
            await self.store.release_claims()
        for modem in self.modems:
            await modem.stop()
        for sim in self.simulators.values():
            await sim.stop()  # type: ignore[attr-defined]
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)  # the simulators' links
        await self.store.close()
        if self.dispatcher is not None and self.dispatcher.spool is not None:
            self.dispatcher.spool.close()
