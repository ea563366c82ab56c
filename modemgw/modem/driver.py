"""The asyncio driver for one modem: set-up, sending, receiving, health, recovery.

A supervisor task owns the port. It opens it, sets the modem up, sweeps the
memories for what arrived while nobody listened, and then serves `send()`
calls and URCs until something goes wrong. Then it climbs the recovery
ladder: probe with `AT` → `AT+CFUN=1,1` → reopen the port, with backoff while
the port is there but the modem will not open or set up. A device node that
is gone is watched for instead (`presence`): the modem is opened as soon as
it is back. A wrong PIN, a locked SIM or a missing SMSC stop the modem in
state FAILED: those need a person. The set-up's steps (SIM and PIN, PDU mode,
SMS centre, how new messages are announced) are `setup`'s; what the modem receives is
taken in by `receiving`, one URC at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum

from ..at import ResultKind, Urc, classify
from ..at.errors import ResponseParseError
from ..at.responses import parse_cmgs, parse_cops, parse_crsm, parse_csq, parse_registration
from ..sms import EncodedPdu
from . import vendors
from .channel import CommandChannel
from .latency import Histogram
from .errors import (CommandFailed, CommandTimeout, ConfigurationError, ModemUnavailable, PortLost,
                     SendFailed, SendUnknown, SimError)
from .notifications import NotificationPlan
from .presence import NodeWatch, present
from .receiving import ANNOUNCED, ROUTED, Handler, Receiver
from .setup import SetUp

log = logging.getLogger(__name__)

# URCs a modem prints when it has (re)started under us.
_BOOT_URCS = frozenset({"RDY", "+CFUN", "START", "^SYSSTART", "+PBREADY"})
_SIM_BUSY_CME = frozenset({14, 515})
# READ BINARY of EF_SMSS (file 6F43, TS 31.102 §4.2.9): byte 1 is the last TP-MR used.
_READ_EF_SMSS = "AT+CRSM=176,28483,0,0,2"


class ModemState(StrEnum):
    STARTING = "starting"
    READY = "ready"
    RECOVERING = "recovering"
    OFFLINE = "offline"        # the device node is gone or will not open
    FAILED = "failed"          # needs a person: SIM PIN/PUK, no SMSC
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Timeouts:
    command: float = 5.0
    prompt: float = 10.0
    submit: float = 120.0          # AT+CMGS may take that long on LTE modules
    probe: float = 2.0
    sms_ready: float = 60.0        # SIM and SMS subsystem ready after power-up
    reset: float = 30.0            # AT+CFUN=1,1 until the modem answers again


@dataclass(frozen=True, slots=True)
class Backoff:
    initial: float = 1.0
    maximum: float = 30.0


@dataclass
class ModemInfo:
    manufacturer: str | None = None
    model: str | None = None
    revision: str | None = None
    imei: str | None = None
    imsi: str | None = None
    iccid: str | None = None
    smsc: str | None = None
    operator: str | None = None
    rssi: int | None = None
    signal_dbm: int | None = None
    registration: int | None = None
    vendor: str = "generic"
    notifications: NotificationPlan | None = None
    sms_service: int = 0
    memories: tuple[str, ...] = ()


@dataclass
class Counters:
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    received: int = 0
    reports: int = 0
    recoveries: int = 0
    submit_latency: Histogram = field(default_factory=Histogram)


class _Trouble(Exception):
    """A command timed out while the supervisor was running the modem."""


class Modem:
    def __init__(self, name: str, path: str | Callable[[], str | None | Awaitable[str | None]], *,
                 baudrate: int = 115200, pin: str | None = None,
                 smsc: str | None = None, handler: Handler | None = None,
                 timeouts: Timeouts = Timeouts(), backoff: Backoff = Backoff(),
                 health_interval: float = 60.0, poll_interval: float = 30.0) -> None:
        self.name = name
        self.path = path
        self.baudrate = baudrate
        self.handler = handler
        self.timeouts = timeouts
        self.backoff = backoff
        self.health_interval = health_interval
        self.poll_interval = poll_interval
        self.info = ModemInfo()
        self.counters = Counters()
        self.state = ModemState.STOPPED
        self.last_error: str | None = None
        self.in_flight = 0
        # Whether EF_SMSS followed the first +CMGS: <mr> of this set-up (None: not
        # known yet, or the SIM would not say): tells whether read_sim_reference()
        # can show if a part left unanswered went out.
        self.sim_reference_tracks: bool | None = None
        self._reference_checked = False
        self._first_submit = asyncio.Lock()
        self.state_listeners: list[Callable[[ModemState], None]] = []
        self._profile = vendors.detect("")
        self._channel = CommandChannel(name, self._on_urc)
        self._setup = SetUp(name, self._cmd, self.info, pin=pin, smsc=smsc)
        self._receiver = Receiver(name, lambda command: self._cmd(command, check=False), self.info,
                                  self.counters, lambda: self._profile, lambda: self.handler)
        # URCs and sweep requests, handled one at a time by one task so that
        # a message is never read (and handed up) twice by two readers.
        self._urcs: asyncio.Queue[Urc | None] = asyncio.Queue()
        # Routed PDUs (+CMT, +CDS) have a task of their own: nothing is read from a
        # memory for them, and the AT+CNMA the modem waits for must not wait behind a
        # sweep (seconds on a modem read slot by slot). Until it is sent the modem
        # routes nothing else, and if the gateway dies first the network only sends
        # the PDU again after the modem's acknowledgement timeout and its own retry.
        self._routed: asyncio.Queue[Urc] = asyncio.Queue()
        self._trouble = asyncio.Event()
        self._state_changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._rebooted = False
        self._served = False               # READY since the port was last opened

    # -- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        if self._task is None or self._task.done():
            await self._set_state(ModemState.STARTING)
            self._task = asyncio.create_task(self._supervise(), name=f"modem-{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._channel.close()
        await self._set_state(ModemState.STOPPED)

    async def wait_for(self, *states: ModemState, timeout: float | None = None) -> ModemState:
        """Wait until the modem is in one of `states`."""
        async def _wait() -> ModemState:
            async with self._state_changed:
                await self._state_changed.wait_for(lambda: self.state in states)
                return self.state
        async with asyncio.timeout(timeout):
            return await _wait()

    async def _set_state(self, state: ModemState, error: str | None = None) -> None:
        if error is not None:
            self.last_error = error
        if state != self.state:
            log.info("modem=%s state=%s%s", self.name, state.value, f" error={error!r}" if error else "")
        self.state = state
        for listener in self.state_listeners:
            listener(state)
        async with self._state_changed:
            self._state_changed.notify_all()

    # -- sending ---------------------------------------------------------------

    async def send(self, part: EncodedPdu) -> int:
        """Submit one part; returns the TP-MR from `+CMGS: <mr>`.

        Raises SendFailed (refused; `permanent` says whether another try can
        help), SendUnknown (written but unanswered: it may have gone out) or
        ModemUnavailable (not ready; nothing was written).
        """
        if self.state != ModemState.READY:
            raise ModemUnavailable(f"{self.name} is {self.state.value}")
        if self._reference_checked:
            return await self._submit(part)
        # No other part may be submitted between the first +CMGS of a set-up and the
        # reading of EF_SMSS that is compared with it.
        async with self._first_submit:
            mr = await self._submit(part)
            if not self._reference_checked:
                self._reference_checked = True
                self.sim_reference_tracks = await self._reference_matches(mr)
            return mr

    async def read_sim_reference(self) -> int | None:
        """The last TP-MR the SIM recorded (EF_SMSS, read with AT+CRSM); None when the
        modem is not ready, or it or the SIM will not tell (ERROR, a status other than
        144/145, no data). Trust it as far as `sim_reference_tracks` says."""
        if self.state != ModemState.READY:
            return None
        try:
            response = await self._cmd(_READ_EF_SMSS, check=False)
        except CommandTimeout:
            self._trouble.set()
            return None
        except PortLost:
            return None
        line = next((x for x in response.lines if x.upper().startswith("+CRSM")), None)
        if not response.ok or line is None:
            return None
        try:
            answer = parse_crsm(line)
        except ResponseParseError as exc:
            log.warning("modem=%s unreadable EF_SMSS: %s", self.name, exc)
            return None
        return answer.data[0] if answer.ok and answer.data else None

    async def _reference_matches(self, mr: int) -> bool | None:
        recorded = await self.read_sim_reference()
        tracks = None if recorded is None else recorded == mr
        log.info("modem=%s EF_SMSS %s after +CMGS: %d (tracks=%s)", self.name, recorded, mr, tracks)
        return tracks

    async def _submit(self, part: EncodedPdu) -> int:
        self.in_flight += 1
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            response = await self._channel.submit(part.tpdu_length, part.hex, self.timeouts.prompt,
                                                  self.timeouts.submit)
        except CommandTimeout as exc:
            self._trouble.set()
            if exc.pdu_written:
                self.counters.unknown += 1
                raise SendUnknown(f"{self.name}: no answer to AT+CMGS after the PDU") from exc
            raise ModemUnavailable(f"{self.name}: no prompt for AT+CMGS; nothing was sent") from exc
        except PortLost as exc:
            if exc.pdu_written:
                self.counters.unknown += 1
                raise SendUnknown(f"{self.name}: port lost after the PDU was written") from exc
            raise ModemUnavailable(f"{self.name}: port lost; nothing was sent") from exc
        finally:
            self.in_flight -= 1
        if response.ok:
            line = next((x for x in response.lines if x.upper().startswith("+CMGS")), None)
            self.counters.submit_latency.observe(loop.time() - started)
            if line is None:
                self.counters.unknown += 1
                raise SendUnknown(f"{self.name}: OK without +CMGS: <mr>")
            try:
                mr = parse_cmgs(line).mr
            except ResponseParseError as exc:
                self.counters.unknown += 1
                raise SendUnknown(f"{self.name}: unreadable {line!r}") from exc
            self.counters.sent += 1
            return mr
        self.counters.failed += 1
        result = response.result
        if result.kind is ResultKind.CMS_ERROR and result.error is not None:
            kind, meaning = classify(result.error)
            raise SendFailed(f"+CMS ERROR: {result.error} ({meaning})",
                             permanent=kind == "permanent", code=result.error)
        raise SendFailed(f"{result.line}", permanent=False, code=result.error)

    # -- supervisor --------------------------------------------------------------

    async def _supervise(self) -> None:
        # A callable path finds the modem anew each time (by USB serial number or
        # IMEI): it may come back as another ttyUSB after a reset.
        node = NodeWatch(self.path)
        delay = self.backoff.initial
        while True:
            path = await node.resolve()
            if not present(path):
                await self._set_state(ModemState.OFFLINE, f"{path or self.name} is not connected")
                # Not a failure of the modem, so no backoff: it is opened as soon as its
                # node is back, however long it was away.
                path = await node.until_present()
                delay = self.backoff.initial
            assert path is not None
            self._served = False
            try:
                await self._channel.open(path, self.baudrate)
            except OSError as exc:
                # There but not opening (busy, no permission yet): back off.
                await self._set_state(ModemState.OFFLINE, f"cannot open {path}: {exc.strerror or exc}")
                await node.pause(path, delay)
                delay = min(delay * 2, self.backoff.maximum)
                continue
            try:
                await self._session()
            except (SimError, ConfigurationError) as exc:
                self._channel.close()
                await self._set_state(ModemState.FAILED, str(exc))
                return  # never retried: a second wrong PIN brings the SIM closer to PUK
            except (PortLost, OSError) as exc:
                await self._set_state(ModemState.OFFLINE, f"port lost: {exc}")
            except (CommandTimeout, _Trouble) as exc:
                await self._set_state(ModemState.RECOVERING, f"reopening the port: {exc}")
            self._channel.close()
            if self._served:
                delay = self.backoff.initial  # it worked until now: a new count
            await node.pause(path, delay)
            delay = min(delay * 2, self.backoff.maximum)

    async def _session(self) -> None:
        """Set up and serve until the port is lost or recovery needs a reopen."""
        await self._initialise()
        while True:
            self._trouble.clear()
            await self._set_state(ModemState.READY)
            self._served = True
            workers = [asyncio.create_task(self._urc_worker(self._urcs)),
                       asyncio.create_task(self._urc_worker(self._routed)),
                       asyncio.create_task(self._health())]
            trouble = asyncio.create_task(self._trouble.wait())
            port = self._channel.port
            assert port is not None
            self._urcs.put_nowait(None)  # sweep first
            try:
                done, _ = await asyncio.wait([trouble, port.lost, *workers],
                                             return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (trouble, *workers):
                    task.cancel()
                await asyncio.gather(trouble, *workers, return_exceptions=True)
            for task in workers:
                if task in done and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            if port.lost.done():
                raise PortLost(f"{port.path} disappeared")
            if self._rebooted:
                # It answers, but a reboot forgot PDU mode, CNMI and CSMS: set it
                # up again; the sweep at the top of the loop then reads whatever
                # it stored while it was not routing to us.
                self._rebooted = False
                await self._initialise()
                continue
            await self._recover()

    async def _recover(self) -> None:
        """A command timed out: probe, then reset; else the caller reopens the port."""
        await self._set_state(ModemState.RECOVERING, "a command timed out")
        self.counters.recoveries += 1
        if await self._channel.probe(self.timeouts.probe):
            return
        if self._profile.soft_reset:
            log.warning("modem=%s not answering; AT+CFUN=1,1", self.name)
            with contextlib.suppress(CommandTimeout, CommandFailed):
                await self._channel.command("AT+CFUN=1,1", self.timeouts.command, check=False)
            if await self._wait_answering(self.timeouts.reset):
                await self._initialise()
                return
        raise _Trouble("modem does not answer AT")

    async def _wait_answering(self, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if await self._channel.probe(self.timeouts.probe, attempts=1):
                return True
        return False

    # -- set-up ------------------------------------------------------------------

    async def _cmd(self, command: str, *, check: bool = True, timeout: float | None = None):
        return await self._channel.command(command, timeout or self.timeouts.command, check=check)

    async def _value(self, command: str) -> str | None:
        """First information line of a query, or None if the modem refuses it."""
        response = await self._cmd(command, check=False)
        if not response.ok or not response.lines:
            return None
        line = response.lines[0].strip()
        prefix = command[2:].rstrip("?").upper() + ":"
        if line.upper().startswith(prefix):
            line = line[len(prefix):].strip()
        return line.strip('"') or None

    async def _initialise(self) -> None:
        await self._set_state(ModemState.STARTING)
        self.sim_reference_tracks = None
        self._reference_checked = False
        # A gateway killed at the `> ` prompt of AT+CMGS leaves the modem in its SMS
        # editor, where every command typed becomes part of that message: leave it.
        await self._channel.resync()
        if not await self._channel.probe(self.timeouts.probe, attempts=5):
            raise _Trouble("no answer to AT")
        await self._cmd("ATE0", check=False)
        await self._cmd("AT+CMEE=1", check=False)
        self.info.manufacturer = await self._value("AT+CGMI")
        self._profile = vendors.detect(self.info.manufacturer or "")
        self.info.vendor = self._profile.name
        await self._setup.unlock_sim(self.timeouts.sms_ready)
        await self._setup.until_sms_ready(self.timeouts.sms_ready)
        self.info.model = await self._value("AT+CGMM")
        self.info.revision = await self._value("AT+CGMR")
        self.info.imei = await self._value("AT+CGSN")
        self.info.imsi = await self._value("AT+CIMI")
        # Read anew at every set-up: the SIM may have been changed meanwhile, and a SIM
        # that cannot be read must not be taken for the one before it (pins follow SIMs).
        self.info.iccid = None
        for command in self._profile.iccid_commands:
            if (iccid := await self._value(command)) is not None:
                self.info.iccid = iccid.split(":")[-1].strip().strip('"')
                break
        await self._setup.check_smsc()
        for command in self._profile.init_commands:
            response = await self._cmd(command, check=False)
            if not response.ok:
                log.info("modem=%s %s -> %s (ignored)", self.name, command, response.result.line)
        await self._setup.choose_notifications(self._profile, self.poll_interval)
        await self._poll_health()
        log.info("modem=%s ready vendor=%s model=%s imei=%s notifications=%s", self.name,
                 self.info.vendor, self.info.model, self.info.imei,
                 self.info.notifications.command if self.info.notifications else "polled")

    # -- health ------------------------------------------------------------------

    async def _poll_health(self) -> None:
        with contextlib.suppress(CommandFailed, ResponseParseError, IndexError):
            csq = parse_csq((await self._cmd("AT+CSQ")).lines[0])
            self.info.rssi, self.info.signal_dbm = csq.rssi, csq.dbm
        for command in ("AT+CREG?", "AT+CEREG?"):
            with contextlib.suppress(CommandFailed, ResponseParseError, IndexError):
                reg = parse_registration((await self._cmd(command)).lines[0], solicited=True)
                if reg.stat in (1, 5) or command == "AT+CREG?":
                    self.info.registration = reg.stat
        with contextlib.suppress(CommandFailed, ResponseParseError, IndexError):
            self.info.operator = parse_cops((await self._cmd("AT+COPS?")).lines[0]).name
        await self._check_settings()

    async def _check_settings(self) -> None:
        """A modem that rebooted without a word has forgotten AT+CNMI: notice it."""
        plan = self.info.notifications
        if plan is None or self.state != ModemState.READY:
            return
        response = await self._cmd("AT+CNMI?", check=False)
        line = next((x for x in response.lines if x.upper().startswith("+CNMI:")), None)
        if not response.ok or line is None:
            return
        values = tuple(int(v) for v in line.split(":", 1)[1].split(",") if v.strip().isdigit())
        if values[:len(plan.values)] != plan.values:
            log.warning("modem=%s lost its settings (AT+CNMI? %s); setting it up again", self.name, line)
            self._rebooted = True
            self._trouble.set()

    async def _health(self) -> None:
        polled = self.info.notifications is None or "polled" in (
            self.info.notifications.inbound, self.info.notifications.reports)
        interval = min(self.health_interval, self.poll_interval) if polled else self.health_interval
        loop = asyncio.get_running_loop()
        last_health = loop.time()
        while True:
            await asyncio.sleep(interval)
            try:
                if loop.time() - last_health >= self.health_interval:
                    await self._poll_health()
                    last_health = loop.time()
                if polled:
                    self._urcs.put_nowait(None)
            except CommandTimeout:
                self._trouble.set()
                return

    # -- receiving -----------------------------------------------------------------

    def _on_urc(self, event: Urc) -> None:
        (self._routed if event.name.upper() in ROUTED else self._urcs).put_nowait(event)

    async def _urc_worker(self, queue: asyncio.Queue) -> None:
        while True:
            event = await queue.get()
            try:
                if event is None:
                    await self._receiver.sweep()
                else:
                    await self._handle_urc(event)
            except CommandTimeout:
                self._trouble.set()
                return
            except CommandFailed as exc:
                log.warning("modem=%s while handling %r: %s", self.name, event, exc)

    async def _handle_urc(self, event: Urc) -> None:
        name = event.name.upper()
        if name in ROUTED or name in ANNOUNCED:
            await self._receiver.on_urc(event)
        elif name == "^RSSI":
            with contextlib.suppress(ValueError):
                self.info.rssi = int(event.payload)
        elif name in ("+CREG", "+CEREG"):
            with contextlib.suppress(ResponseParseError):
                self.info.registration = parse_registration(event.line, solicited=False).stat
        elif name in _BOOT_URCS and self.state == ModemState.READY:
            log.warning("modem=%s restarted by itself (%s); setting it up again", self.name, event.line)
            self._rebooted = True
            self._trouble.set()
