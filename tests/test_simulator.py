"""The simulated modem, driven over its real pty by a plain byte-level client."""

import asyncio
import contextlib
import dataclasses
import os
import re
import termios
import tty

import pytest

from modemgw.simulator import PROFILES, Faults, Settings, Simulator
from modemgw.simulator.imei import luhn_digit
from modemgw.sms import Deliver, StatusReport, decode_pdu, encode_submit

FINAL = re.compile(rb"\r\n(OK|ERROR|\+CM[ES] ERROR: [^\r]*|COMMAND NOT SUPPORT)\r\n")
ROUTED = re.compile(rb"\r\n\+(CMT: ,|CDS: )(\d+)\r\n([0-9A-F]+)\r\n")


class Client:
    """What any host program does: open the tty, raw mode, write bytes, read bytes."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd, termios.TCSANOW)  # TCSAFLUSH would drop boot URCs already queued
        self.buffer = b""

    def close(self) -> None:
        os.close(self.fd)

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    async def _fill(self) -> None:
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        loop.add_reader(self.fd, lambda: readable.done() or readable.set_result(None))
        try:
            await readable
        finally:
            loop.remove_reader(self.fd)
        data = os.read(self.fd, 4096)
        if not data:
            raise EOFError("modem hung up")
        self.buffer += data

    async def expect(self, pattern: bytes | re.Pattern[bytes], timeout: float = 3.0) -> re.Match[bytes]:
        """The first match in what arrives; everything up to its end is consumed."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        async with asyncio.timeout(timeout):
            while not (match := regex.search(self.buffer)):
                await self._fill()
        self.buffer = self.buffer[match.end() :]
        return match

    async def read_until(self, pattern: bytes | re.Pattern[bytes], timeout: float = 3.0) -> bytes:
        """Everything up to and including the first match; the rest stays buffered."""
        match = await self.expect(pattern, timeout)
        return match.string[: match.end()]

    async def command(self, line: str, timeout: float = 3.0) -> str:
        self.write(line.encode() + b"\r")
        return (await self.read_until(FINAL, timeout)).decode("latin-1")

    async def send_pdu(self, hex_pdu: str, length: int) -> str:
        self.write(f"AT+CMGS={length}\r".encode())
        await self.read_until(b"\r\n> ")
        self.write(hex_pdu.encode() + b"\x1a")
        return (await self.read_until(FINAL)).decode("latin-1")


def lines(response: str) -> list[str]:
    """Non-empty lines; an echo ends in a bare CR and counts as a line."""
    return [line for line in re.split(r"[\r\n]+", response) if line]


def reassemble(pdus: list[str]) -> str:
    parts = [decode_pdu(p) for p in pdus]
    assert all(isinstance(p, Deliver) for p in parts)
    parts.sort(key=lambda p: p.udh.concat.sequence if p.udh and p.udh.concat else 0)
    return "".join(p.text for p in parts)


@contextlib.asynccontextmanager
async def modem(tmp_path, profile="generic", settings=None, faults=None, ready=True):
    async with Simulator(tmp_path / "ttyFAKE0", profile=profile, settings=settings, faults=faults) as sim:
        client = Client(sim.path)
        try:
            if ready:
                await sim.wait_ready()
            yield sim, client
        finally:
            client.close()


@pytest.fixture
async def sim_client(tmp_path):
    async with modem(tmp_path, settings=Settings(report_delay=0.05)) as pair:
        yield pair


# -- command line handling ------------------------------------------------------


async def test_echo_is_on_by_default_and_ate0_turns_it_off(sim_client):
    sim, client = sim_client
    assert await client.command("AT") == "AT\r\r\nOK\r\n"
    assert await client.command("ATE0") == "ATE0\r\r\nOK\r\n"
    assert await client.command("AT") == "\r\nOK\r\n"
    assert await client.command("ATE1") == "\r\nOK\r\n"
    assert (await client.command("AT")).startswith("AT\r")


