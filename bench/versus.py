"""modemgw against Kannel, gammu-smsd and smstools on the same simulated modem.

Each gateway in turn gets a fresh simulated modem (generic profile, in this
process) and the same N short GSM-7 messages, submitted through its own
interface (bench/peers/fidelity.py: Kannel's sendsms, gammu-smsd-inject, smstools
spool files; modemgw's POST /v1/messages). Once the gateway has finished
initialising the modem (no command for 1.5 s), the clock starts at the first
submission and stops at the N-th +CMGS answer: msg/s; "modem-side" counts from
the first AT+CMGS instead. CPU is utime+stime of every process of the gateway
(its whole session: smsd's modem handler, Kannel's two boxes) over the same span.

Peers use their tuned profile (docs/peers.md): bench/peers' configs, with
gammu-smsd's `loopsleep = 0` (the 1 s loop sleep dominates otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from modemgw.simulator import Settings, Simulator

from .common import AnswerCount, Gateway, Result, Workdir, answers_sent, config_text, log, post_messages, session_cpu_seconds
from .peers import fidelity
from .peers.fidelity import Message

RUNS = ((0.0, 30), (0.3, 20))  # (+CMGS latency s, N)
GATEWAYS = ("modemgw", "kannel", "gammu", "smstools")


class TunedGammu(fidelity.Gammu):
    async def start(self) -> None:
        for box in ("inbox", "outbox", "sent", "error"):
            (self.run_dir / "gammu" / box).mkdir(parents=True)
        self.conf = fidelity.render("gammu-smsdrc.in", self.work, "gammu-smsdrc", {})
        text = self.conf.read_text().replace("\nloopsleep = 1\n", "\nloopsleep = 0\n")
        self.conf.write_text(text)
        self.settings = ["files backend, commtimeout = 1, loopsleep = 0, statusfrequency = 0, checks off"]
        await self.spawn("gammu-smsd", "gammu-smsd", "-c", str(self.conf))


PEER_CLASSES = {"kannel": fidelity.Kannel, "gammu": TunedGammu, "smstools": fidelity.Smstools}


def message(i: int) -> Message:
    return Message(f"m{i}", f"Benchmark message {i:03d}: the quick brown fox", "gsm7", False)


async def settled(sim: Simulator, quiet: float = 1.5, timeout: float = 40.0) -> None:
    """Until the host has sent some commands and then none for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [e.at for e in sim.transcript.entries if e.kind == "line"]
        if len(lines) >= 3 and time.monotonic() - lines[-1] >= quiet:
            return
        await asyncio.sleep(0.2)


async def one(name: str, latency: float, count: int, keep: bool) -> dict:
    with Workdir(f"versus-{name}", keep) as work:
        sim = Simulator(work / "ttyFAKE0", settings=Settings(latency=latency, report_delay=0.5))
        async with sim:
            await sim.wait_ready()
            if name == "modemgw":
                gw = Gateway(work)
                await gw.start(config_text(gw.port, gw.database, modems=[("sim", str(work / "ttyFAKE0"))]))
                cpu = gw.cpu
                stop = gw.stop
                texts = [(f"+1555123{i % 10000:04d}", message(i).text) for i in range(count)]

                async def submit() -> None:
                    await post_messages(gw.url, gw.key, texts, concurrency=1)
            else:
                peer = PEER_CLASSES[name](work)
                await asyncio.to_thread(fidelity.ensure_installed, peer.packages, peer.binaries, log)
                await peer.start()

                def cpu() -> float:
                    return sum(session_cpu_seconds(p.pid) for _, p in peer.processes)

                async def stop() -> None:
                    await peer.stop()

                async def submit() -> None:
                    for i in range(count):
                        await peer.submit(message(i), i)
            try:
                await settled(sim)
                cpu0, t0 = cpu(), time.monotonic()
                await submit()
                answers = AnswerCount(sim.transcript)
                await sim.wait_for(lambda: answers.count >= count, timeout=count * 4 + 60)
                cpu1 = cpu()
            finally:
                with contextlib.suppress(Exception):
                    await stop()
        answers = answers_sent(sim.transcript)
        first_cmgs = next(e.at for e in sim.transcript.entries
                          if e.kind == "line" and e.data.upper().startswith("AT+CMGS="))
        last = answers[count - 1]
        return {"msg_s": count / (last - t0), "modem_msg_s": count / (last - first_cmgs),
                "cpu_s": cpu1 - cpu0, "wall_s": last - t0}


async def run(*, peers: tuple[str, ...] = ("kannel", "gammu", "smstools"), keep: bool = False,
              quick: bool = False) -> Result:
    result = Result()
    runs = ((0.0, 10), (0.3, 6)) if quick else RUNS
    for latency, count in runs:
        lat = f"{latency * 1000:.0f} ms"
        figures: dict[str, dict] = {}
        for name in ("modemgw", *peers):
            log(f"versus: {name} at {lat}, {count} messages")
            try:
                figures[name] = r = await one(name, latency, count, keep)
            except Exception as exc:  # a peer that fails does not stop the others
                log(f"versus: {name} failed: {exc!r}")
                continue
            result.add(f"versus {lat}: {name} msg/s", r["msg_s"], "msg/s", digits=2, note=f"N = {count}")
            result.add(f"versus {lat}: {name} CPU", r["cpu_s"], "s", digits=2)
            result.details.append(f"versus {lat} {name}: {count} messages in {r['wall_s']:.1f} s, modem-side "
                                  f"{r['modem_msg_s']:.2f} msg/s, CPU {r['cpu_s']:.2f} s "
                                  f"({r['cpu_s'] / count * 1000:.1f} ms/msg)")
        ours = figures.get("modemgw")
        if ours is None:
            continue
        for name in peers:
            if name in figures:
                result.add(f"versus {lat}: modemgw/{name} msg/s ratio", ours["msg_s"] / figures[name]["msg_s"],
                           "x", digits=1)
    return result
