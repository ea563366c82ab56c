"""Sending: the gateway's overhead per part, and how busy it keeps slow modems.

overhead     one simulated modem answering +CMGS at once (0 ms); N messages queued
             beforehand (the gateway is started once with the modem capped at
             per_day = 0 to queue them, then restarted on a simulator in this
             process). Parts per second from the first AT+CMGS to the N-th +CMGS
             answer, so every database write of the send path is included
             (mark_sending, mark_sent, the status reports arriving meanwhile).

utilisation  8 simulated modems at 1-3 s +CMGS latency (evenly spread), a backlog
             larger than they can send in the window. Busy = time between AT+CMGS
             and its +CMGS answer in each simulator's transcript, over the window
             from that modem's first AT+CMGS to the end of the run.
"""

from __future__ import annotations

import asyncio
import time

from modemgw.simulator import Settings, Simulator

from .common import (AnswerCount, Gateway, Result, Workdir, config_text, is_url, post_messages, prompt_waits,
                     recipient, submit_intervals)


async def queue_messages(gw: Gateway, names: list[str], count: int) -> None:
    """Start the gateway with every modem capped (nothing is sent), queue `count` messages, stop."""
    sims = [{"name": n, "per_day": 0} for n in names]
    await gw.start(config_text(gw.port, gw.database, simulators=sims), ready_timeout=30)
    try:
        texts = [(recipient(i), f"Benchmark part {i}") for i in range(count)]
        for start in range(0, count, 500):
            await post_messages(gw.url, gw.key, texts[start:start + 500], concurrency=32)
    finally:
        await gw.stop()


async def overhead(*, count: int = 1000, keep: bool = False, quick: bool = False, store: str = "sqlite") -> Result:
    """`store`: "sqlite" or "postgresql" (bench/pg.py; PostgreSQL's own CPU per part is then
    a figure too)."""
    if quick:
        count = 300
    result = Result()
    with Workdir("overhead", keep) as work:
        gw = Gateway(work, store=store)
        await queue_messages(gw, ["sim0"], count)
        sim = Simulator(work / "ttySIM0", settings=Settings(latency=0.0, report_delay=0.2))
        async with sim:
            await sim.wait_ready()
            await gw.start(config_text(gw.port, gw.database, modems=[("sim0", str(work / "ttySIM0"))]))
            try:
                cpu0, db0, t0 = gw.cpu(), gw.db_cpu(), time.monotonic()
                answers = AnswerCount(sim.transcript)
                await sim.wait_for(lambda: answers.count >= count, timeout=count * 0.2 + 60)
                cpu1, db1 = gw.cpu(), gw.db_cpu()
                intervals = submit_intervals(sim.transcript)
                first, last = intervals[0][0], intervals[count - 1][1]
                rate = (count - 1) / (last - first)
                busy = sum(b - a for a, b in intervals[:count]) / (last - first)
                gaps = sorted(intervals[i + 1][0] - intervals[i][1] for i in range(count - 1))
                waits = sorted(prompt_waits(sim.transcript)[:count])
                result.add("overhead: parts/s through one 0 ms modem", rate, "parts/s", 500, "higher", 0,
                           note=f"N = {count}")
                result.add("overhead: time per part (1 / the line above)", 1000 / rate, "ms", digits=2)
                result.add("overhead: +CMGS answer -> next AT+CMGS (median)",
                           gaps[len(gaps) // 2] * 1000, "ms", digits=2)
                result.add("overhead: `> ` prompt -> PDU written (median)",
                           waits[len(waits) // 2] * 1000, "ms", digits=2)
                result.add("overhead: gateway CPU per part", (cpu1 - cpu0) / count * 1000, "ms/part", digits=2)
                if is_url(gw.database):
                    result.add("overhead: PostgreSQL CPU per part", (db1 - db0) / count * 1000, "ms/part",
                               digits=2)
                result.details.append(
                    f"overhead: {count} parts in {last - first:.2f} s (ready -> first AT+CMGS "
                    f"{first - t0:.2f} s), modem busy {busy * 100:.1f} %, gap p99 "
                    f"{gaps[int(len(gaps) * 0.99)] * 1000:.2f} ms, gateway CPU {cpu1 - cpu0:.2f} s")
            finally:
                await gw.stop()
    return result


async def utilisation(*, modems: int = 8, window: float = 60.0, keep: bool = False, quick: bool = False,
                      store: str = "sqlite") -> Result:
    if quick:
        window = 20.0
    result = Result()
    latencies = [1.0 + 2.0 * i / (modems - 1) for i in range(modems)]
    backlog = int(sum(window / lat for lat in latencies) * 1.5) + 20
    with Workdir("utilisation", keep) as work:
        gw = Gateway(work, store=store)
        sims = [Simulator(work / f"ttySIM{i}", settings=Settings(latency=lat, report_delay=0.5))
                for i, lat in enumerate(latencies)]
        for sim in sims:
            await sim.start()
        try:
            for sim in sims:
                await sim.wait_ready()
            await gw.start(config_text(gw.port, gw.database,
                                       modems=[(f"sim{i}", str(work / f"ttySIM{i}")) for i in range(modems)]))
            try:
                texts = [(recipient(i), f"Backlog message {i}") for i in range(backlog)]
                started = time.monotonic()
                await post_messages(gw.url, gw.key, texts, concurrency=32)
                posted = time.monotonic() - started
                await asyncio.sleep(max(0.0, window - (time.monotonic() - started)))
                end = time.monotonic()
                cpu = gw.cpu()
                remaining = gw.query("SELECT COUNT(*) FROM parts WHERE status = 'queued'")[0][0]
            finally:
                await gw.stop()
        finally:
            for sim in sims:
                await sim.stop()
        shares, sent = busy_shares(sims, end)
        overall = sum(shares) / len(shares)
        result.add(f"utilisation: modem time busy ({modems} modems, 1-3 s)", overall * 100, "%", 99, "higher", 2,
                   note=f"{window:g} s window")
        result.add("utilisation: least busy modem", min(shares) * 100, "%", digits=2)
        result.details.append(
            f"utilisation: latencies {', '.join(f'{x:.2f}' for x in latencies)} s; backlog {backlog} posted in "
            f"{posted:.2f} s; {sent} parts submitted, {remaining} still queued at the end; gateway CPU "
            f"{cpu:.1f} s in total; per modem busy % {', '.join(f'{s * 100:.2f}' for s in shares)}")
    return result


def busy_shares(sims: list[Simulator], end: float) -> tuple[list[float], int]:
    """Each modem's busy share up to `end` (time between AT+CMGS and its answer, over the
    window from its first AT+CMGS), and the submits counted."""
    shares, sent = [], 0
    for sim in sims:
        intervals = submit_intervals(sim.transcript)
        sent += len(intervals)
        if not intervals:
            shares.append(0.0)
            continue
        begin = intervals[0][0]
        busy = sum(min(b, end) - a for a, b in intervals if a < end)
        # A submit still waiting for its answer at the end counts as busy up to the end.
        pending = [e.at for e in sim.transcript.entries if e.kind == "line"
                   and e.data.upper().startswith("AT+CMGS=") and e.at > intervals[-1][1] and e.at < end]
        busy += sum(end - a for a in pending)
        shares.append(busy / (end - begin))
    return shares, sent
