"""SMPP: submit_sm accepted per second through one transceiver session with a window of 10,
beside the HTTP ingest figure measured by the same run on the same gateway.

One `modemgw serve` with `[smpp] listen` and one simulated modem capped at `per_day = 0`
(nothing is sent: only the edges and the store's commit are measured, as in `ingest`).
Each SMPP round binds one transceiver and keeps 10 submit_sm outstanding for the round's
duration (a new one goes out as each submit_sm_resp comes in); the gateway answers a
submit only once its message is committed. One recipient a submit, the numbers and texts
of `ingest` (`+1555123xxxx`, "Benchmark message N"), GSM-7, no receipt asked for
(registered_delivery 0), as the HTTP requests ask for no callback; a third series asks
for receipts (registered_delivery 1), which costs the gateway one more write per submit.
Each HTTP round is ingest's sustained run: wrk, 32 connections, single-recipient
POST /v1/messages. Rounds alternate the series, in turn forward and backward, so drift
(a machine that slows down, a database that grows) weighs on all alike; each round gives
its figures and the ratio SMPP / HTTP of that round.

Accepted = ESME_ROK answers (2xx for HTTP), checked against the rows committed in the
database. The client is a few lines of asyncio over the gateway's own sans-IO codec
(`modemgw.smpp`), in this process: its CPU over each round is reported, so that it can
be seen not to be what limits the rate.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field

from modemgw.smpp import (BindTransceiver, CommandStatus as S, EnquireLink, EnquireLinkResp, FrameBuffer,
                          SubmitSm, SubmitSmResp, Ton, Unbind, decode, encode)

from .common import Gateway, Result, Workdir, config_text, free_port, log, percentile
from .dialects import create_credentials, settle
from .ingest import committed_wrk

ROUNDS = 3
WINDOW = 10
# Each series and the registered_delivery of its submits (None: HTTP).
SERIES = {"http": None, "smpp": 0, "smpp+receipts": 1}


@dataclass(slots=True)
class Tally:
    """What one SMPP round saw, on the client's side."""
    ok: int = 0
    refused: dict[int, int] = field(default_factory=dict)      # command_status -> count
    latencies: list[float] = field(default_factory=list)       # submit written -> its resp read, s
    elapsed: float = 0.0
    client_cpu: float = 0.0


class Client:
    """An ESME bound as transceiver, through the codec: bytes out, frames in."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.frames = FrameBuffer()
        self.sequence = 0
        self.submitted = 0          # numbers the recipients and texts, as ingest's wrk script does

    @classmethod
    async def bind(cls, port: int, system_id: str, password: str) -> Client:
        client = cls(*await asyncio.open_connection("127.0.0.1", port))
        client.writer.write(encode(BindTransceiver(sequence=client.next(), system_id=system_id,
                                                   password=password)))
        [resp] = await client.read()
        if resp.status != S.ESME_ROK:
            raise RuntimeError(f"bind_transceiver refused: {S(resp.status).name}")
        return client

    def next(self) -> int:
        self.sequence += 1
        return self.sequence

    async def read(self) -> list:
        """The PDUs of the next read (at least one), the gateway's enquire_links answered."""
        while True:
            data = await self.reader.read(65536)
            if not data:
                raise RuntimeError("the gateway closed the SMPP session")
            self.frames.feed(data)
            pdus = []
            while (frame := self.frames.next_frame()) is not None:
                pdu = decode(frame)
                if isinstance(pdu, EnquireLink):
                    self.writer.write(encode(EnquireLinkResp(sequence=pdu.sequence)))
                else:
                    pdus.append(pdu)
            if pdus:
                return pdus

    async def submit_for(self, duration: float, registered_delivery: int) -> Tally:
        """Keep WINDOW submit_sm outstanding for `duration` s, then wait for the last answers."""
        tally, sent_at = Tally(), {}

        def submit() -> bytes:
            self.submitted += 1
            n, seq = self.submitted, self.next()
            sent_at[seq] = time.monotonic()
            return encode(SubmitSm(sequence=seq, dest_addr_ton=Ton.INTERNATIONAL, dest_addr_npi=1,
                                   destination_addr=f"1555{1230000 + n % 10000:07d}",
                                   registered_delivery=registered_delivery,
                                   short_message=f"Benchmark message {n}".encode()))

        cpu0, start = time.process_time(), time.monotonic()
        deadline = start + duration
        self.writer.write(b"".join(submit() for _ in range(WINDOW)))
        while sent_at:
            out = []
            for pdu in await self.read():
                if not isinstance(pdu, SubmitSmResp):
                    raise RuntimeError(f"unexpected {type(pdu).__name__} during the run")
                now = time.monotonic()
                tally.latencies.append(now - sent_at.pop(pdu.sequence))
                if pdu.status == S.ESME_ROK:
                    tally.ok += 1
                else:
                    tally.refused[pdu.status] = tally.refused.get(pdu.status, 0) + 1
                if now < deadline:
                    out.append(submit())
            if out:
                self.writer.write(b"".join(out))
        tally.elapsed = time.monotonic() - start
        tally.client_cpu = time.process_time() - cpu0
        return tally

    async def unbind(self) -> None:
        self.writer.write(encode(Unbind(sequence=self.next())))
        await self.read()
        self.writer.close()
        await self.writer.wait_closed()


