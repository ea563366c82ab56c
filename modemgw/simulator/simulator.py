"""The simulated modem as tests and the CLI use it: pty, firmware and network wired together.

    async with Simulator("/tmp/ttyFAKE0", profile="sim800") as sim:
        ...open /tmp/ttyFAKE0 and talk AT to it...
        sim.inject_sms("+15551230001", "hello")
        await sim.wait_for(lambda: sim.handset("+15551230002"))
"""

import asyncio
import os
from collections import Counter
from dataclasses import replace
from collections.abc import Callable
from typing import Any, TypeVar

from modemgw.sms import EncodedPdu

from .changes import ChangeNotifier
from .commands import registration_line
from .control import ControlServer, control_path
from .faults import Faults
from .imei import iccid_for, imei_for
from .modem import Modem
from .network import Network
from .profiles import PROFILES, Profile
from .pty_port import PtyPort
from .settings import Settings
from .transcript import Transcript

T = TypeVar("T")
RESET_DROP_DELAY = 0.2  # seconds


class Simulator:
    def __init__(
        self,
        link: str | os.PathLike[str] | None = None,
        *,
        profile: str | Profile = "generic",
        settings: Settings | None = None,
        faults: Faults | None = None,
    ) -> None:
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        if self.profile.imei is None:
            # The link's file name: the same modem on every run, wherever its directory.
            name = os.path.basename(os.fspath(link)) if link is not None else self.profile.name
            self.profile = replace(self.profile, imei=imei_for(name))
        if self.profile.iccid is None:
            name = os.path.basename(os.fspath(link)) if link is not None else self.profile.name
            self.profile = replace(self.profile, iccid=iccid_for(name))
        self.settings = settings or Settings()
        self.faults = faults or Faults()
        self.counters: Counter[str] = Counter()
        self.changes = ChangeNotifier()
        self.transcript = Transcript(self.changes.notify)
        self.network = Network(self.settings, self.counters, self.changes.notify)
        self.port = PtyPort(
            link,
            on_input=lambda data: self.modem.feed(data),
            on_output=self.transcript.bytes_sent,
            byte_delay=lambda: self.faults.byte_delay,
        )
        self.modem = Modem(
            self.profile, self.settings, self.faults, self.network, self.counters,
            self.transcript, self.port.write, self.changes.notify, self._reset_requested,
        )
        self.network.receiver = self.modem
        self._tasks: set[asyncio.Task[Any]] = set()
        # Another process injects inbound SMS through it (control.py); none without a link.
        self.control = ControlServer(control_path(link), self.inject_sms) if link is not None else None

    # -- lifecycle -----------------------------------------------------------

    async def start(self) -> "Simulator":
        self.port.open()
        self.modem.power_on()
        if self.control is not None:
            await self.control.start()
        return self

    async def stop(self) -> None:
        if self.control is not None:
            await self.control.stop()
        for task in self._tasks:
            task.cancel()
        self.modem.power_off()
        self.port.close()
        self.network.stop()

    async def __aenter__(self) -> "Simulator":
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def path(self) -> str:
        """What the host opens: the link, or the pty device when there is none."""
        return self.port.path

    @property
    def device(self) -> str | None:
        """The current /dev/pts/N (changes on every replug)."""
        return self.port.device

    # -- the host side of the story ------------------------------------------

    def unplug(self) -> None:
        """The USB device disappears: the pty and the link go, a host's fd gets EOF/EIO."""
        self.modem.power_off()
        self.port.close()
        self.counters["unplugs"] += 1
        self.changes.notify()

    def replug(self) -> None:
        """Back on the bus: a new pty, the link pointing at it, and a fresh boot."""
        if not self.port.is_open:
            self.port.open()
            self.modem.power_on()

    def power_cycle(self) -> None:
        """Reboot on the same port (AT+CFUN=1,1 on most modems)."""
        self.modem.power_off()
        self.modem.power_on()

    def hang(self, duration: float | None = None) -> None:
        self.modem.hang(duration)

    def send_raw(self, data: bytes) -> None:
        """Line noise or anything else, straight to the host."""
        self.modem.send_raw(data)

    def urc(self, line: str) -> None:
        """An unsolicited result code, e.g. "^RSSI:25" or "+CREG: 1"."""
        self.modem.urc(line)

    def set_registration(self, status: int) -> None:
        """Change the network registration, announcing it where AT+CxREG=1/2 asked for it."""
        self.settings.registration = status
        for name, n in self.modem.registration_urcs.items():
            if n:
                self.modem.urc(registration_line(self.modem, name, prefix_n=False))
        if status in (1, 5):
            self.network.flush()

    # -- the network side of the story ---------------------------------------

    def inject_sms(self, originator: str, text: str) -> tuple[EncodedPdu, ...]:
        """Someone sends the SIM a message; returns the PDUs (parts) the network delivers."""
        return self.network.inject_sms(originator, text)

    def handset(self, number: str) -> list[str]:
        """Complete texts the phone `number` has received from the modem."""
        return self.network.inbox(number)

    # -- waiting ---------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        return await self.changes.wait_for(predicate, timeout)

    async def wait_ready(self, timeout: float = 5.0) -> None:
        """Until the modem has booted and SMS service is up."""
        await self.wait_for(lambda: self.modem.sms_ready, timeout)

    # -- internals -------------------------------------------------------------

    def _reset_requested(self) -> None:
        task = asyncio.get_running_loop().create_task(self._reset())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reset(self) -> None:
        await self.port.drain()
        if self.faults.reset_replugs:
            # The stick leaves the bus a moment after its OK, and comes back re-enumerated.
            await asyncio.sleep(RESET_DROP_DELAY)
            self.unplug()
            await asyncio.sleep(RESET_DROP_DELAY)
            self.replug()
        else:
            self.power_cycle()
