"""Every `error_code` of a failed or expired message (docs/api.md), caused for real:
store + dispatcher + driver + simulated modems with their faults, then the whole gateway
over HTTP with its webhooks."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from modemgw.api import views
from modemgw.config import Config, SimulatorConfig
from modemgw.dispatch.limits import ModemLimits
from modemgw.service import Gateway
from modemgw.simulator import Faults, Settings
from modemgw.store import ErrorCode
from test_dispatch import QUICK, Clock, accept, gateway, status_of, until
from test_gateway_e2e import ready, start_receiver
from test_settling import _lose_the_answer


async def _final(store, mid, status):
    await until(lambda: _is(store, mid, status))
    row = await store.get_message(mid)
    [hook] = [json.loads(w["body"]) for w in await store.webhook_deliveries()
              if w["event"] == f"message.{status}" and w["message_id"] == mid]
    return row, hook


async def _is(store, mid, status):
    return await status_of(store, mid) == status


def _carries(row, hook, code, detail):
    """The code and its detail on the message as GET shows it and in its webhook."""
    shown = views.message(row)
    assert (shown["error_code"], shown["error_detail"]) == (code, detail)
    assert (hook["error_code"], hook["error_detail"]) == (code, detail)
    assert shown["error"] and hook["error"] == shown["error"]


async def test_a_permanent_cms_error_is_network_rejected_with_its_number(tmp_path, database):
    faults = {"a": Faults(cms_error_destinations={"+15559990001": 21})}
    async with gateway(tmp_path, database, faults=faults) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15559990001", "x" * 300)     # two parts
        row, hook = await _final(store, mid, "failed")
        _carries(row, hook, ErrorCode.NETWORK_REJECTED, 21)
        # The part never sent takes no code of its own: the message has the failing part's.
        assert [p["error"] for p in row["parts"]][1] == "an earlier part failed"


async def test_temporary_errors_until_no_attempt_is_left_are_retries_exhausted(tmp_path, database):
    faults = {"a": Faults(fail_every=1, fail_code=512)}
    settings = replace(QUICK, drain_after=100)        # no pause between the attempts
    async with gateway(tmp_path, database, faults=faults, settings=settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230201", "never through")
        row, hook = await _final(store, mid, "failed")
        _carries(row, hook, ErrorCode.RETRIES_EXHAUSTED, 512)
        assert row["parts"][0]["attempts"] == QUICK.retry.attempts
        assert row["error"].startswith(f"gave up after {QUICK.retry.attempts} attempts")


async def test_a_message_not_sent_within_its_validity_is_validity_expired(tmp_path, database):
    clock = Clock()
    async with gateway(tmp_path, database, clock=clock, limits={"a": ModemLimits(per_day=0)}) as (
            store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230202", "held back by the cap", validity=300)
        clock.offset = 301
        dispatcher.notify()
        row, hook = await _final(store, mid, "expired")
        _carries(row, hook, ErrorCode.VALIDITY_EXPIRED, None)
        assert row["parts"][0]["status"] == "expired" and "validity" in row["error"]
        assert [w["event"] for w in await store.webhook_deliveries()] == ["message.expired"]


@pytest.mark.parametrize("tp_st, status, code", [
    (0x43, "failed", ErrorCode.UNDELIVERED),          # "not obtainable": permanent
    (0x41, "failed", ErrorCode.UNDELIVERED),          # incompatible destination
    (0x62, "failed", ErrorCode.UNDELIVERED),          # temporary, the SC no longer tries
    (0x46, "expired", ErrorCode.REPORT_EXPIRED),      # the SC's validity period ran out
])
async def test_a_status_report_that_ends_the_message_gives_its_code_and_tp_st(tmp_path, database, tp_st, status,
                                                                               code):
    settings = {"a": Settings(report_delay=0.05, report_status=tp_st)}
    async with gateway(tmp_path, database, sim_settings=settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230203", "anyone there?")
        row, hook = await _final(store, mid, status)
        _carries(row, hook, code, tp_st)
        assert row["parts"][0]["report_status"] == tp_st


async def test_no_status_report_within_the_window_is_no_report(tmp_path, database):
    settings = replace(QUICK, report_window=1.0, unreported_interval=0.05)
    sim_settings = {"a": Settings(report_delay=3600)}
    async with gateway(tmp_path, database, settings=settings, sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230204", "no report ever")
        row, hook = await _final(store, mid, "expired")
        _carries(row, hook, ErrorCode.NO_REPORT, None)


async def test_a_part_in_doubt_never_settled_is_delivery_unconfirmed(tmp_path, database):
    sim_settings = {"a": Settings(latency=1.0, report_delay=0.05)}
    async with gateway(tmp_path, database, sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230205", "lost with the port")
        await _lose_the_answer(sims["a"], dispatcher.slots["a"].modem)
        row, hook = await _final(store, mid, "failed")
        _carries(row, hook, ErrorCode.DELIVERY_UNCONFIRMED, None)


async def test_delivered_and_cancelled_messages_have_no_code(tmp_path, database, another_database):
    async with gateway(tmp_path, database, limits={"a": ModemLimits(per_day=0)}) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230206", "withdrawn")
        assert await store.cancel_message(mid) == "cancelled"
        shown = views.message(await store.get_message(mid))
        assert (shown["status"], shown["error_code"], shown["error_detail"]) == ("cancelled", None, None)
    (tmp_path / "b").mkdir()
    async with gateway(tmp_path / "b", another_database()) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230207", "fine")
        row, hook = await _final(store, mid, "delivered")
        assert (views.message(row)["error_code"], hook["error_code"], hook["error_detail"]) == (None, None, None)


async def test_the_api_and_the_webhooks_carry_the_code(database):
    """Over HTTP: GET /v1/messages/{id}, the listing and message.failed / message.expired."""
    receiver, runner, hook = await start_receiver()
    config = Config(listen_port=0, database=database, webhook_url=hook,
                    simulators=(SimulatorConfig("sim-a", report_delay=0.05),))
    gateway_ = Gateway(config)
    await gateway_.start()
    try:
        sim = gateway_.simulators["sim-a"]
        sim.faults.cms_error_destinations["+15551230301"] = 28        # unidentified subscriber
        sim.network.report_status["+15551230302"] = 0x46
        _, key = await gateway_.store.create_key("codes")
        async with aiohttp.ClientSession(gateway_.url, headers={"Authorization": f"Bearer {key}"}) as http:
            await ready(http)
            async with http.post("/v1/messages", json={"to": ["+15551230301", "+15551230302"],
                                                        "text": "codes"}) as resp:
                rejected, expired = (await resp.json())["data"]
            assert rejected["error_code"] is None and rejected["error_detail"] is None
            await receiver.wait(lambda calls: receiver.events("message.failed")
                                and receiver.events("message.expired"))
            [failed_hook] = receiver.events("message.failed")
            [expired_hook] = receiver.events("message.expired")
            assert (failed_hook["id"], failed_hook["error_code"], failed_hook["error_detail"]) == \
                (rejected["id"], "network_rejected", 28)
            assert (expired_hook["id"], expired_hook["error_code"], expired_hook["error_detail"]) == \
                (expired["id"], "report_expired", 0x46)
            async with http.get(f"/v1/messages/{rejected['id']}") as resp:
                got = await resp.json()
            assert (got["status"], got["error_code"], got["error_detail"]) == ("failed", "network_rejected", 28)
            async with http.get("/v1/messages", params={"status": "expired"}) as resp:
                [listed] = (await resp.json())["data"]
            assert (listed["id"], listed["error_code"], listed["error_detail"]) == \
                (expired["id"], "report_expired", 0x46)
    finally:
        await gateway_.stop()
        await runner.cleanup()


def test_the_codes_are_the_documented_ones():
    """docs/api.md lists each code once, with whether the message left the modem."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    listed = [line.split("`")[1] for line in doc.splitlines()
              if line.startswith("| `") and line.split("`")[1] in {c.value for c in ErrorCode}]
    assert listed == [c.value for c in ErrorCode]
