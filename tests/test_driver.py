"""The real driver against the simulated modem over a real pty: no mocks."""

from __future__ import annotations

import asyncio
import contextlib
import os

import pytest

from modemgw.modem import (Backoff, Modem, ModemState, ModemUnavailable, ReceivedPdu, SendFailed,
                           SendUnknown, Timeouts)
from modemgw.simulator import Faults, Settings, Simulator
from modemgw.sms import Reassembler, StatusReport, encode_submit

FAST = Timeouts(command=2, prompt=2, submit=2, probe=0.3, sms_ready=5, reset=3)
BACKOFF = Backoff(initial=0.05, maximum=0.3)
DEST = "+15551230002"


class Inbox:
    """The layer above, as the driver sees it: stores what it is handed."""

    def __init__(self, fail: bool = False) -> None:
        self.items: list[ReceivedPdu] = []
        self.fail = fail
        self._changed = asyncio.Condition()

    async def __call__(self, received: ReceivedPdu) -> None:
        if self.fail:
            raise RuntimeError("database unavailable")
        self.items.append(received)
        async with self._changed:
            self._changed.notify_all()

    async def wait(self, predicate, timeout: float = 5.0):
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(predicate)

    @property
    def reports(self) -> list[StatusReport]:
        return [r.message for r in self.items if r.is_status_report]

    @property
    def messages(self) -> list:
        return [r.message for r in self.items if not r.is_status_report]


@contextlib.asynccontextmanager
async def rig(tmp_path, *, profile="generic", settings=None, faults=None, pin=None, smsc=None,
              inbox=None, start_modem=True, backoff=BACKOFF, path=None, **modem_kw):
    link = str(tmp_path / "ttyMODEM")
    sim = Simulator(link, profile=profile, settings=settings or Settings(), faults=faults or Faults())
    inbox = inbox if inbox is not None else Inbox()
    modem = Modem("m1", path or link, pin=pin, smsc=smsc, handler=inbox, timeouts=FAST, backoff=backoff,
                  **modem_kw)
    await sim.start()
    try:
        if start_modem:
            await modem.start()
        yield sim, modem, inbox
    finally:
        await modem.stop()
        await sim.stop()


async def send_text(modem, text, to=DEST, reference=1):
    return [await modem.send(p) for p in encode_submit(to, text, reference=reference)]


@pytest.mark.parametrize("profile", ["generic", "sim800", "ec25", "huawei_e3372"])
async def test_set_up_and_send_long_ucs2(tmp_path, profile):
    text = "Привет, мир! 😀 " * 12
    async with rig(tmp_path, profile=profile) as (sim, modem, inbox):
        assert await modem.wait_for(ModemState.READY, ModemState.FAILED, timeout=10) == ModemState.READY
        assert modem.info.imei == sim.profile.imei
        assert modem.info.model == sim.profile.model
        assert modem.info.smsc == "+15550000000"
        assert modem.info.notifications.reports == "routed"
        mrs = await send_text(modem, text)
        assert len(mrs) == len(set(mrs)) == len(encode_submit(DEST, text, reference=1))
        assert await sim.wait_for(lambda: sim.handset(DEST)) == [text]
        await inbox.wait(lambda: len(inbox.reports) == len(mrs))
        assert sorted(r.message_reference for r in inbox.reports) == sorted(mrs)
        assert all(r.outcome == "delivered" and r.recipient.number == DEST for r in inbox.reports)


async def test_huawei_urcs_silenced_and_vendor_detected(tmp_path):
    async with rig(tmp_path, profile="huawei_e3372") as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        assert modem.info.vendor == "huawei"
        assert "AT^CURC=0" in sim.transcript.commands()


async def test_stored_reports_via_cdsi(tmp_path):
    settings = Settings(report_mode="cdsi", report_delay=0.05)
    async with rig(tmp_path, settings=settings) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        [mr] = await send_text(modem, "hello")
        await inbox.wait(lambda: inbox.reports)
        [report] = inbox.reports
        assert report.message_reference == mr and report.outcome == "delivered"
        assert inbox.items[0].location[0] == "SR"
        # Deleted from the modem only after the handler stored it.
        await sim.wait_for(lambda: sim.modem.memories["SR"].used == 0)


