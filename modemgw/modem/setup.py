"""Setting a modem up for SMS (27.007, 27.005): the SIM unlocked, PDU mode, an SMS centre,
phase 2+ and how new messages are announced. Each step asks the modem through the
driver's command function and keeps what it learnt in the modem's `ModemInfo`.

A wrong PIN is entered once and never again for this modem (each wrong attempt brings
the SIM closer to needing its PUK); a SIM that wants more than its PIN, no SIM, a modem
that refuses PDU mode and a SIM without an SMS centre stop the set-up with an error a
person has to act on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ..at import Response
from ..at.errors import ResponseParseError
from ..at.responses import parse_cnmi_test, parse_cpin, parse_cpms_test, parse_csca, parse_csms, parse_csms_test
from .errors import CommandFailed, ConfigurationError, SimError
from .notifications import NotificationPlan, plans
from .vendors import VendorProfile

if TYPE_CHECKING:
    from .driver import ModemInfo

log = logging.getLogger(__name__)

# One command: `check` raises CommandFailed on an error result; `timeout` in seconds.
Command = Callable[..., Awaitable[Response]]


class SetUp:
    def __init__(self, name: str, command: Command, info: ModemInfo, *, pin: str | None,
                 smsc: str | None) -> None:
        self.name = name
        self._command = command
        self._info = info
        self._pin = pin
        self._smsc = smsc
        self.pin_rejected = False

    async def unlock_sim(self, timeout: float) -> None:
        """Until the SIM is ready (entering the PIN once), or SimError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            response = await self._command("AT+CPIN?", check=False)
            line = next((x for x in response.lines if x.upper().startswith("+CPIN")), None)
            if response.ok and line is not None:
                state = parse_cpin(line).upper()
                if state == "READY":
                    return
                if state == "SIM PIN":
                    await self._enter_pin()
                    continue
                raise SimError(f"SIM wants {state}: unlock it by hand; the gateway will not guess")
            error = response.result.error
            if error == 10:
                raise SimError("no SIM card inserted (+CME ERROR: 10)")
            if loop.time() > deadline:
                raise SimError(f"SIM not ready: AT+CPIN? -> {response.result.line}")
            await asyncio.sleep(1.0)  # SIM busy / still starting

    async def _enter_pin(self) -> None:
        if self._pin is None:
            raise SimError("SIM asks for a PIN and none is configured")
        if self.pin_rejected:
            raise SimError("the configured PIN was rejected before; not trying it again")
        response = await self._command(f'AT+CPIN="{self._pin}"', check=False, timeout=20)
        if not response.ok:
            self.pin_rejected = True
            raise SimError(f"wrong SIM PIN ({response.result.line}); not retried: "
                           "another wrong attempt brings the SIM closer to needing its PUK")
        log.info("modem=%s SIM PIN accepted", self.name)

    async def until_sms_ready(self, timeout: float) -> None:
        """PDU mode (AT+CMGF=0), once the modem takes it."""
        # SIMCom answers AT+CMGF with ERROR until "SMS Ready"; others say SIM busy.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            response = await self._command("AT+CMGF=0", check=False)
            if response.ok:
                return
            if loop.time() > deadline:
                raise ConfigurationError(f"modem refuses PDU mode: AT+CMGF=0 -> {response.result.line}")
            await asyncio.sleep(1.0)

    async def check_smsc(self) -> None:
        """The SIM's SMS centre, or the configured one set when the SIM has none."""
        response = await self._command("AT+CSCA?", check=False)
        centre = None
        if response.ok and response.lines:
            with contextlib.suppress(ResponseParseError):
                centre = parse_csca(response.lines[0])
        if centre is None and self._smsc:
            await self._command(f'AT+CSCA="{self._smsc}",145')
            self._info.smsc = self._smsc
            return
        if centre is None:
            raise ConfigurationError(
                "the SIM has no SMSC number (AT+CSCA? is empty): sending would fail with "
                "+CMS ERROR: 330; set `smsc` for this modem")
        self._info.smsc = centre.number

    async def choose_notifications(self, profile: VendorProfile, poll_interval: float) -> None:
        """Phase 2+ where offered, and the first AT+CNMI setting the modem accepts of those
        that route or announce new messages and reports (notifications.py); none: the
        memories are polled."""
        info = self._info
        with contextlib.suppress(CommandFailed, ResponseParseError):
            response = await self._command("AT+CPMS=?")
            groups = parse_cpms_test(response.lines[0]) if response.lines else ()
            info.memories = tuple(sorted(groups[0])) if groups else ()
        supported: frozenset[int] = frozenset()
        with contextlib.suppress(CommandFailed, ResponseParseError):
            response = await self._command("AT+CSMS=?")
            supported = parse_csms_test(response.lines[0]) if response.lines else frozenset()
        with contextlib.suppress(CommandFailed, ResponseParseError):
            response = await self._command("AT+CSMS?")
            service = parse_csms(response.lines[0]).service if response.lines else None
            info.sms_service = service or 0
        # Phase 2+ wherever the modem offers it: a routed +CDS or +CMT is then
        # acknowledged (AT+CNMA) only after the store has committed it, and one
        # that arrives while the gateway is down or busy restarting is not
        # acknowledged, so the network delivers it again instead of it being lost.
        if info.sms_service == 0 and 1 in supported:
            if (await self._command("AT+CSMS=1", check=False)).ok:
                info.sms_service = 1
        candidates: list[NotificationPlan] = []
        with contextlib.suppress(CommandFailed, ResponseParseError):
            response = await self._command("AT+CNMI=?")
            if response.lines:
                candidates = plans(parse_cnmi_test(response.lines[0]), profile.ds_preference)
        info.notifications = None
        for plan in candidates:
            if (await self._command(plan.command, check=False)).ok:
                info.notifications = plan
                return
            # Some modems route +CMT/+CDS only in phase 2+ (warthog618/modem#8).
            if info.sms_service == 0 and 1 in supported:
                if (await self._command("AT+CSMS=1", check=False)).ok:
                    info.sms_service = 1
                    if (await self._command(plan.command, check=False)).ok:
                        info.notifications = plan
                        return
        log.warning("modem=%s no AT+CNMI setting accepted; polling memories every %gs",
                    self.name, poll_interval)