async def test_chained_commands_in_any_case(sim_client):
    sim, client = sim_client
    await client.command("ATE0")
    assert lines(await client.command("AT+CMEE=1;+CREG=2")) == ["OK"]
    response = await client.command("at+cmee?;+creg?")
    assert lines(response) == ["+CMEE: 1", '+CREG: 2,1,"1A2B","C3D4"', "OK"]
    assert sim.transcript.commands()[-1] == "at+cmee?;+creg?"
    client.write(b"A/")  # repeat the last line; no CR needed
    assert lines((await client.read_until(FINAL)).decode()) == lines(response)


async def test_registration_changes_are_announced(sim_client):
    sim, client = sim_client
    await client.command("ATE0;+CREG=1;+CEREG=2")
    sim.set_registration(5)
    await client.read_until(b'\r\n+CREG: 5\r\n\r\n+CEREG: 5,"1A2B","01C3D4E5"\r\n')
    assert lines(await client.command("AT+CREG?")) == ["+CREG: 1,5", "OK"]


async def test_unknown_and_vendor_commands_answer_error(sim_client):
    sim, client = sim_client
    await client.command("ATE0")
    for line in ("AT+MODE=2", "AT$TSSPCSW=?", "AT+CPROT=?", "AT^CURC=0", "ATD123;"):
        assert lines(await client.command(line)) == ["ERROR"], line
    # An error in the middle stops the chain.
    assert lines(await client.command("AT+CMEE=2;+BOGUS;+CMEE=0")) == ["ERROR"]
    assert lines(await client.command("AT+CMEE?")) == ["+CMEE: 2", "OK"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ATZ", []),
        ("AT&F", []),
        ("ATI", ["modemgw", "Simulated GSM Modem", "Revision: modemgw-sim 1.0"]),
        ("AT+IFC=2,2", []),
        ("AT+CSCA?", ['+CSCA: "+15550000000",145']),
        ("AT+CGMI", ["modemgw"]),
        ("AT+CGMM", ["Simulated GSM Modem"]),
        ("AT+CGMR", ["modemgw-sim 1.0"]),
        ("AT+CGSN", ["990000866657200"]),  # derived from the link's name, ttyFAKE0 (imei.py)
        ("AT+CIMI", ["001010123456789"]),
        ("AT+CCID", ["+CCID: 8999996773380437882"]),  # also from the name: 19 digits, Luhn-checked
        ("AT+CSQ", ["+CSQ: 20,99"]),
        ("AT+CEREG?", ["+CEREG: 0,1"]),
        ("AT+COPS=3,2;+COPS?", ['+COPS: 0,2,"00101",7']),
        ("AT+CSMS=?", ["+CSMS: (0,1)"]),
        ("AT+CSMS=1", ["+CSMS: 1,1,1"]),
        ("AT+CMMS=2;+CMMS?", ["+CMMS: 2"]),
        ("AT+CFUN?", ["+CFUN: 1"]),
        ('AT+CSCS="HEX";+CSCS?', ['+CSCS: "HEX"']),
        ("AT+CUSD=1", []),
        ("AT+CBC", ["+CBC: 0,100,4200"]),
        ("AT+CGREG=2;+CGREG?", ['+CGREG: 2,1,"1A2B","C3D4"']),
        ("AT+CGATT?", ["+CGATT: 1"]),
        ("AT+CHUP=?", []),
        ("AT+CMGF=0;+CMGF?", ["+CMGF: 0"]),
        ("AT+CPMS=?", ['+CPMS: ("SM","ME","SR"),("SM","ME"),("SM","ME")']),
        ('AT+CPMS="ME"', ["+CPMS: 0,50,0,30,0,30"]),
        ('AT+CPMS="SR","SM","SM";+CPMS?', ["+CPMS: 0,30,0,30,0,30", '+CPMS: "SR",0,30,"SM",0,30,"SM",0,30']),
        ("AT+CNMI=?", ["+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)"]),
        ("AT+CNMI=2,1,0,2,0;+CNMI?", ["+CNMI: 2,1,0,2,0"]),
    ],
)
async def test_command_answers(sim_client, line, expected):
    sim, client = sim_client
    await client.command("ATE0")
    assert lines(await client.command(line)) == expected + ["OK"]