async def test_ec25_cdsi_naming_the_wrong_memory(tmp_path):
    # EC25 firmware stores the report in SR but announces +CDSI: "SM",n
    # (asterisk-chan-quectel PR 75). Forced onto <ds>=2, the driver still finds it.
    settings = Settings(report_mode="cdsi", report_delay=0.05)
    async with rig(tmp_path, profile="ec25", settings=settings) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        [mr] = await send_text(modem, "where is my report?")
        await inbox.wait(lambda: inbox.reports)
        assert inbox.reports[0].message_reference == mr


async def test_inbound_long_ucs2_reassembled_and_deleted(tmp_path):
    text = "Добрый день! Ответ на ваше сообщение 👍 " * 5
    async with rig(tmp_path) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        parts = sim.inject_sms("+4479000001", text)
        assert len(parts) > 2
        await inbox.wait(lambda: len(inbox.messages) == len(parts))
        r = Reassembler()
        done = [m for m in (r.add(d, now=0) for d in inbox.messages) if m]
        assert [m.text for m in done] == [text]
        assert all(item.location is not None for item in inbox.items)
        await sim.wait_for(lambda: sum(m.used for m in sim.modem.memories.values()) == 0)


async def test_start_up_sweep_reads_what_arrived_while_down(tmp_path):
    async with rig(tmp_path, start_modem=False) as (sim, modem, inbox):
        await sim.wait_ready()
        sim.inject_sms("+4479000002", "sent while the gateway was down")
        sim.inject_sms("+4479000003", "and another one")
        await sim.wait_for(lambda: sim.modem.memories["SM"].used == 2)
        await modem.start()
        await inbox.wait(lambda: len(inbox.messages) == 2)
        assert sorted(m.text for m in inbox.messages) == ["and another one",
                                                          "sent while the gateway was down"]
        await sim.wait_for(lambda: sim.modem.memories["SM"].used == 0)


async def test_handler_failure_leaves_message_on_modem(tmp_path):
    inbox = Inbox(fail=True)
    async with rig(tmp_path, inbox=inbox) as (sim, modem, _):
        await modem.wait_for(ModemState.READY, timeout=10)
        sim.inject_sms("+4479000004", "keep me")
        await sim.wait_for(lambda: any(c.startswith("AT+CMGR") for c in sim.transcript.commands()))
        await sim.wait_for(lambda: sim.modem.memories["SM"].used == 1)
        assert not any(c.startswith("AT+CMGD") for c in sim.transcript.commands())


@pytest.mark.parametrize("code,permanent", [(21, True), (28, True), (304, True), (38, False),
                                             (512, False), (513, False)])
async def test_cms_errors_classified(tmp_path, code, permanent):
    faults = Faults(cms_error_destinations={DEST: code})
    async with rig(tmp_path, faults=faults) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        with pytest.raises(SendFailed) as info:
            await send_text(modem, "x")
        assert info.value.permanent is permanent and info.value.code == code
        assert modem.state == ModemState.READY
        assert await send_text(modem, "y", to="+15551230099")  # the modem still works


async def test_echo_stuck_and_interleaved_urcs(tmp_path):
    faults = Faults(echo_stuck=True, urcs_mid_response=True,
                    interleave=["^RSSI:17", "+CREG: 1", "^BOOT:35323129,0,0,0,26"] * 8)
    async with rig(tmp_path, faults=faults) as (sim, modem, inbox):
        assert await modem.wait_for(ModemState.READY, ModemState.FAILED, timeout=10) == ModemState.READY
        text = "x" * 200
        await send_text(modem, text)
        assert await sim.wait_for(lambda: sim.handset(DEST)) == [text]


