"""The SMPP server on a running gateway with simulated modems: smpplib (python-smpplib, a
real synchronous client, in a thread) sends GSM-7, long and emoji messages and gets DELIVRD
receipts matched by id and an inbound message; a receiver bound after a restart gets the
receipts it missed; failed and expired messages, binds refused, throttling, query_sm,
cancel_sm, replace_sm, submit_multi; garbage on the socket (the server keeps serving)."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import random
import select
import threading
import time
from dataclasses import dataclass, replace

import pytest
import smpplib.client
import smpplib.consts
import smpplib.gsm

from modemgw.config import Config, SimulatorConfig, SmppConfig
from modemgw.modem import ModemState
from modemgw.service import Gateway
from modemgw.smpp import (BindTransceiver, BindTransceiverResp, CancelSm, CommandStatus as S, DeliverSm,
                          DeliverSmResp, EnquireLink, EnquireLinkResp, FrameBuffer, GenericNack, QuerySm,
                          ReplaceSm, SmeAddress, SubmitMulti, SubmitSm, Tag, decode, encode, receipts)
from modemgw.store.keys import derive


# -- a gateway ---------------------------------------------------------------------------

def gateway_config(database: str, *sims: SimulatorConfig, **kwargs) -> Config:
    return Config(listen_port=0, database=database,
                  smpp=SmppConfig(listen=("127.0.0.1", 0), enquire_link=2.0),
                  simulators=sims or (SimulatorConfig("sim-a", report_delay=0.1),), **kwargs)


async def started(config: Config) -> Gateway:
    gateway = Gateway(config)
    await gateway.start()
    for modem in gateway.modems:
        await modem.wait_for(ModemState.READY, timeout=15)
    return gateway


@dataclass
class Credentials:
    key_id: int
    system_id: str
    password: str


async def credentials(gateway: Gateway) -> Credentials:
    key_id, token = await gateway.store.create_key("smpp")
    c = derive(token)
    return Credentials(key_id, c.smpp_system_id, c.smpp_password)


def port(gateway: Gateway) -> int:
    return gateway.smpp.addresses[0][1]


async def until(predicate, timeout: float = 15.0, what: str = "condition"):
    """Wait for an async predicate to hold (checked every 50 ms), at most `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


# -- smpplib in a thread -------------------------------------------------------------------

class SmpplibEsme:
    """smpplib's Client run by one thread (it is not thread-safe): requests are queued to
    it, and every PDU it gets (submit_sm_resp, deliver_sm, errors) is queued back."""

    def __init__(self, port: int, creds: Credentials, bind: str = "bind_transceiver") -> None:
        self.client = smpplib.client.Client("127.0.0.1", port, timeout=10, allow_unknown_opt_params=True)
        self.client.set_message_sent_handler(lambda pdu: self.events.put(("sent", pdu)))
        self.client.set_message_received_handler(lambda pdu: self.events.put(("deliver", pdu)))
        self.client.set_query_resp_handler(lambda pdu: self.events.put(("query", pdu)))
        self.client.set_error_pdu_handler(lambda pdu: self.events.put(("error", pdu)))
        self.events: queue.Queue = queue.Queue()
        self.requests: queue.Queue = queue.Queue()
        self.creds, self.bind = creds, bind
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.client.connect()
            getattr(self.client, self.bind)(system_id=self.creds.system_id, password=self.creds.password)
            self.events.put(("bound", None))
            while not self.stopping.is_set():
                with contextlib.suppress(queue.Empty):
                    while True:
                        self.requests.get_nowait()()
                readable, _, _ = select.select([self.client._socket], [], [], 0.05)
                if readable:
                    self.client.read_once()
        except Exception as exc:           # the test reads it from the queue
            self.events.put(("failed", exc))
        finally:
            with contextlib.suppress(Exception):
                if not self.stopping.is_set():
                    return
                self.client.unbind()
            with contextlib.suppress(Exception):
                self.client.disconnect()

    async def start(self) -> None:
        self.thread.start()
        kind, value = await self.next()
        assert kind == "bound", value

    async def next(self, timeout: float = 15.0):
        return await asyncio.to_thread(self.events.get, True, timeout)

    async def expect(self, kind: str, count: int, timeout: float = 20.0) -> list:
        got, others = [], []
        deadline = time.monotonic() + timeout
        while len(got) < count:
            k, pdu = await self.next(max(0.1, deadline - time.monotonic()))
            (got if k == kind else others).append(pdu)
            assert k != "failed", pdu
        for item in others:
            self.events.put(item)
        return got

    def send(self, text: str, to: str = "15551230002", registered_delivery: int = 1, **fields) -> int:
        """Queue one message (as smpplib splits it: UDH parts, GSM or UCS-2); returns its part count."""
        parts, coding, esm = smpplib.gsm.make_parts(text)
        for part in parts:
            self.requests.put(lambda part=part: self.client.send_message(
                source_addr_ton=smpplib.consts.SMPP_TON_ALNUM, source_addr="modemgw",
                dest_addr_ton=smpplib.consts.SMPP_TON_INTL, dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                destination_addr=to, short_message=part, data_coding=coding, esm_class=esm,
                registered_delivery=registered_delivery, **fields))
        return len(parts)

    async def stop(self, *, unbind: bool = True) -> None:
        if unbind:
            self.stopping.set()
        else:
            self.requests.put(lambda: self.client._socket.close())
            self.stopping.set()
        await asyncio.to_thread(self.thread.join, 10)


def receipt_of(pdu) -> receipts.Receipt:
    return receipts.parse(pdu.short_message.decode("ascii"))


async def receipts_for(esme: SmpplibEsme, ids: set[str]) -> dict[str, receipts.Receipt]:
    out = {}
    for pdu in await esme.expect("deliver", len(ids)):
        assert pdu.esm_class == 0x04
        r = receipt_of(pdu)
        assert pdu.receipted_message_id.decode() == r.id
        out[r.id] = r
    assert set(out) == ids
    return out


# -- the scenarios ----------------------------------------------------------------------

GSM = "Your code is 4711 @ modemgw [ok] {€}"
LONG = "A long message that smpplib splits into parts with a UDH, numbered 0123456789. " * 5
EMOJI = "Grüße aus Köln 😀 — Привет! ✅ " * 3       # UCS-2, split by octets (a surrogate pair may straddle)


async def test_smpplib_gsm_long_and_emoji_are_delivered_with_receipts_and_inbound(database):
    gateway = await started(gateway_config(database))
    try:
        creds = await credentials(gateway)
        esme = SmpplibEsme(port(gateway), creds)
        await esme.start()
        counts = [esme.send(GSM), esme.send(LONG), esme.send(EMOJI, to="15551230003")]
        assert counts[0] == 1 and counts[1] > 1 and counts[2] > 1
        responses = await esme.expect("sent", sum(counts))
        assert all(r.status == 0 for r in responses)
        ids = [r.message_id.decode() for r in responses]
        # one message per text; a long one's parts answered with <id>.<n>
        bases = sorted({i.rpartition(".")[0] if "." in i else i for i in ids})
        assert len(bases) == 3 and len(set(ids)) == len(ids)
        got = await receipts_for(esme, set(ids))
        assert {r.state.name for r in got.values()} == {"DELIVERED"}
        assert all(r.delivered == 1 and r.submitted == 1 for r in got.values())
        sims = gateway.simulators["sim-a"]
        assert sims.handset("+15551230002") == [GSM, LONG] and sims.handset("+15551230003") == [EMOJI]
        rows = [await gateway.store.get_message(b) for b in bases]
        assert {r["dialect"] for r in rows} == {"smpp"} and {r["status"] for r in rows} == {"delivered"}

        sims.inject_sms("+15551239999", "Hi gateway, yes 👍")
        [mo] = await esme.expect("deliver", 1)
        assert mo.esm_class == 0 and mo.data_coding == 8 and mo.source_addr == b"15551239999"
        assert mo.short_message.decode("utf-16-be") == "Hi gateway, yes 👍"
        await esme.stop()
    finally:
        await gateway.stop()


async def test_receipts_missed_while_away_come_after_a_restart(database):
    config = gateway_config(database, SimulatorConfig("sim-a", report_delay=0.3))
    gateway = await started(config)
    creds = await credentials(gateway)
    try:
        esme = SmpplibEsme(port(gateway), creds, bind="bind_transmitter")
        await esme.start()
        esme.send("while you were away")
        [resp] = await esme.expect("sent", 1)
        mid = resp.message_id.decode()
        await esme.stop()
        gateway.simulators["sim-a"].inject_sms("+15551238888", "an answer nobody was bound for")

        async def delivered():
            return (await gateway.store.get_message(mid))["status"] == "delivered"
        await until(delivered, what="the message to be delivered")
    finally:
        await gateway.stop()

    gateway = await started(config)
    try:
        esme = SmpplibEsme(port(gateway), creds, bind="bind_receiver")
        await esme.start()
        pdus = await esme.expect("deliver", 2)
        [receipt] = [p for p in pdus if p.esm_class == 0x04]
        [mo] = [p for p in pdus if p.esm_class == 0]
        assert receipt_of(receipt).id == mid and receipt_of(receipt).state.name == "DELIVERED"
        assert mo.short_message == b"an answer nobody was bound for"
        await esme.stop()
        # acknowledged: a second receiver gets nothing more
        again = SmpplibEsme(port(gateway), creds, bind="bind_receiver")
        await again.start()
        with pytest.raises(queue.Empty):
            await again.next(timeout=1.0)
        await again.stop()
    finally:
        await gateway.stop()


@pytest.mark.parametrize("report_status,stat,state", [
    (0x45, "UNDELIV", "failed"),       # TP-ST 0x45: permanent error, "unspecified" (TS 23.040 §9.2.3.15)
    (0x46, "EXPIRED", "expired"),      # TP-ST 0x46: the SC's validity period expired
])
async def test_failed_and_expired_messages_get_their_receipts(database, report_status, stat, state):
    gateway = await started(gateway_config(database, SimulatorConfig("sim-a", report_delay=0.1,
                                                                     report_status=report_status)))
    try:
        esme = SmpplibEsme(port(gateway), await credentials(gateway))
        await esme.start()
        esme.send("will not arrive", registered_delivery=2)        # receipts on failure only
        [resp] = await esme.expect("sent", 1)
        [pdu] = await esme.expect("deliver", 1)
        r = receipt_of(pdu)
        assert (r.id, receipts.STAT[r.state], r.delivered) == (resp.message_id.decode(), stat, 0)
        assert (await gateway.store.get_message(r.id))["status"] == state
        await esme.stop()
    finally:
        await gateway.stop()


# -- hand-made PDUs for the edges ----------------------------------------------------------

class Raw:
    """A bare TCP client speaking through the codec."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer, self.frames = reader, writer, FrameBuffer()

    @classmethod
    async def connect(cls, gateway: Gateway) -> Raw:
        return cls(*await asyncio.open_connection("127.0.0.1", port(gateway)))

    async def send(self, pdu) -> None:
        self.writer.write(encode(pdu))
        await self.writer.drain()

    async def recv(self, timeout: float = 10.0):
        async with asyncio.timeout(timeout):
            while (frame := self.frames.next_frame()) is None:
                data = await self.reader.read(65536)
                if not data:
                    return None
                self.frames.feed(data)
        return decode(frame)

    async def bind(self, creds: Credentials, **kwargs) -> BindTransceiverResp:
        await self.send(BindTransceiver(sequence=1, system_id=creds.system_id, password=creds.password, **kwargs))
        return await self.recv()

    async def closed(self) -> bool:
        async with asyncio.timeout(10):
            return await self.reader.read(1) == b""


@pytest.fixture
async def gateway(database):
    g = await started(gateway_config(database, rate_limit_per_minute=600))
    yield g
    await g.stop()


async def test_bind_answers(gateway):
    creds = await credentials(gateway)
    raw = await Raw.connect(gateway)
    resp = await raw.bind(creds)
    assert resp.status == 0 and resp.system_id == "modemgw" and resp.tlv(Tag.SC_INTERFACE_VERSION) == b"\x34"
    for wrong, status in ((replace(creds, password="nope"), S.ESME_RINVPASWD),
                          (replace(creds, system_id="someone"), S.ESME_RINVSYSID)):
        other = await Raw.connect(gateway)
        resp = await other.bind(wrong)
        assert resp.status == status and await other.closed()


async def test_submit_query_cancel_replace_and_multi(gateway):
    creds = await credentials(gateway)
    raw = await Raw.connect(gateway)
    await raw.bind(creds)
    later = time.strftime("%y%m%d%H%M%S", time.gmtime(time.time() + 3600)) + "000+"
    await raw.send(SubmitSm(sequence=2, destination_addr="15551230004", dest_addr_ton=1,
                            schedule_delivery_time=later, validity_period="000001000000000R",
                            short_message=b"tomorrow"))
    resp = await raw.recv()
    assert resp.status == 0 and resp.message_id.startswith("msg_")
    row = await gateway.store.get_message(resp.message_id)
    # a relative validity counts from now (§7.1.1.2): a day from now is 23 h after the start
    assert abs(row["validity"] - 82800) <= 2 and abs(row["scheduled_at"] - time.time() - 3600) < 5
    await raw.send(QuerySm(sequence=3, message_id=resp.message_id))
    query = await raw.recv()
    assert query.message_state == 1 and query.final_date == ""               # ENROUTE
    await raw.send(ReplaceSm(sequence=4, message_id=resp.message_id, short_message=b"x"))
    assert (await raw.recv()).status == S.ESME_RREPLACEFAIL
    await raw.send(CancelSm(sequence=5, message_id=resp.message_id))
    assert (await raw.recv()).status == 0
    await raw.send(QuerySm(sequence=6, message_id=resp.message_id))
    query = await raw.recv()
    assert query.message_state == 4 and len(query.final_date) == 16         # DELETED
    await raw.send(QuerySm(sequence=7, message_id="msg_nothing"))
    assert (await raw.recv()).status == S.ESME_RINVMSGID

    await raw.send(SubmitMulti(sequence=8, dest_addresses=(
        SmeAddress("15551230005", ton=1), SmeAddress("12", ton=1), SmeAddress("15551230006", ton=1)),
        short_message=b"to several"))
    multi = await raw.recv()
    assert multi.status == 0 and [(u.address, u.error) for u in multi.unsuccess_smes] == \
        [("12", S.ESME_RINVDSTADR)]
    await raw.send(SubmitSm(sequence=9, destination_addr="nonsense", short_message=b"x"))
    assert (await raw.recv()).status == S.ESME_RINVDSTADR
    await raw.send(SubmitSm(sequence=10, destination_addr="15551230005", dest_addr_ton=1,
                            validity_period="000000000010000R", short_message=b"x"))
    assert (await raw.recv()).status == S.ESME_RINVEXPIRY                  # 10 s: under the minimum
    await raw.send(SubmitSm(sequence=11, destination_addr="15551230005", dest_addr_ton=1, data_coding=8,
                            short_message=b"\x00"))
    assert (await raw.recv()).status == S.ESME_RSUBMITFAIL                 # odd UCS-2


async def test_message_payload_and_sar_segments(gateway):
    creds = await credentials(gateway)
    raw = await Raw.connect(gateway)
    await raw.bind(creds)
    text = "payload " * 60
    from modemgw.smpp import Tlv
    await raw.send(SubmitSm(sequence=2, destination_addr="15551230007", dest_addr_ton=1,
                            tlvs=(Tlv(Tag.MESSAGE_PAYLOAD, text.encode()),)))
    one = await raw.recv()
    sar = lambda n: (Tlv(Tag.SAR_MSG_REF_NUM, b"\x01\x02"), Tlv(Tag.SAR_TOTAL_SEGMENTS, b"\x02"),
                     Tlv(Tag.SAR_SEGMENT_SEQNUM, bytes([n])))
    await raw.send(SubmitSm(sequence=4, destination_addr="15551230008", dest_addr_ton=1, short_message=b" world",
                            tlvs=sar(2)))
    await raw.send(SubmitSm(sequence=3, destination_addr="15551230008", dest_addr_ton=1, short_message=b"hello",
                            tlvs=sar(1)))
    answers = {p.sequence: p.message_id for p in [await raw.recv(), await raw.recv()]}
    base = answers[3].rpartition(".")[0]
    assert answers == {3: f"{base}.1", 4: f"{base}.2"}
    assert (await gateway.store.get_message(one.message_id))["text"] == text
    assert (await gateway.store.get_message(base))["text"] == "hello world"


def one_request_at_a_time(port: int, creds: Credentials, text: str, to: str, timeout: float) -> list:
    """smpplib driven as a synchronous client (jsmpp's submitShortMessage, php-smpp) drives
    an SMSC: each segment is sent, and its answer awaited (at most `timeout` s, jsmpp's
    default is 2) before the next; then the receipts are read and acknowledged."""
    client = smpplib.client.Client("127.0.0.1", port, timeout=timeout, allow_unknown_opt_params=True)
    client.connect()
    try:
        client.bind_transceiver(system_id=creds.system_id, password=creds.password)
        parts, coding, esm = smpplib.gsm.make_parts(text)
        answers = []
        for part in parts:
            client.send_message(source_addr="modemgw", dest_addr_ton=smpplib.consts.SMPP_TON_INTL,
                                dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN, destination_addr=to,
                                short_message=part, data_coding=coding, esm_class=esm, registered_delivery=1)
            answers.append(client.read_pdu())
        client.timeout = 20
        receipts_got = []
        client.set_message_received_handler(lambda pdu: receipts_got.append(pdu))
        while len(receipts_got) < len(parts):
            client.read_once()
        client.unbind()
        return [(a.command, a.status, a.message_id.decode()) for a in answers] + \
            [receipt_of(r).id for r in receipts_got]
    finally:
        client.disconnect()


async def test_a_client_that_waits_for_each_answer_sends_a_long_message(gateway):
    creds = await credentials(gateway)
    got = await asyncio.to_thread(one_request_at_a_time, port(gateway), creds, LONG, "15551230011", 2.0)
    answers, ids = got[:-len(got) // 2], got[len(got) // 2:]
    assert len(answers) > 2 and all(a[:2] == ("submit_sm_resp", 0) for a in answers)
    base = answers[0][2].rpartition(".")[0]
    assert [a[2] for a in answers] == [f"{base}.{n}" for n in range(1, len(answers) + 1)]
    assert sorted(ids) == sorted(a[2] for a in answers)           # each part's receipt, by its id
    row = await gateway.store.get_message(base)
    assert (row["text"], row["status"]) == (LONG, "delivered")


async def test_segments_are_answered_as_they_come_and_the_last_after_the_commit(gateway):
    creds = await credentials(gateway)
    raw = await Raw.connect(gateway)
    await raw.bind(creds)
    udh = lambda ref, n: bytes([5, 0, 3, ref, 3, n])          # part n of 3

    def part(seq: int, ref: int, n: int, to: str = "15551230012") -> SubmitSm:
        return SubmitSm(sequence=seq, destination_addr=to, dest_addr_ton=1, esm_class=0x40,
                        short_message=udh(ref, n) + f"<{n}>".encode())
    await raw.send(part(2, 7, 1))
    first = await raw.recv(timeout=2)
    base = first.message_id.rpartition(".")[0]
    assert first.status == 0 and first.message_id == f"{base}.1"
    assert await gateway.store.get_message(base) is None            # not sent: the rest is missing
    await raw.send(part(3, 7, 3))                                    # the last, before the second
    await raw.send(part(4, 7, 2))                                    # completes it
    answers = {p.sequence: (p.status, p.message_id) for p in [await raw.recv(), await raw.recv()]}
    assert answers == {3: (0, f"{base}.3"), 4: (0, f"{base}.2")}
    assert (await gateway.store.get_message(base))["text"] == "<1><2><3>"

    # A number that cannot be one is refused at the first segment.
    await raw.send(part(5, 8, 1, to="12"))
    assert (await raw.recv(timeout=2)).status == S.ESME_RINVDSTADR
    # The last segment never comes in time (a session whose segments wait 0 s): nothing is
    # sent, and the last one, come too late, is refused.
    gateway.smpp.settings = replace(gateway.smpp.settings, segment_timeout=0.0)
    hasty = await Raw.connect(gateway)
    await hasty.bind(creds)
    await hasty.send(part(2, 9, 1))
    assert (await hasty.recv(timeout=2)).status == 0
    await hasty.send(part(3, 9, 3))
    while isinstance(late := await hasty.recv(timeout=5), EnquireLink):    # the server's, after 2 s
        await hasty.send(EnquireLinkResp(sequence=late.sequence))
    assert (late.sequence, late.status) == (3, S.ESME_RSUBMITFAIL)
    assert [m["text"] for m in await gateway.store.list_messages(limit=10) if "<" in m["text"]] == ["<1><2><3>"]


async def test_the_core_sends_under_the_id_an_edge_chose(gateway):
    from modemgw.core import Submission, ids
    _, token = await gateway.store.create_key("core")
    key = await gateway.core.authenticate(token)
    chosen = ids.new_id("msg")
    accepted = await gateway.core.send(Submission(to=("+15551230013",), text="named first", message_id=chosen),
                                       key=key)
    assert accepted.messages[0]["id"] == chosen and (await gateway.store.get_message(chosen))["text"] == "named first"
    with pytest.raises(ValueError):
        await gateway.core.send(Submission(to=("+15551230013",), text="x", message_id="in_nope"), key=key)


async def test_throttled_over_the_keys_rate(database):
    gateway = await started(gateway_config(database, rate_limit_per_minute=2))
    try:
        raw = await Raw.connect(gateway)
        await raw.bind(await credentials(gateway))
        statuses = []
        for seq in range(2, 5):
            await raw.send(SubmitSm(sequence=seq, destination_addr="15551230002", dest_addr_ton=1, short_message=b"x"))
            statuses.append((await raw.recv()).status)
        assert statuses == [0, 0, S.ESME_RTHROTTLED]
    finally:
        await gateway.stop()


async def test_enquire_link_both_ways_and_a_revoked_key_is_unbound(gateway):
    creds = await credentials(gateway)
    raw = await Raw.connect(gateway)
    await raw.bind(creds)
    await raw.send(EnquireLink(sequence=2))
    assert isinstance(await raw.recv(), EnquireLinkResp)
    ping = await raw.recv(timeout=5)          # the server asks after enquire_link (2 s) of silence
    assert isinstance(ping, EnquireLink)
    await raw.send(EnquireLinkResp(sequence=ping.sequence))
    await gateway.store.revoke_key(creds.key_id)
    await gateway.smpp.check_revocations()
    unbind = await raw.recv()
    assert type(unbind).__name__ == "Unbind" and await raw.closed()


async def test_an_impossible_length_is_nacked_and_closed(gateway):
    raw = await Raw.connect(gateway)
    raw.writer.write(bytes.fromhex("7fffffff00000004000000000000002a"))
    nack = await raw.recv()
    assert isinstance(nack, GenericNack) and nack.status == S.ESME_RINVCMDLEN and await raw.closed()


def garbage_inputs(count: int = 30) -> list[bytes]:
    """Random bytes, and valid PDUs with octets changed (a fixed seed: the same every run)."""
    rng = random.Random(20260301)
    seeds = [encode(SubmitSm(sequence=5, destination_addr="15551230002", short_message=b"hi")),
             encode(BindTransceiver(sequence=1, system_id="x", password="y")), encode(EnquireLink(sequence=3))]
    out = [rng.randbytes(rng.randint(1, 300)) for _ in range(count // 2)]
    for _ in range(count - len(out)):
        frame = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            frame[rng.randrange(len(frame))] = rng.randrange(256)
        out.append(bytes(frame))
    return out


async def test_garbage_on_a_socket_leaves_the_others_served(gateway):
    creds = await credentials(gateway)
    good = await Raw.connect(gateway)
    await good.bind(creds)
    for n, garbage in enumerate(garbage_inputs()):
        bad = await Raw.connect(gateway)
        bad.writer.write(garbage)
        await bad.writer.drain()
        bad.writer.write_eof()
        with contextlib.suppress(ConnectionError):
            while (pdu := await bad.recv()) is not None:
                assert type(pdu).command_id.is_response        # answers only: nacks and refusals
        bad.writer.close()
        await good.send(EnquireLink(sequence=n + 2))
        assert isinstance(await good.recv(), EnquireLinkResp)
    assert len(gateway.smpp.connections) == 1


async def test_receipts_only_as_registered_delivery_asks(gateway):
    raw = await Raw.connect(gateway)
    await raw.bind(await credentials(gateway))
    await raw.send(SubmitSm(sequence=2, destination_addr="15551230009", dest_addr_ton=1, short_message=b"quiet"))
    quiet = (await raw.recv()).message_id

    async def delivered():
        return (await gateway.store.get_message(quiet))["status"] == "delivered"
    await until(delivered, what="the message without receipts to be delivered")
    await raw.send(SubmitSm(sequence=3, destination_addr="15551230009", dest_addr_ton=1, short_message=b"loud",
                            registered_delivery=0x11))       # final receipt and intermediate notification
    loud = (await raw.recv()).message_id
    got = []
    while len(got) < 2:
        pdu = await raw.recv()
        assert isinstance(pdu, DeliverSm)
        await raw.send(DeliverSmResp(sequence=pdu.sequence))
        got.append((pdu.esm_class, receipts.parse(pdu.short_message.decode()).id, pdu.tlv(Tag.MESSAGE_STATE)))
    assert got == [(0x20, loud, b"\x01"), (0x04, loud, b"\x02")]     # ENROUTE, then DELIVERED


async def test_metrics_count_sessions_and_pdus(gateway):
    import aiohttp
    raw = await Raw.connect(gateway)
    await raw.bind(await credentials(gateway))
    await raw.send(EnquireLink(sequence=2))
    await raw.recv()
    _, token = await gateway.store.create_key("metrics")
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http, \
            http.get(f"{gateway.url}/metrics") as resp:
        text = await resp.text()
    assert 'modemgw_smpp_sessions{bind="trx"} 1' in text
    assert 'modemgw_smpp_pdus_total{direction="in",command="bind_transceiver",status="ESME_ROK"} 1' in text
    assert 'modemgw_smpp_pdus_total{direction="out",command="enquire_link_resp",status="ESME_ROK"} 1' in text