async def test_text_mode_and_bad_cnmi_are_refused(tmp_path):
    async with modem(tmp_path, profile="sim800") as (sim, client):
        await client.command("ATE0;+CMEE=1")
        assert lines(await client.command("AT+CMGF=1")) == ["+CMS ERROR: 303"]
        assert lines(await client.command("AT+CNMI=?")) == ["+CNMI: (0-3),(0-3),(0,2),(0,1),(0,1)", "OK"]
        # SIM800L has no <ds>=2: gammu's choice fails, Kannel's works.
        assert lines(await client.command("AT+CNMI=2,1,0,2,0")) == ["+CMS ERROR: 303"]
        assert lines(await client.command("AT+CNMI=2,1,0,1,0")) == ["OK"]


async def test_empty_smsc_and_verbose_errors(tmp_path):
    async with modem(tmp_path, settings=Settings(smsc="")) as (sim, client):
        await client.command("ATE0;+CMEE=2")
        assert lines(await client.command("AT+CSCA?")) == ['+CSCA: "",129', "OK"]
        assert lines(await client.command("AT+CMGR=99")) == ["+CMS ERROR: invalid memory index"]


# -- SIM ---------------------------------------------------------------------------


async def test_wrong_pin_counts_down_to_puk(tmp_path):
    async with modem(tmp_path, settings=Settings(pin="1234"), ready=False) as (sim, client):
        await client.read_until(b"\r\n+CPIN: SIM PIN\r\n")
        await client.command("ATE0;+CMEE=1")
        assert lines(await client.command("AT+CPIN?")) == ["+CPIN: SIM PIN", "OK"]
        assert lines(await client.command("AT+CMGL=4")) == ["+CMS ERROR: 311"]
        for _ in range(3):
            assert lines(await client.command('AT+CPIN="0000"')) == ["+CME ERROR: 16"]
        assert lines(await client.command("AT+CPIN?")) == ["+CPIN: SIM PUK", "OK"]
        assert lines(await client.command('AT+CPIN="1234"')) == ["+CME ERROR: 16"]
        assert lines(await client.command('AT+CPIN="12345678","4321"')) == ["OK"]
        assert lines(await client.command("AT+CPIN?")) == ["+CPIN: READY", "OK"]
        await sim.wait_ready()
        assert lines(await client.command("AT+CMGF=0")) == ["OK"]


async def test_right_pin_unlocks(tmp_path):
    async with modem(tmp_path, settings=Settings(pin="1234"), ready=False) as (sim, client):
        await client.read_until(b"\r\n+CPIN: SIM PIN\r\n")
        assert lines(await client.command('AT+CPIN="1234"')) == ['AT+CPIN="1234"', "OK"]
        await sim.wait_ready()
        assert lines(await client.command("AT+CPIN?"))[1:] == ["+CPIN: READY", "OK"]


async def test_sim_busy_then_boot_urcs_gate_sms(tmp_path):
    settings = Settings(sim_ready_delay=0.3, sms_ready_delay=0.3)
    async with modem(tmp_path, profile="sim800", settings=settings, ready=False) as (sim, client):
        await client.read_until(b"\r\nRDY\r\n\r\n+CFUN: 1\r\n")
        assert lines(await client.command("ATE0;+CMEE=1;+CPIN?")) == ["ATE0;+CMEE=1;+CPIN?", "+CME ERROR: 14"]
        await client.read_until(b"\r\n+CPIN: READY\r\n")
        assert lines(await client.command("AT+CMGF=0")) == ["ERROR"]
        await client.read_until(b"\r\nSMS Ready\r\n")
        assert lines(await client.command("AT+CMGF=0")) == ["OK"]


async def test_cfun_reset_reboots_with_urcs(tmp_path):
    async with modem(tmp_path, profile="ec25") as (sim, client):
        await client.read_until(b"+QIND: PB DONE\r\n")
        await client.command("ATE0")
        assert lines(await client.command("AT+CFUN=1,1")) == ["OK"]
        await client.read_until(b"\r\nRDY\r\n\r\n+CPIN: READY\r\n")
        await client.read_until(b"+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n")
        # Settings are back to power-up defaults: echo is on again.
        assert await client.command("AT") == "AT\r\r\nOK\r\n"
        assert sim.counters["boots"] == 2