async def test_hang_before_prompt_sends_nothing_then_recovers(tmp_path):
    faults = Faults(hang_on="+CMGS", hang_for=1.0)
    async with rig(tmp_path, faults=faults) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        with pytest.raises(ModemUnavailable, match="nothing was sent"):
            await send_text(modem, "are you there?")
        faults.hang_on = None
        await modem.wait_for(ModemState.RECOVERING, timeout=5)
        assert await modem.wait_for(ModemState.READY, timeout=15) == ModemState.READY
        assert modem.counters.recoveries >= 1
        await send_text(modem, "back again", to="+15551230077")
        assert await sim.wait_for(lambda: sim.handset("+15551230077")) == ["back again"]
        assert sim.handset(DEST) == []


async def test_timeout_after_pdu_is_unknown_not_failed(tmp_path):
    # The network answers after the driver gave up: the message did go out,
    # which is why a timeout after the PDU is "unknown", never "failed".
    settings = Settings(latency=FAST.submit + 0.5)
    async with rig(tmp_path, settings=settings) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        with pytest.raises(SendUnknown):
            await send_text(modem, "slow network")
        assert await sim.wait_for(lambda: sim.handset(DEST)) == ["slow network"]
        assert await modem.wait_for(ModemState.READY, timeout=10) == ModemState.READY
        settings.latency = 0
        await send_text(modem, "next one", to="+15551230078")
        assert await sim.wait_for(lambda: sim.handset("+15551230078")) == ["next one"]


async def test_unplug_and_replug(tmp_path):
    async with rig(tmp_path) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        sim.unplug()
        await modem.wait_for(ModemState.OFFLINE, timeout=5)
        sim.replug()
        assert await modem.wait_for(ModemState.READY, timeout=10) == ModemState.READY
        await send_text(modem, "after replug")
        assert await sim.wait_for(lambda: sim.handset(DEST)) == ["after replug"]


async def test_unplug_during_submit_is_unknown(tmp_path):
    settings = Settings(latency=1.0)
    async with rig(tmp_path, settings=settings) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        task = asyncio.create_task(send_text(modem, "in flight"))
        await sim.wait_for(lambda: any(e.kind == "pdu" for e in sim.transcript.entries))
        sim.unplug()
        with pytest.raises(SendUnknown):
            await task
        await modem.wait_for(ModemState.OFFLINE, timeout=5)


async def test_wrong_pin_is_tried_once_and_never_again(tmp_path):
    settings = Settings(pin="1234")
    async with rig(tmp_path, settings=settings, pin="0000") as (sim, modem, inbox):
        assert await modem.wait_for(ModemState.FAILED, ModemState.READY, timeout=10) == ModemState.FAILED
        assert "wrong SIM PIN" in modem.last_error
        attempts = [c for c in sim.transcript.commands() if c.upper().startswith("AT+CPIN=")]
        assert attempts == ['AT+CPIN="0000"']
        with pytest.raises(ModemUnavailable):
            await send_text(modem, "x")


async def test_right_pin_unlocks(tmp_path):
    async with rig(tmp_path, settings=Settings(pin="1234"), pin="1234") as (sim, modem, inbox):
        assert await modem.wait_for(ModemState.READY, ModemState.FAILED, timeout=10) == ModemState.READY


async def test_pin_required_but_not_configured(tmp_path):
    async with rig(tmp_path, settings=Settings(pin="1234")) as (sim, modem, inbox):
        assert await modem.wait_for(ModemState.FAILED, timeout=10) == ModemState.FAILED
        assert "PIN" in modem.last_error
        assert not any(c.upper().startswith("AT+CPIN=") for c in sim.transcript.commands())


async def test_missing_smsc_is_a_clear_error(tmp_path):
    async with rig(tmp_path, settings=Settings(smsc="")) as (sim, modem, inbox):
        assert await modem.wait_for(ModemState.FAILED, timeout=10) == ModemState.FAILED
        assert "SMSC" in modem.last_error and "330" in modem.last_error


async def test_missing_smsc_set_from_config(tmp_path):
    async with rig(tmp_path, settings=Settings(smsc=""), smsc="+15559990000") as (sim, modem, inbox):
        assert await modem.wait_for(ModemState.READY, ModemState.FAILED, timeout=10) == ModemState.READY
        assert 'AT+CSCA="+15559990000",145' in sim.transcript.commands()


