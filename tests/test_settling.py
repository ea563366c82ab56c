"""Every message ends in a final state, daily caps are never exceeded, times never go
backwards: store + dispatcher + real driver + simulated modems on ptys."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from modemgw.config import ConfigError, parse
from modemgw.dispatch.compose import compose
from modemgw.dispatch.limits import ModemLimits
from modemgw.modem import ModemState, ReceivedPdu
from modemgw.simulator import Settings
from modemgw.sms import ConcatReferences, decode_pdu, encode_status_report
from modemgw.store import Store
from test_dispatch import QUICK, accept, gateway, status_of, until

import pytest


async def _is(store, mid, status):
    return await status_of(store, mid) == status


def _webhooks(events):
    return [w["event"] for w in reversed(events)]


def _pdus(sim):
    return sum(e.kind == "pdu" for e in sim.transcript.entries)


async def _lose_the_answer(sim, modem, written_before=0):
    """Unplug the stick right after the next PDU is written, and plug it back in."""
    await sim.wait_for(lambda: _pdus(sim) > written_before, timeout=10)
    sim.unplug()
    await modem.wait_for(ModemState.OFFLINE, ModemState.RECOVERING, timeout=10)
    sim.replug()


async def test_a_part_lost_with_the_port_ends_failed_and_the_client_is_told(tmp_path, database):
    sim_settings = {"a": Settings(latency=1.0, report_delay=0.05)}
    async with gateway(tmp_path, database, sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230101", "lost with the port")
        await _lose_the_answer(sims["a"], dispatcher.slots["a"].modem)
        await until(lambda: _is(store, mid, "failed"))
        m = await store.get_message(mid)
        assert m["error"].startswith("delivery unconfirmed") and "at_most_once" in m["error"]
        assert m["parts"][0]["status"] == "failed"
        assert _webhooks(await store.webhook_deliveries()) == ["message.sent", "message.failed"]
        assert len(sims["a"].handset("+15551230101")) <= 1          # never sent again


async def test_at_least_once_sends_a_lost_part_once_more(tmp_path, database):
    sim_settings = {"a": Settings(latency=1.0, report_delay=0.05)}
    async with gateway(tmp_path, database, sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230102", "must arrive", policy="at_least_once")
        await _lose_the_answer(sims["a"], dispatcher.slots["a"].modem)
        await until(lambda: _is(store, mid, "delivered"))
        m = await store.get_message(mid)
        assert m["parts"][0]["attempts"] == 2
        assert 1 <= len(sims["a"].handset("+15551230102")) <= 2


async def test_a_part_unconfirmed_twice_fails_under_at_least_once(tmp_path, database):
    # A cap of 0 keeps the modem from sending: the two lost attempts are written here.
    async with gateway(tmp_path, database, limits={"a": ModemLimits(per_day=0)}) as (store, dispatcher, sims):
        message = compose("+15551230103", "twice in doubt", sender=None, references=ConcatReferences(),
                          now=time.time(), policy="at_least_once")
        mid = (await store.create_messages([message], api_key_id=None)).messages[0]["id"]
        await store.mark_sending(mid, 1, "a")
        await store.mark_sent(mid, 1, None, unknown=True, error="no answer")
        await until(lambda: _part(store, mid, "queued"))             # sent again, once
        await store.mark_sending(mid, 1, "a")
        await store.mark_sent(mid, 1, None, unknown=True, error="no answer")
        await until(lambda: _is(store, mid, "failed"))
        m = await store.get_message(mid)
        assert m["error"].startswith("delivery unconfirmed: sent twice")
        assert _webhooks(await store.webhook_deliveries()) == ["message.sent", "message.failed"]


async def _part(store, mid, status, seq=1):
    return (await store.get_message(mid))["parts"][seq - 1]["status"] == status


async def test_a_sent_part_whose_report_never_comes_expires_after_the_report_window(tmp_path, database):
    settings = replace(QUICK, report_window=1.0, unreported_interval=0.05)
    sim_settings = {"a": Settings(report_delay=3600)}
    async with gateway(tmp_path, database, settings=settings, sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230104", "no report ever")
        await until(lambda: _is(store, mid, "expired"))
        m = await store.get_message(mid)
        assert "no status report" in m["error"]
        assert _webhooks(await store.webhook_deliveries()) == ["message.sent", "message.expired"]


@pytest.mark.parametrize("cap, posted", [(1, 2), (5, 20)])
async def test_a_daily_cap_is_never_exceeded_also_across_a_restart(tmp_path, database, cap, posted):
    limits = {"a": ModemLimits(per_day=cap)}
    async with gateway(tmp_path, database, limits=limits) as (store, dispatcher, sims):
        refs = ConcatReferences()
        ids = [await accept(store, dispatcher, f"+1555124{i:04d}", f"capped {i}", refs) for i in range(posted)]
        await until(lambda: _count(store, "delivered", cap))
        await _more_passes(dispatcher, 3)     # later passes find the modem capped
        sent = sims["a"].counters["submitted"]
    async with gateway(tmp_path, database, limits=limits) as (store, dispatcher, sims):
        await _more_passes(dispatcher, 3)
        assert sims["a"].counters["submitted"] == 0                 # nothing more today
        statuses = [await status_of(store, mid) for mid in ids]
    assert sent == cap
    assert statuses.count("delivered") == cap and statuses.count("queued") == posted - cap


async def _count(store, status, n):
    rows = await store._fetchall("SELECT COUNT(*) AS n FROM messages WHERE status = ?", (status,))
    return rows[0]["n"] == n


async def _more_passes(dispatcher, more):
    """Wait until the dispatcher has looked at the queue `more` more times."""
    start = dispatcher.passes

    async def done():
        dispatcher.notify()
        return dispatcher.passes >= start + more
    await until(done)


def test_per_day_zero_keeps_a_sim_for_receiving():
    config = parse('[[modem]]\nname = "rx"\nport = "/dev/ttyUSB0"\nper_day = 0\n')
    assert config.modems[0].per_day == 0
    with pytest.raises(ConfigError, match="per_day"):
        parse('[[modem]]\nname = "rx"\nport = "/dev/ttyUSB0"\nper_day = -1\n')


def test_the_windows_are_configured_in_seconds():
    config = parse("[sending]\nunknown_window = 30\nreport_window = 86400\n")
    assert (config.unknown_window, config.report_window) == (30, 86400)
    with pytest.raises(ConfigError, match="unknown_window"):
        parse("[sending]\nunknown_window = 0\n")


async def test_times_never_go_backwards_when_the_network_clock_is_behind(tmp_path, database):
    sim_settings = {"a": Settings(report_delay=3600, first_message_reference=40)}
    async with gateway(tmp_path, database, sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230105", "network clock behind")
        await until(lambda: _is(store, mid, "sent"))
        # The SC's clock is an hour behind ours: its times are kept, but as its own.
        behind = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
        pdu = encode_status_report(40, "+15551230105", timestamp=behind, discharge_time=behind)
        report = decode_pdu(pdu.hex, pdu.tpdu_length)
        await dispatcher.on_received(ReceivedPdu("a", pdu.hex, pdu.tpdu_length, report))
        await until(lambda: _is(store, mid, "delivered"))
        m = await store.get_message(mid)
        part = m["parts"][0]
    assert m["created_at"] <= m["sent_at"] <= m["delivered_at"]
    assert part["submitted_at"] <= part["report_at"]
    assert m["network_delivered_at"] == part["network_done_at"] == behind.timestamp()
    assert part["network_submitted_at"] == behind.timestamp()


async def test_a_key_and_a_message_choose_their_delivery_policy(database):
    store = Store(database)
    await store.open()
    try:
        key_id, token = await store.create_key("alerts", delivery_policy="at_least_once")
        key = await store.key_for_token(token)
        assert key["delivery_policy"] == "at_least_once"
        assert [k["delivery_policy"] for k in await store.list_keys()] == ["at_least_once"]
    finally:
        await store.close()


LONG_WINDOW = replace(QUICK, unknown_window=3600)


@pytest.mark.parametrize("profile, requeued", [("generic", True), ("mr_in_ram", False)])
async def test_a_part_that_never_left_is_sent_again_at_once_when_the_sim_shows_it(
        tmp_path, database, profile, requeued):
    # The stick is pulled while the network is still thinking: the modem never submitted
    # the part. A modem that keeps TP-MR on the SIM gives the next part the reference
    # right after the last one, which proves it; one that keeps it in RAM proves nothing.
    sim_settings = {"a": Settings(latency=1.0, report_delay=0.05)}
    async with gateway(tmp_path, database, sims=(("a", profile),), settings=LONG_WINDOW,
                       sim_settings=sim_settings) as (store, dispatcher, sims):
        sim, modem = sims["a"], dispatcher.slots["a"].modem
        first = await accept(store, dispatcher, "+15551230110", "before")
        await until(lambda: _is(store, first, "delivered"))
        written = _pdus(sim)
        lost = await accept(store, dispatcher, "+15551230111", "never left")
        await _lose_the_answer(sim, modem, written)
        await modem.wait_for(ModemState.READY, timeout=10)
        await until(lambda: _part(store, lost, "unknown"))
        after = await accept(store, dispatcher, "+15551230112", "after")
        await until(lambda: _is(store, after, "delivered"))
        if requeued:
            await until(lambda: _is(store, lost, "delivered"))
            assert sim.handset("+15551230111") == ["never left"]
        else:
            await _more_passes(dispatcher, 3)
            assert await _part(store, lost, "unknown")                 # still in doubt
            assert sim.handset("+15551230111") == []


@pytest.mark.parametrize("next_mr, requeued", [(6, True), (7, False), (5, False)])
async def test_only_the_next_reference_after_the_last_one_proves_a_part_never_left(
        tmp_path, database, next_mr, requeued):
    async with gateway(tmp_path, database, settings=LONG_WINDOW) as (store, dispatcher, sims):
        warm = await accept(store, dispatcher, "+15551230120", "the driver checks EF_SMSS")
        await until(lambda: _is(store, warm, "delivered"))
        assert dispatcher.slots["a"].modem.sim_reference_tracks is True
        later = time.time() + 3600          # scheduled: the dispatcher leaves them alone
        ids = []
        for i in range(3):
            m = compose(f"+155512301{21 + i}", f"crafted {i}", sender=None, references=ConcatReferences(),
                        now=time.time(), scheduled_at=later)
            ids.append((await store.create_messages([m], api_key_id=None)).messages[0]["id"])
        before, doubt, after = ids
        for mid, mr in ((before, 5), (doubt, None), (after, next_mr)):
            await store.mark_sending(mid, 1, "a")
            await store.mark_sent(mid, 1, mr, unknown=mr is None)
        if requeued:
            await until(lambda: _part(store, doubt, "delivered"))
        else:
            await _more_passes(dispatcher, 3)
            assert await _part(store, doubt, "unknown")