# -- sending -------------------------------------------------------------------------


async def test_submit_reaches_the_handset(sim_client):
    sim, client = sim_client
    [pdu] = encode_submit("+15551230001", "Hello there", status_report=False)
    response = await client.send_pdu(pdu.hex, pdu.tpdu_length)
    assert lines(response) == [pdu.hex, "+CMGS: 0", "OK"]  # echo on: the PDU comes back
    assert sim.handset("+15551230001") == ["Hello there"]


async def test_submit_length_must_exclude_the_smsc(sim_client):
    sim, client = sim_client
    await client.command("ATE0;+CMEE=1")
    [pdu] = encode_submit("+15551230001", "Hi", status_report=False)
    assert lines(await client.send_pdu(pdu.hex, pdu.tpdu_length + 1)) == ["+CMS ERROR: 304"]
    assert lines(await client.send_pdu("00110022", 3)) == ["+CMS ERROR: 304"]
    assert lines(await client.send_pdu("XYZ", 1)) == ["+CMS ERROR: 304"]
    assert sim.network.submitted == []
    assert lines(await client.send_pdu(pdu.hex, pdu.tpdu_length)) == ["+CMGS: 0", "OK"]


async def test_escape_cancels_the_editor(sim_client):
    sim, client = sim_client
    await client.command("ATE0")
    client.write(b"AT+CMGS=20\r")
    await client.read_until(b"\r\n> ")
    client.write(b"0011\x1b")
    assert lines((await client.read_until(FINAL)).decode()) == ["OK"]
    assert lines(await client.command("AT")) == ["OK"]
    assert sim.counters["submitted"] == 0


async def test_message_reference_wraps_after_255(tmp_path):
    settings = Settings(first_message_reference=254, latency=0.05)
    async with modem(tmp_path, settings=settings) as (sim, client):
        await client.command("ATE0")
        [pdu] = encode_submit("+15551230001", "x", status_report=False)
        references = []
        for _ in range(3):
            (answer, _ok) = lines(await client.send_pdu(pdu.hex, pdu.tpdu_length))
            references.append(int(answer.removeprefix("+CMGS: ")))
        assert references == [254, 255, 0]


async def test_long_and_ucs2_messages_are_reassembled(sim_client):
    sim, client = sim_client
    await client.command("ATE0")
    long_text = "The quick brown fox jumps over the lazy dog. " * 8
    unicode_text = "Привет ✓ " * 12
    for text, reference in ((long_text, 7), (unicode_text, 8)):
        parts = encode_submit("+15551230002", text, reference=reference, status_report=False)
        assert len(parts) > 1
        for part in parts:
            assert "+CMGS:" in await client.send_pdu(part.hex, part.tpdu_length)
    assert sim.handset("+15551230002") == [long_text, unicode_text]


# -- status reports ------------------------------------------------------------------


async def test_routed_status_report_cds(sim_client):
    sim, client = sim_client
    sim.settings.intermediate_status = 0x30
    await client.command("ATE0;+CNMI=2,1,0,1,0")
    [pdu] = encode_submit("+15551230003", "report me")
    answer = lines(await client.send_pdu(pdu.hex, pdu.tpdu_length))[0]
    reference = int(answer.removeprefix("+CMGS: "))
    reports = []
    for _ in range(2):
        match = await client.expect(ROUTED)
        report = decode_pdu(match[3].decode(), int(match[2]))
        assert isinstance(report, StatusReport)
        reports.append(report)
    assert [(r.message_reference, r.recipient.number) for r in reports] == [(reference, "+15551230003")] * 2
    assert [r.status for r in reports] == [0x30, 0x00]


async def test_status_report_cdsi_then_read_from_sr(sim_client):
    sim, client = sim_client
    await client.command("ATE0;+CNMI=2,1,0,2,0")
    [pdu] = encode_submit("+15551230004", "report me")
    await client.send_pdu(pdu.hex, pdu.tpdu_length)
    index = int((await client.expect(re.compile(rb'\+CDSI: "SR",(\d+)\r\n')))[1])
    await client.command('AT+CPMS="SR"')
    response = lines(await client.command(f"AT+CMGR={index}"))
    assert response[0].startswith("+CMGR: 0,,")
    report = decode_pdu(response[1], int(response[0].rsplit(",", 1)[1]))
    assert isinstance(report, StatusReport) and report.status == 0