async def test_phase2_reports_acknowledged_exactly_once(tmp_path):
    # With AT+CSMS=1 a routed +CDS must be acknowledged with AT+CNMA, once
    # (a second ack is +CMS ERROR: 340; none, and the network sends it again).
    async with rig(tmp_path, start_modem=False, settings=Settings(report_delay=0.05)) as (sim, modem, inbox):
        await sim.wait_ready()
        sim.modem.csms = 1
        await modem.start()
        await modem.wait_for(ModemState.READY, timeout=10)
        assert modem.info.sms_service == 1
        mrs = await send_text(modem, "ack me " * 30)
        await inbox.wait(lambda: len(inbox.reports) == len(mrs))
        await sim.wait_for(lambda: sim.counters["acks"] == len(mrs))
        acks = [c for c in sim.transcript.commands() if c.upper().startswith("AT+CNMA")]
        assert acks == ["AT+CNMA"] * len(mrs)
        assert sim.counters["nacks"] == 0
        assert b"+CMS ERROR: 340" not in sim.transcript.output()


async def test_silent_reboot_noticed_and_reports_swept(tmp_path):
    # The generic profile prints nothing when it restarts; the health poll's
    # AT+CNMI? shows the settings are gone, and the driver sets it up again.
    async with rig(tmp_path, settings=Settings(report_delay=0.3), health_interval=0.2) as (sim, modem, inbox):
        await modem.wait_for(ModemState.READY, timeout=10)
        [mr] = await send_text(modem, "before the reboot")
        sim.power_cycle()               # the report comes while nothing routes it: stored
        await inbox.wait(lambda: inbox.reports, timeout=10)
        assert inbox.reports[0].message_reference == mr
        assert modem.state == ModemState.READY
        assert sim.transcript.commands().count("AT+CMGF=0") >= 2   # set up twice


async def test_modem_left_in_the_sms_editor_is_taken_back(tmp_path):
    # A gateway killed at the "> " prompt of AT+CMGS leaves the modem in its SMS
    # editor: whatever is typed next goes into that message. The next start leaves
    # the editor (ESC) before its first command.
    async with rig(tmp_path, start_modem=False) as (sim, modem, inbox):
        await sim.wait_ready()
        fd = os.open(sim.path, os.O_RDWR | os.O_NOCTTY)
        try:
            os.write(fd, b"AT+CMGS=29\r")
            await sim.wait_for(lambda: b"> " in sim.transcript.output())
        finally:
            os.close(fd)
        await modem.start()
        assert await modem.wait_for(ModemState.READY, ModemState.FAILED, timeout=10) == ModemState.READY
        [mr] = await send_text(modem, "after the editor")
        assert sim.handset(DEST) == ["after the editor"]
        assert sim.counters["submitted"] == 1 and mr == 0


async def test_routed_report_acknowledged_during_a_slow_sweep(tmp_path):
    # The EC25 is swept slot by slot (no AT+CMGL); a +CDS routed meanwhile is stored
    # and acknowledged at once, not after the sweep: until its AT+CNMA the modem routes
    # nothing else, and a gateway that dies first leaves it to the network's retry.
    settings = Settings(report_delay=0.05)
    async with rig(tmp_path, profile="ec25", settings=settings, start_modem=False,
                   faults=Faults(byte_delay=0.0003)) as (sim, modem, inbox):
        await sim.wait_ready()
        sim.modem.csms = 1
        await modem.start()
        await modem.wait_for(ModemState.READY, timeout=10)
        [mr] = await send_text(modem, "report me")
        await inbox.wait(lambda: inbox.reports, timeout=10)
        assert inbox.reports[0].message_reference == mr

        def reads() -> list[int]:
            return [i for i, c in enumerate(sim.transcript.commands()) if c.startswith("AT+CMGR")]
        await sim.wait_for(lambda: len(reads()) >= 20 and sim.counters["acks"] == 1, timeout=10)
        # More than a hundred slots to read: the ack comes before the 20th.
        assert sim.transcript.commands().index("AT+CNMA") < reads()[19]
        assert sim.counters["nacks"] == 0
