"""The modem's firmware: power and boot, command dispatch, responses and URCs.

One task reads command lines and runs them one at a time, so a host that
writes while a command is still running (a pending +CMGS) just waits, as
with a real modem. Unsolicited result codes raised meanwhile go out after
the final result, unless a fault asks for them in the middle.
"""

import asyncio
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

from . import commands, sms_commands  # noqa: F401  (they fill the handler table)
from .faults import Faults
from .line_input import LineInput
from .network import Delivery, Network
from .parser import Command, ParseError, parse_line
from .profiles import Profile
from .registry import HANDLERS, NotSupported
from .routing import Router
from .results import CommandError, cme, cms
from .settings import Settings
from .storage import Memory, make_memories
from .transcript import Transcript

NUMERIC_RESULTS = {"OK": "0", "ERROR": "4"}
# (+CME, +CMS) codes while the SIM is not ready, by SIM state.
SIM_ERRORS = {"OFF": (13, 313), "BUSY": (14, 314), "PIN": (11, 311), "PUK": (12, 316)}


class Modem:
    def __init__(
        self,
        profile: Profile,
        settings: Settings,
        faults: Faults,
        network: Network,
        counters: Counter[str],
        transcript: Transcript,
        write: Callable[[bytes], None],
        on_change: Callable[[], None],
        on_reset: Callable[[], None],
    ) -> None:
        self.profile = profile
        self.settings = settings
        self.faults = faults
        self.network = network
        self.counters = counters
        self.transcript = transcript
        self._write = write
        self._changed = on_change
        self.request_reset = on_reset
        self.memories: dict[str, Memory] = make_memories(profile.memory_sizes, profile.first_index)
        # Survive power cycles: the SIM's PIN counter and its EF_SMSS (TS 31.102 §4.2.9:
        # the last TP-MR used, then the memory-exceeded flag, FF when clear).
        self.pin_attempts = 3
        self.smss = bytearray([(settings.first_message_reference - 1) % 256, 0xFF])
        # The TP-MR counter of a modem that keeps it in RAM (profile.mr_on_sim False).
        self.next_reference = settings.first_message_reference % 256
        self.powered = False
        self.hung = False
        self.sim_state = "OFF"
        self.sms_ready = False
        self.functionality = 1
        self._input = LineInput(self._echo)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._busy = False
        self._deferred: list[str] = []
        self._last_line = ""
        self.router = Router(self)
        self._timers: set[asyncio.TimerHandle] = set()
        self.reset_settings()
        self.cpms = [options[0] for options in profile.cpms_options]

    def reset_settings(self) -> None:
        """ATZ / AT&F / power-up defaults of the per-session settings."""
        self.echo = True
        self.verbose = True
        self.quiet = False
        self.cmee = 0
        self.cnmi = list(self.profile.cnmi_default)
        self.csms = 0
        self.registration_urcs = {"+CREG": 0, "+CGREG": 0, "+CEREG": 0}
        self.cops_format = 0
        self.charset = "IRA"
        self.cmms = 0
        self.cusd = 0
        self.curc = 1
        self.s_registers: dict[int, int] = {}

    # -- power ---------------------------------------------------------------

    def power_on(self) -> None:
        self.powered = True
        self.hung = False
        self.sim_state = "BUSY"
        self.sms_ready = False
        self.functionality = 1
        self.reset_settings()
        self.cpms = [options[0] for options in self.profile.cpms_options]
        if not self.profile.mr_on_sim:
            self.next_reference = self.settings.first_message_reference % 256
        self._input.clear()
        self._deferred.clear()
        self._busy = False
        self.counters["boots"] += 1
        self._spawn(self._serve())
        self._spawn(self._boot())
        for interval, line in self.profile.periodic_urcs:
            self._spawn(self._repeat(interval, line))
        self._changed()

    def power_off(self) -> None:
        self.powered = False
        self.sms_ready = False
        self.sim_state = "OFF"
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for delivery in self.router.withdraw():
            self.network.retry_later(delivery)
        self._changed()

    def hang(self, duration: float | None = None) -> None:
        """Stop answering; only a power cycle (or `duration` seconds) revives it."""
        self.hung = True
        self._deferred.clear()
        self.counters["hangs"] += 1
        if duration is not None:
            self.later(duration, self._revive)
        self._changed()

    def _revive(self) -> None:
        self.hung = False
        self.network.flush()
        self._changed()

    async def _boot(self) -> None:
        self._boot_urcs("power")
        await asyncio.sleep(self.settings.sim_ready_delay)
        if self.pin_attempts == 0:
            self.sim_state = "PUK"
            self.urc("+CPIN: SIM PUK")
        elif self.settings.pin is not None:
            self.sim_state = "PIN"
            self.urc("+CPIN: SIM PIN")
        else:
            self.sim_unlocked()
        self._changed()

    def sim_unlocked(self) -> None:
        self.sim_state = "READY"
        self._spawn(self._sms_init())

    async def _sms_init(self) -> None:
        self._boot_urcs("sim")
        await asyncio.sleep(self.settings.sms_ready_delay)
        self._boot_urcs("sms")
        self.sms_ready = True
        self._changed()
        self.network.flush()

    def _boot_urcs(self, phase: str) -> None:
        for urc_phase, line in self.profile.boot_urcs:
            if urc_phase == phase:
                self.urc(line)

    async def _repeat(self, interval: float, line: str) -> None:
        while True:
            await asyncio.sleep(interval)
            if self.curc:
                self.urc(line.format(rssi=self.settings.signal))

    def require_sim(self, kind: str = "cme") -> None:
        if self.sim_state != "READY":
            cme_code, cms_code = SIM_ERRORS[self.sim_state]
            raise cme(cme_code) if kind == "cme" else cms(cms_code)

    def require_sms(self) -> None:
        self.require_sim("cms")
        if not self.sms_ready:
            raise cms(314)

    # -- input ---------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        if self.powered:
            self._input.feed(data)

    def _echo(self, data: bytes) -> None:
        if data and (self.echo or self.faults.echo_stuck):
            self._send(data)

    async def read_sms_editor(self) -> str | None:
        """Text typed after the "> " prompt up to Ctrl-Z; None when ESC cancelled it."""
        text, submitted = await self._input.read_editor()
        self.transcript.pdu_received(text + ("^Z" if submitted else "<ESC>"))
        return text if submitted else None

    async def _serve(self) -> None:
        while True:
            line = await self._input.read_line()
            if line.strip():
                self.transcript.line_received(line)
            if self.hung:
                continue
            start = line.upper().find("AT")
            if start < 0:
                if line == "A/" and self._last_line:
                    await self._execute(self._last_line)
                continue
            self._last_line = line[start + 2 :]
            await self._execute(self._last_line)
            self._changed()

    # -- command execution ---------------------------------------------------

    async def _execute(self, body: str) -> None:
        self._busy = True
        try:
            for command in parse_line(body):
                self.counters["commands"] += 1
                if self._hangs_on(command):
                    self.hang(self.faults.hang_for)
                    return
                handler = HANDLERS.get(command.name) or (
                    HANDLERS["S"] if command.name[:1] == "S" and command.name[1:].isdigit() else None
                )
                if handler is None:
                    raise NotSupported(command.name)
                self._information(await handler(self, command))
            self._final("OK")
        except (ParseError, ValueError):
            self._final("ERROR")
        except NotSupported:
            self._final(self.profile.unknown_command_reply)
        except CommandError as error:
            self.counters["errors"] += 1
            self._final(error.result(self.cmee))
        finally:
            self._busy = False
            self._flush_deferred()

    def _hangs_on(self, command: Command) -> bool:
        target = self.faults.hang_on
        return target is not None and (target == "*" or target.upper() == command.name)

    # -- output --------------------------------------------------------------

    def _send(self, data: bytes) -> None:
        if self.powered and not self.hung:
            self._write(data)

    def _format(self, text: str) -> bytes:
        framed = f"\r\n{text}\r\n" if self.verbose else f"{text}\r\n"
        return framed.encode("latin-1", errors="replace")

    def _gap(self) -> None:
        """A point inside a response where a real modem may slip in a URC."""
        if self.faults.urcs_mid_response:
            self._flush_deferred()
        line = self.faults.next_interleaved()
        if line is not None:
            self.counters["interleaved"] += 1
            self._send(self._format(line))

    def _information(self, lines: list[str]) -> None:
        # "\r\n" opens a command's response; the lines within it are not separated by blank ones.
        for i, line in enumerate(lines):
            self._gap()
            if i == 0 or not self.verbose:
                self._send(self._format(line))
            else:
                self._send(f"{line}\r\n".encode("latin-1", errors="replace"))

    def _final(self, result: str) -> None:
        self._gap()
        self._send(self.faults.noise())
        if self.quiet:
            return
        if self.verbose:
            self._send(self._format(result))
        else:
            self._send(f"{NUMERIC_RESULTS.get(result, result)}\r".encode())

    def prompt(self) -> None:
        self._send(b"\r\n> ")
        self._gap()

    def urc(self, text: str) -> None:
        if not self.powered or self.hung:
            return
        self.counters["urcs"] += 1
        if self._busy:
            self._deferred.append(text)
        else:
            self._send(self._format(text))

    def _flush_deferred(self) -> None:
        deferred, self._deferred = self._deferred, []
        for text in deferred:
            self._send(self._format(text))

    def send_raw(self, data: bytes) -> None:
        """Bytes straight to the host (line noise, tests of the host's parser)."""
        self._send(data)

    # -- message submission --------------------------------------------------

    def take_reference(self) -> int:
        """The TP-MR of the next submit: one more than the last (TS 23.040 §9.2.3.6)."""
        if self.profile.mr_on_sim:
            self.smss[0] = (self.smss[0] + 1) % 256
            return self.smss[0]
        reference = self.next_reference
        self.next_reference = (reference + 1) % 256
        return reference

    def sim_file(self, file_id: int) -> bytearray | None:
        """A transparent EF of the SIM by its file id (only EF_SMSS, 6F43, is kept)."""
        return self.smss if file_id == 0x6F43 else None

    # -- messages from the network (Receiver protocol) -----------------------

    def can_receive(self) -> bool:
        return self.powered and not self.hung and self.sms_ready and self.functionality == 1

    def receive(self, delivery: Delivery) -> bool:
        accepted = self.router.receive(delivery)
        self._changed()
        return accepted

    def acknowledge(self, positive: bool) -> None:
        self.router.acknowledge(positive)
        self._changed()

    # -- helpers -------------------------------------------------------------

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def later(self, delay: float, callback: Callable[..., None], *args: object) -> None:
        handle: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(handle)
            callback(*args)

        handle = asyncio.get_running_loop().call_later(delay, fire)
        self._timers.add(handle)