async def test_ec25_announces_reports_in_the_wrong_memory(tmp_path):
    async with modem(tmp_path, profile="ec25", settings=Settings(report_delay=0.05)) as (sim, client):
        await client.command("ATE0;+CNMI=2,1,0,2,0")
        [pdu] = encode_submit("+15551230004", "report me")
        await client.send_pdu(pdu.hex, pdu.tpdu_length)
        await client.read_until(b'+CDSI: "SM",0\r\n')
        assert lines(await client.command("AT+CMGR=0")) == ["OK"]  # nothing in SM
        await client.command('AT+CPMS="SR"')
        assert lines(await client.command("AT+CMGR=0"))[0].startswith("+CMGR: 0,,")


async def test_status_report_stored_silently_with_ds_0(sim_client):
    sim, client = sim_client
    await client.command("ATE0")  # CNMI stays 0,0,0,0,0, as smstools leaves it
    [pdu] = encode_submit("+15551230005", "report me")
    await client.send_pdu(pdu.hex, pdu.tpdu_length)
    await sim.wait_for(lambda: sim.counters["stored_report"] == 1)
    assert sim.counters["cds"] == sim.counters["cdsi"] == 0
    assert lines(await client.command("AT+CPMS?"))[0] == '+CPMS: "SM",1,30,"SM",1,30,"SM",1,30'
    response = lines(await client.command("AT+CMGR=1"))
    assert isinstance(decode_pdu(response[1]), StatusReport)
    assert b"+CDS" not in sim.transcript.output()


# -- receiving -----------------------------------------------------------------------


async def test_inbound_long_ucs2_routed_as_cmt(sim_client):
    sim, client = sim_client
    await client.command("ATE0;+CNMI=2,2,0,0,0")
    text = "Grüße aus Köln — ✓ " * 8
    parts = sim.inject_sms("+15559990001", text)
    assert len(parts) > 1
    pdus = []
    for part in parts:
        match = await client.expect(ROUTED)
        assert int(match[2]) == part.tpdu_length
        pdus.append(match[3].decode())
    assert reassemble(pdus) == text
    assert decode_pdu(pdus[0]).originator.number == "+15559990001"


async def test_inbound_stored_and_announced_as_cmti(sim_client):
    sim, client = sim_client
    await client.command("ATE0;+CNMI=2,1,0,0,0")
    text = "Ünïcödé ✓ " * 10
    parts = sim.inject_sms("+15559990002", text)
    indices = []
    for _ in parts:
        indices.append(int((await client.expect(re.compile(rb'\+CMTI: "SM",(\d+)\r\n')))[1]))
    pdus = [lines(await client.command(f"AT+CMGR={i}"))[1] for i in indices]
    assert reassemble(pdus) == text
    # Read now: a second read shows <stat> 1.
    assert lines(await client.command(f"AT+CMGR={indices[0]}"))[0].startswith("+CMGR: 1,,")


async def test_list_and_delete(sim_client):
    sim, client = sim_client
    await client.command("ATE0")
    sim.inject_sms("+15559990003", "first")
    sim.inject_sms("+15559990004", "second")
    await sim.wait_for(lambda: sim.counters["stored_sms"] == 2)
    listing = lines(await client.command("AT+CMGL=4"))
    assert [line.split(",")[:2] for line in listing[0:4:2]] == [["+CMGL: 1", "0"], ["+CMGL: 2", "0"]]
    assert [decode_pdu(pdu).text for pdu in listing[1:4:2]] == ["first", "second"]
    assert lines(await client.command("AT+CMGL=0")) == ["OK"]  # nothing unread any more
    assert len(lines(await client.command("AT+CMGL=1"))) == 5
    await client.command("AT+CMGD=1")
    assert lines(await client.command("AT+CMGD=?")) == ["+CMGD: (2),(0-4)", "OK"]
    await client.command("AT+CMGD=1,4")
    assert lines(await client.command("AT+CMGL=4")) == ["OK"]