async def smpp_round(gw: Gateway, client: Client, duration: float, registered_delivery: int) -> dict:
    """One SMPP run, checked against the database like ingest's wrk runs."""
    before = gw.query("SELECT COUNT(*) FROM messages")[0][0]
    cpu0 = gw.cpu()
    t = await client.submit_for(duration, registered_delivery)
    cpu = gw.cpu() - cpu0
    committed = gw.query("SELECT COUNT(*) FROM messages")[0][0] - before
    if t.ok == 0 or committed < t.ok:
        raise RuntimeError(f"{t.ok} submit_sm answered ESME_ROK, {committed} messages committed; "
                           f"refused: {t.refused}")
    refused = ", ".join(f"{S(k).name} {v}" for k, v in t.refused.items()) or "none"
    summary = (f"{t.ok + sum(t.refused.values())} submit_sm in {t.elapsed:.2f} s, ESME_ROK {t.ok}, "
               f"refused {refused}, committed rows {committed}, gateway CPU {cpu:.2f} s, client CPU "
               f"{t.client_cpu:.2f} s, p50 {percentile(t.latencies, 50) * 1e3:.2f} ms, "
               f"p99 {percentile(t.latencies, 99) * 1e3:.2f} ms")
    return {"messages": t.ok, "elapsed": t.elapsed, "cpu": cpu, "client_cpu": t.client_cpu,
            "p99_ms": percentile(t.latencies, 99) * 1e3, "summary": summary}


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


async def run(*, duration: float = 5.0, connections: int = 32, rounds: int = ROUNDS, keep: bool = False,
              quick: bool = False) -> Result:
    if quick:
        duration = 2.0
    result = Result()
    with Workdir("smpp", keep) as work:
        gw = Gateway(work)
        credentials = await create_credentials(gw)
        smpp_port = free_port()
        await gw.start(config_text(gw.port, gw.database,
                                   simulators=[{"name": "capped", "latency": 0.0, "per_day": 0}])
                       + f'\n[smpp]\nlisten = "127.0.0.1:{smpp_port}"\nwindow = {WINDOW}\n')
        result.details.append(f"before: {load()}")
        try:
            client = await Client.bind(smpp_port, credentials["smpp_system_id"], credentials["smpp_password"])
            rates: dict[str, list[float]] = {name: [] for name in SERIES}
            order = list(SERIES)
            for i in range(rounds):
                for name in (order if i % 2 == 0 else order[::-1]):
                    await settle(gw)
                    if SERIES[name] is None:
                        r = await committed_wrk(gw, duration, connections, work, recipients=1)
                    else:
                        r = await smpp_round(gw, client, duration, SERIES[name])
                        result.add(f"smpp: client CPU, {name}", r["client_cpu"] / r["elapsed"] * 100,
                                   "% of a core", digits=0)
                        result.add(f"smpp: p99 submit_sm -> resp, {name}", r["p99_ms"], "ms", digits=2)
                    rate = r["messages"] / r["elapsed"]
                    rates[name].append(rate)
                    label = f"http POST /v1/messages (wrk, {connections} connections)" if name == "http" \
                        else f"{name} submit_sm (window {WINDOW})"
                    result.add(f"smpp: accepted, {label}", rate, "msg/s", digits=0)
                    result.add(f"smpp: gateway CPU per message, {name}", r["cpu"] / r["messages"] * 1e6,
                               "us/msg", digits=0)
                    result.details.append(f"round {i + 1} {name}: {rate:.0f} msg/s; {r['summary']}")
                    log(f"  round {i + 1} {name}: {rate:.0f} msg/s")
                for name in order[1:]:
                    result.add(f"smpp: {name} / http, same round", rates[name][i] / rates["http"][i], "x",
                               1.0 if name == "smpp" else None, "higher", 2)
            await client.unbind()
        finally:
            result.details.append(f"after: {load()}")
            await gw.stop()
    return result
