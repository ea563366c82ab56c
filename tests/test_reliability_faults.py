"""Faults of the modem under a running gateway: every accepted message reaches a final
state (delivered, or failed with its reason), or stays `sent` with a part `unknown`
(the answer to its AT+CMGS was lost, at_most_once) within a bound; nothing is sent
twice. Sizes: tests/reliability/sizes.py."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from modemgw.simulator import Faults, Settings
from reliability.inprocess import running_gateway
from reliability.poll import FINAL, until
from reliability.sizes import FAULT_MESSAGES, record

BOUND = 30.0          # seconds for every message to settle after the fault
PERMANENT = "+15550409999"


def numbers(prefix: str) -> list[str]:
    return [f"+15550{prefix}{i:05d}" for i in range(FAULT_MESSAGES)]


async def send_all(gw, to: list[str], text: str) -> list[str]:
    async with gw.http() as http:
        async with http.post("/v1/messages", json={"to": to, "text": text}) as resp:
            assert resp.status == 200, await resp.text()
            return [m["id"] for m in (await resp.json())["data"]]


async def outcomes(gw, ids) -> dict[str, dict]:
    out = {}
    for mid in ids:
        out[mid] = await gw.store.get_message(mid)
    return out


def settled(message: dict) -> bool:
    parts = [p["status"] for p in message["parts"]]
    if message["status"] in FINAL:
        return True
    return message["status"] == "sent" and "unknown" in parts and \
        set(parts) <= {"delivered", "unknown"}


async def wait_settled(gw, ids, timeout: float = BOUND) -> dict[str, dict]:
    last = {}

    async def check_keep():
        nonlocal last
        last = await outcomes(gw, ids)
        return last if all(settled(m) for m in last.values()) else None
    try:
        return await until(check_keep, timeout=timeout, interval=0.1, what="every message settled")
    except AssertionError:
        raise AssertionError("not settled: " + repr(
            [(m["id"], m["status"], [p["status"] for p in m["parts"]], m["error"])
             for m in last.values() if not settled(m)])[:3000]) from None


def check_no_duplicates(gw, to: list[str], text: str, messages: dict[str, dict]) -> Counter:
    by_number = {m["to_number"]: m for m in messages.values()}
    outcome = Counter()
    for number in to:
        copies = sum(sim.handset(number).count(text) for sim in gw.sims.values())
        m = by_number[number]
        parts = [p["status"] for p in m["parts"]]
        outcome[m["status"] + ("+unknown" if "unknown" in parts else "")] += 1
        if m["status"] == "delivered":
            assert copies == 1, (number, m["status"], copies)
        else:
            assert copies <= 1, (number, m["status"], copies)
        if m["status"] == "failed":
            assert m["error"], m
    return outcome


async def test_unplug_during_cmgs_then_replug(tmp_path, database):
    sims = {"a": ("generic", Settings(latency=0.3, report_delay=0.05), Faults())}
    async with running_gateway(tmp_path, database, sims) as gw:
        sim = gw.sims["a"]
        to, text = numbers("1"), "unplugged mid-submit"
        ids = await send_all(gw, to, text)
        # The PDU is written and the network is thinking: pull the stick out.
        await sim.wait_for(lambda: any(e.kind == "pdu" for e in sim.transcript.entries), timeout=10)
        sim.unplug()
        await until(lambda: gw.state("a") != "ready", timeout=10, what="gateway noticed the unplug")
        replugged = time.monotonic()
        sim.replug()
        await until(lambda: gw.state("a") == "ready", timeout=BOUND, interval=0.02,
                    what="modem ready after replug")
        ready_after = time.monotonic() - replugged
        before = sim.counters["submitted"]
        await sim.wait_for(lambda: sim.counters["submitted"] > before, timeout=BOUND)
        first_send_after = time.monotonic() - replugged
        messages = await wait_settled(gw, ids)
        outcome = check_no_duplicates(gw, to, text, messages)
        assert outcome["sent+unknown"] <= 1      # only the part cut off mid-submit
        record("fault_unplug", messages=len(ids), outcomes=dict(outcome),
               recovery_ready_s=round(ready_after, 2), recovery_first_submit_s=round(first_send_after, 2),
               settled_s=round(time.monotonic() - replugged, 2))


async def test_modem_hangs_on_cmgs(tmp_path, database):
    sims = {"a": ("generic", Settings(report_delay=0.05), Faults())}
    async with running_gateway(tmp_path, database, sims) as gw:
        sim = gw.sims["a"]
        sim.faults.hang_on, sim.faults.hang_for = "+CMGS", 3.0
        to, text = numbers("2"), "modem hangs"
        started = time.monotonic()
        ids = await send_all(gw, to, text)
        await sim.wait_for(lambda: sim.counters["hangs"] >= 1, timeout=10)
        sim.faults.hang_on = None
        messages = await wait_settled(gw, ids)
        outcome = check_no_duplicates(gw, to, text, messages)
        # The modem hung before the prompt: no PDU was written, so nothing is in doubt.
        assert outcome == Counter({"delivered": len(ids)}), outcome
        record("fault_hang", messages=len(ids), outcomes=dict(outcome),
               settled_s=round(time.monotonic() - started, 2))


async def test_temporary_and_permanent_cms_errors(tmp_path, database):
    faults = Faults(cms_error_rate=0.3, cms_error_code=500, seed=7,
                    cms_error_destinations={PERMANENT: 21})
    sims = {"a": ("generic", Settings(report_delay=0.05), faults)}
    async with running_gateway(tmp_path, database, sims) as gw:
        to, text = numbers("3") + [PERMANENT], "cms errors"
        started = time.monotonic()
        ids = await send_all(gw, to, text)
        messages = await wait_settled(gw, ids)
        outcome = check_no_duplicates(gw, to, text, messages)
        by_number = {m["to_number"]: m for m in messages.values()}
        assert by_number[PERMANENT]["status"] == "failed" and "21" in by_number[PERMANENT]["error"]
        assert by_number[PERMANENT]["parts"][0]["attempts"] == 1     # a permanent error: no retry
        for number in to[:-1]:     # temporary errors: retried; failing only after every attempt
            m = by_number[number]
            assert m["status"] == "delivered" or (m["status"] == "failed" and "attempt" in m["error"]), m
        record("fault_cms_errors", messages=len(ids), outcomes=dict(outcome),
               retries=sum(p["attempts"] - 1 for m in messages.values() for p in m["parts"]),
               settled_s=round(time.monotonic() - started, 2))


async def test_garbage_on_the_line(tmp_path, database):
    sims = {"a": ("generic", Settings(report_delay=0.05), Faults(garbage_rate=0.3, seed=3))}
    async with running_gateway(tmp_path, database, sims) as gw:
        to, text = numbers("4"), "noisy line"
        started = time.monotonic()
        ids = await send_all(gw, to, text)
        messages = await wait_settled(gw, ids)
        outcome = check_no_duplicates(gw, to, text, messages)
        assert outcome["delivered"] >= len(ids) - 1, outcome
        record("fault_garbage", messages=len(ids), outcomes=dict(outcome),
               settled_s=round(time.monotonic() - started, 2))


async def test_modem_reboots_mid_queue(tmp_path, database):
    sims = {"a": ("ec25", Settings(latency=0.05, report_delay=0.05), Faults())}
    async with running_gateway(tmp_path, database, sims) as gw:
        sim = gw.sims["a"]
        to, text = numbers("5"), "x" * 200       # two parts each
        ids = await send_all(gw, to, text)
        await sim.wait_for(lambda: sim.counters["submitted"] >= 3, timeout=10)
        rebooted = time.monotonic()
        sim.power_cycle()
        messages = await wait_settled(gw, ids)
        outcome = check_no_duplicates(gw, to, text, messages)
        assert outcome["sent+unknown"] <= 1, outcome
        record("fault_power_cycle", messages=len(ids), outcomes=dict(outcome),
               settled_s=round(time.monotonic() - rebooted, 2))