async def test_phase2plus_routing_needs_cnma(tmp_path):
    settings = Settings(ack_timeout=0.2, redeliver_delay=0.1)
    async with modem(tmp_path, settings=settings) as (sim, client):
        await client.command("ATE0;+CMEE=1")
        assert lines(await client.command("AT+CNMA")) == ["+CMS ERROR: 340"]
        await client.command("AT+CSMS=1;+CNMI=2,2,0,0,0")
        sim.inject_sms("+15559990005", "ack me")
        await client.read_until(ROUTED)
        assert lines(await client.command("AT+CNMA")) == ["OK"]
        assert lines(await client.command("AT+CNMA")) == ["+CMS ERROR: 340"]
        # Unacknowledged: the network is told so and delivers again.
        sim.inject_sms("+15559990005", "ignore me")
        first = await client.expect(ROUTED)
        second = await client.expect(ROUTED)
        assert first[3] == second[3]
        assert sim.counters["acks"] == 1 and sim.counters["nacks"] >= 1


# -- faults --------------------------------------------------------------------------


async def test_cms_error_faults(sim_client):
    sim, client = sim_client
    await client.command("ATE0;+CMEE=1")
    sim.faults.cms_error_destinations["+15550000013"] = 21
    [bad] = encode_submit("+15550000013", "x", status_report=False)
    [good] = encode_submit("+15550000014", "y", status_report=False)
    assert lines(await client.send_pdu(bad.hex, bad.tpdu_length)) == ["+CMS ERROR: 21"]
    sim.faults.fail_every, sim.faults.fail_code = 3, 512  # counting from the first submit
    answers = [lines(await client.send_pdu(good.hex, good.tpdu_length))[0] for _ in range(3)]
    # A submit that failed in the network still used up its reference.
    assert answers == ["+CMGS: 1", "+CMS ERROR: 512", "+CMGS: 3"]
    assert sim.handset("+15550000013") == [] and sim.handset("+15550000014") == ["y", "y"]


async def test_hang_until_power_cycle(sim_client):
    sim, client = sim_client
    await client.command("ATE0")
    sim.faults.hang_on = "+CMGS"
    client.write(b"AT+CMGS=20\r")
    await sim.wait_for(lambda: sim.modem.hung)
    client.write(b"AT\r")
    await sim.wait_for(lambda: sim.transcript.commands()[-1] == "AT")
    await sim.port.drain()
    assert sim.transcript.output().endswith(b"ATE0\r\r\nOK\r\n")  # not a byte since
    sim.faults.hang_on = None
    sim.power_cycle()
    await sim.wait_ready()
    assert await client.command("AT") == "AT\r\r\nOK\r\n"


async def test_timed_hang_recovers_by_itself(sim_client):
    sim, client = sim_client
    sim.hang(0.2)
    client.write(b"AT\r")
    await sim.wait_for(lambda: not sim.modem.hung)
    assert lines(await client.command("AT")) == ["AT", "OK"]
    assert sim.transcript.commands()[-2:] == ["AT", "AT"]  # the first one went unanswered


async def test_reset_can_drop_off_the_bus(tmp_path):
    async with modem(tmp_path, faults=Faults(reset_replugs=True)) as (sim, client):
        old_device = sim.device
        assert lines(await client.command("AT+CFUN=1,1")) == ["AT+CFUN=1,1", "OK"]
        with pytest.raises(EOFError):
            await client.read_until(b"never")
        await sim.wait_for(lambda: sim.device not in (None, old_device) and sim.modem.sms_ready)
        assert os.readlink(sim.path) == sim.device
        assert sim.counters["unplugs"] == 1


async def test_unplug_and_replug_move_the_link(sim_client):
    sim, client = sim_client
    old_device = sim.device
    assert os.readlink(sim.path) == old_device
    sim.unplug()
    assert not os.path.lexists(sim.path)
    with pytest.raises((EOFError, OSError)):
        await client.read_until(b"never")
    with pytest.raises(OSError):
        client.write(b"AT\r")
    sim.replug()
    assert os.readlink(sim.path) == sim.device != old_device
    fresh = Client(sim.path)
    try:
        await sim.wait_ready()
        assert await fresh.command("AT") == "AT\r\r\nOK\r\n"
    finally:
        fresh.close()


