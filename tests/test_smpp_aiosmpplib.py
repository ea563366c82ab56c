"""aiosmpplib (an asyncio ESME) against the gateway's SMPP server: binds as transceiver,
sends a GSM-7, a long and an emoji message the way aiosmpplib sends them by default
(message_payload when the text does not fit in short_message), gets DELIVRD receipts it
correlates itself to what it sent (by message id, its log_id coming back), and receives an
inbound message; then reconnects after a gateway restart and gets what it missed."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiosmpplib import ESME, NPI, TON, AbstractHook, DeliverSm, PhoneNumber, SubmitSm, SubmitSmResp
from aiosmpplib.broker import SimpleBroker

from test_smpp_server import credentials, gateway_config, port, started, until

GSM = "Hello from aiosmpplib: code 4711 @ {modemgw}"
LONG = "aiosmpplib puts a text that does not fit in message_payload, one PDU for all of it. " * 4
EMOJI = "Grüße 😀 from asyncio ✅"


class Client:
    def __init__(self, gateway, creds, *, bind_mode=None) -> None:
        from aiosmpplib import BindMode
        self.hook = Hook()
        self.broker = SimpleBroker()
        self.esme = ESME(smsc_host="127.0.0.1", smsc_port=port(gateway), system_id=creds.system_id,
                         password=creds.password, hook=self.hook, broker=self.broker,
                         bind_mode=bind_mode or BindMode.TRANSCEIVER, log_level=logging.WARNING,
                         enquire_link_interval=30.0)
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> Client:
        self.task = asyncio.create_task(self.esme.start())
        return self

    async def __aexit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await self.esme.stop()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(BaseException):
                await self.task

    async def send(self, text: str, to: str, log_id: str, **fields) -> None:
        await self.broker.enqueue(SubmitSm(
            short_message=text, source=PhoneNumber("modemgw", TON.ALPHANUMERIC),
            destination=PhoneNumber(to, TON.INTERNATIONAL, NPI.ISDN), log_id=log_id, **fields))


class Hook(AbstractHook):
    """What aiosmpplib hands the application, in a queue."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()

    async def sending(self, smpp_message, pdu, client_id) -> None:
        pass

    async def received(self, smpp_message, pdu, client_id) -> None:
        if isinstance(smpp_message, (SubmitSmResp, DeliverSm)):
            self.queue.put_nowait(smpp_message)

    async def send_error(self, smpp_message, error, client_id) -> None:
        if error is not None:
            self.queue.put_nowait(error)

    async def take(self, kind, count: int, timeout: float = 20.0) -> list:
        got = []
        async with asyncio.timeout(timeout):
            while len(got) < count:
                item = await self.queue.get()
                assert not isinstance(item, Exception), item
                if type(item) is kind:
                    got.append(item)
        return got


async def test_aiosmpplib_transceiver(database):
    config = gateway_config(database)
    gateway = await started(config)
    try:
        creds = await credentials(gateway)
        async with Client(gateway, creds) as client:
            await client.send(GSM, "15551230002", "gsm")
            await client.send(LONG, "15551230002", "long")
            await client.send(EMOJI, "15551230003", "emoji", encoding="ucs2")
            responses = await client.hook.take(SubmitSmResp, 3)
            assert all(r.command_status == 0 for r in responses)
            assert {r.log_id for r in responses} == {"gsm", "long", "emoji"}
            ids = {r.message_id: r.log_id for r in responses}
            receipts = await client.hook.take(DeliverSm, 3)
            for r in receipts:
                parsed = r.parse_receipt()
                assert r.is_receipt() and parsed["stat"] == "DELIVRD"
                assert ids[parsed["id"]] == r.log_id          # aiosmpplib's own correlation
            sim = gateway.simulators["sim-a"]
            # GSM and LONG went in one window, neither waiting for the other's answer: the
            # server handles them side by side (on PostgreSQL the rate limit is a query), so
            # either may reach the handset first.
            assert sorted(sim.handset("+15551230002")) == sorted([GSM, LONG])
            assert sim.handset("+15551230003") == [EMOJI]

            sim.inject_sms("+15551237777", "Inbound to asyncio")
            [mo] = await client.hook.take(DeliverSm, 1)
            assert not mo.is_receipt() and mo.short_message == "Inbound to asyncio"
            assert mo.source.number == "15551237777"

            # Away: a receipt comes while nobody is bound, then the gateway restarts.
            await client.send("sent before a restart", "15551230004", "restart")
            [resp] = await client.hook.take(SubmitSmResp, 1)
        missed = resp.message_id

        async def delivered():
            return (await gateway.store.get_message(missed))["status"] == "delivered"
        await until(delivered, what="the message to be delivered")
    finally:
        await gateway.stop()

    gateway = await started(config)
    try:
        async with Client(gateway, creds) as client:
            [receipt] = await client.hook.take(DeliverSm, 1)
            assert receipt.parse_receipt()["id"] == missed and receipt.parse_receipt()["stat"] == "DELIVRD"
    finally:
        await gateway.stop()