async def test_urcs_interleaved_into_responses(sim_client):
    sim, client = sim_client
    await client.command("ATE0")
    sim.faults.interleave.append('+CDSI: "SR",0')
    assert lines(await client.command("AT+CPIN?")) == ['+CDSI: "SR",0', "+CPIN: READY", "OK"]
    sim.faults.interleave.append("^RSSI:25")
    client.write(b"AT+CMGS=20\r")
    assert await client.read_until(b"^RSSI:25\r\n") == b"\r\n> \r\n^RSSI:25\r\n"
    client.write(b"\x1b")
    await client.read_until(FINAL)


async def test_urcs_mid_response_and_periodic_rssi(tmp_path):
    profile = dataclasses.replace(PROFILES["huawei_e3372"], periodic_urcs=((0.05, "^RSSI:{rssi}"),))
    async with modem(tmp_path, profile=profile) as (sim, client):
        await client.read_until(b"\r\n^RSSI:20\r\n")
        assert lines(await client.command("AT^CURC=0"))[-2:] == ["AT^CURC=0", "OK"]
        assert lines(await client.command("AT+BOGUS"))[-1] == "COMMAND NOT SUPPORT"
        sim.faults.urcs_mid_response = True
        sim.settings.latency = 0.2
        await client.command("ATE0;+CNMI=2,2,0,0,0")
        [pdu] = encode_submit("+15551230006", "x", status_report=False)
        client.write(f"AT+CMGS={pdu.tpdu_length}\r".encode())
        await client.read_until(b"> ")
        client.write(pdu.hex.encode() + b"\x1a")
        # The PDU is in, +CMGS is pending for `latency`: the message arrives meanwhile.
        await sim.wait_for(lambda: any(e.kind == "pdu" for e in sim.transcript.entries))
        sim.inject_sms("+15559990006", "in between")
        response = await client.read_until(FINAL)
        assert response.index(b"+CMT: ,") < response.index(b"+CMGS: 0")


async def test_garbage_slow_output_and_stuck_echo(sim_client):
    sim, client = sim_client
    sim.faults.echo_stuck = True
    assert lines(await client.command("ATE0")) == ["ATE0", "OK"]
    assert await client.command("AT") == "AT\r\r\nOK\r\n"  # still echoing
    sim.faults.garbage_rate = 1.0
    assert await client.command("AT") == "AT\r\x00\xff\xfe~\x13\r\nOK\r\n"
    sim.faults.garbage_rate = 0.0
    sim.faults.byte_delay = 0.002
    before = len(sim.transcript.entries)
    assert await client.command("AT+CGMI") == "AT+CGMI\r\r\nmodemgw\r\n\r\nOK\r\n"
    sent = [e.data for e in sim.transcript.entries[before:] if e.kind == "bytes"]
    assert len(sent) == len("AT+CGMI\r\r\nmodemgw\r\n\r\nOK\r\n") and {len(b) for b in sent} == {1}


async def test_ec25_shows_its_19_digit_iccid_with_the_padding_nibble(tmp_path):
    # As Quectel's AT+QCCID does (hardware-notes.md, "ICCID"); AT+CCID shows the digits.
    async with modem(tmp_path, profile="ec25") as (sim, client):
        await client.read_until(b"+QIND: PB DONE\r\n")
        await client.command("ATE0")
        digits = sim.profile.iccid
        assert len(digits) == 19 and digits.startswith("89") and luhn_digit(digits[:-1]) == digits[-1]
        assert lines(await client.command("AT+QCCID")) == [f"+QCCID: {digits}F", "OK"]
        assert lines(await client.command("AT+CCID")) == [f"+CCID: {digits}", "OK"]
    (tmp_path / "generic").mkdir()
    async with modem(tmp_path / "generic") as (sim, client):
        await client.command("ATE0")
        assert lines(await client.command("AT+QCCID")) == ["ERROR"]       # Quectel's own command
