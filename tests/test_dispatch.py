"""Store + dispatcher + real driver + simulated modems on ptys."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime, timezone

from modemgw.dispatch.compose import compose
from modemgw.dispatch.dispatcher import DispatchSettings, Dispatcher
from modemgw.dispatch.limits import ModemLimits
from modemgw.dispatch.retry import RetryPolicy
from modemgw.modem import Backoff, Modem, ModemState, ReceivedPdu, Timeouts
from modemgw.simulator import Faults, Settings, Simulator
from modemgw.sms import ConcatReferences, decode_pdu, encode_status_report
from modemgw.store import Store
from modemgw.store.errors import StoreUnavailable

FAST = Timeouts(command=2, prompt=2, submit=2, probe=0.3, sms_ready=5, reset=3)
QUICK = DispatchSettings(retry=RetryPolicy(first=0.05, maximum=0.2, attempts=4), unknown_window=0.5,
                         drain_after=2, drain_for=60, idle_wakeup=0.2)


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@contextlib.asynccontextmanager
async def gateway(tmp_path, database, *, sims=(("a", "generic"),), settings=QUICK, faults=None, limits=None,
                  clock=None, sim_settings=None):
    store = Store(database, default_webhook_url="http://127.0.0.1:9/hook")
    await store.open()
    simulators, modems = {}, []
    for name, profile in sims:
        sim = Simulator(str(tmp_path / f"tty{name}"), profile=profile,
                        settings=(sim_settings or {}).get(name, Settings(report_delay=0.05)),
                        faults=(faults or {}).get(name, Faults()))
        await sim.start()
        simulators[name] = sim
        modems.append(Modem(name, sim.path, timeouts=FAST, backoff=Backoff(0.05, 0.2)))
    dispatcher = Dispatcher(store, modems, settings=settings, limits=limits, clock=clock or time.time)
    for m in modems:
        m.handler = dispatcher.on_received
    await dispatcher.start()
    for m in modems:
        await m.start()
    for m in modems:
        await m.wait_for(ModemState.READY, timeout=10)
    try:
        yield store, dispatcher, simulators
    finally:
        await dispatcher.stop()
        for m in modems:
            await m.stop()
        for sim in simulators.values():
            await sim.stop()
        await store.close()


async def accept(store, dispatcher, to, text, references=None, **kw):
    message = compose(to, text, sender=None, references=references or ConcatReferences(),
                      now=time.time(), **kw)
    created = await store.create_messages([message], api_key_id=None)
    dispatcher.notify()
    return created.messages[0]["id"]


async def until(predicate, timeout=10.0, interval=0.02):
    """Poll the database-backed state (the store has no change feed for tests)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(interval)


async def status_of(store, mid):
    return (await store.get_message(mid))["status"]


async def test_long_message_sent_and_delivered(tmp_path, database):
    text = "Grüße aus Köln! 😀 " * 12
    async with gateway(tmp_path, database) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230002", text)
        await until(lambda: _is(store, mid, "delivered"))
        assert sims["a"].handset("+15551230002") == [text]
        m = await store.get_message(mid)
        assert m["segments"] == len(m["parts"]) > 1
        assert all(p["status"] == "delivered" and p["report_status"] == 0 and p["modem"] == "a"
                   for p in m["parts"])
        assert m["delivered_at"] and m["sent_at"]
        events = [w["event"] for w in reversed(await store.webhook_deliveries())]
        assert events == ["message.sent", "message.delivered"]


async def _passes_beyond(dispatcher, seen):
    return dispatcher.passes > seen


async def _is(store, mid, status):
    return await status_of(store, mid) == status


async def test_parts_of_a_message_stay_on_one_modem_and_load_spreads(tmp_path, database):
    async with gateway(tmp_path, database, sims=(("a", "generic"), ("b", "sim800"))) as (store, dispatcher, sims):
        refs = ConcatReferences()
        ids = [await accept(store, dispatcher, f"+1555123{i:04d}", "x" * 400, refs) for i in range(6)]
        for mid in ids:
            await until(lambda mid=mid: _is(store, mid, "delivered"))
        used = set()
        for mid in ids:
            m = await store.get_message(mid)
            modems = {p["modem"] for p in m["parts"]}
            assert len(modems) == 1
            used |= modems
        assert used == {"a", "b"}


async def test_temporary_errors_move_to_another_modem(tmp_path, database):
    faults = {"a": Faults(fail_every=1, fail_code=512)}  # modem a always fails, temporarily
    async with gateway(tmp_path, database, sims=(("a", "generic"), ("b", "generic")), faults=faults) as (
            store, dispatcher, sims):
        ids = [await accept(store, dispatcher, f"+1555000{i:04d}", "hello") for i in range(4)]
        for mid in ids:
            await until(lambda mid=mid: _is(store, mid, "delivered"))
        for mid in ids:
            assert {p["modem"] for p in (await store.get_message(mid))["parts"]} == {"b"}
        assert dispatcher.modems()[0]["drained"] is True


async def test_permanent_error_fails_with_reason(tmp_path, database):
    faults = {"a": Faults(cms_error_destinations={"+15559990000": 21})}
    async with gateway(tmp_path, database, faults=faults) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15559990000", "x" * 300)
        await until(lambda: _is(store, mid, "failed"))
        m = await store.get_message(mid)
        assert "21" in m["error"] and "rejected" in m["error"].lower()
        assert [p["status"] for p in m["parts"]] == ["failed", "failed"]
        assert m["parts"][0]["attempts"] == 1           # not retried
        assert sims["a"].handset("+15559990000") == []
        assert (await store.webhook_deliveries())[0]["event"] == "message.failed"


async def test_failed_report_fails_the_message(tmp_path, database):
    settings = {"a": Settings(report_delay=0.05, report_status=0x43)}
    async with gateway(tmp_path, database, sim_settings=settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230003", "anyone there?")
        await until(lambda: _is(store, mid, "failed"))
        m = await store.get_message(mid)
        assert m["error"] == "not obtainable" and m["parts"][0]["report_status"] == 0x43


async def test_a_part_reported_undelivered_stops_the_rest_of_its_message(tmp_path, database):
    # Part 1's report (not obtainable) comes back while part 2 is being submitted (the
    # modem prints it at once, not after the answer): part 3, still queued, would only be a
    # fragment on the handset.
    settings = {"a": Settings(latency=1.0, report_delay=0.05, report_status=0x43)}
    faults = {"a": Faults(urcs_mid_response=True)}
    async with gateway(tmp_path, database, sim_settings=settings, faults=faults) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230013", "x" * 400)   # three parts
        await until(lambda: _is(store, mid, "failed"))
        await until(lambda: _no_part_in_flight(store, mid))
        m = await store.get_message(mid)
        assert [p["status"] for p in m["parts"]][2] == "failed"
        assert sims["a"].counters["submitted"] == 2


async def _no_part_in_flight(store, mid):
    return all(p["status"] not in ("sending", "queued") for p in (await store.get_message(mid))["parts"])


async def test_intermediate_report_keeps_waiting(tmp_path, database):
    settings = {"a": Settings(report_delay=0.05, intermediate_status=0x30)}
    async with gateway(tmp_path, database, sim_settings=settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230004", "phone switched off")
        await until(lambda: _is(store, mid, "delivered"))
        reports = await _events(store, mid, "part.report")
        assert [r["status"] for r in reports] == [0x30, 0x00]


async def _events(store, mid, kind):
    import json
    rows = await store._fetchall("SELECT data FROM events WHERE message_id = ? AND type = ? ORDER BY cursor",
                                 (mid, kind))
    return [json.loads(r["data"]) for r in rows]


async def test_scheduled_message_waits(tmp_path, database):
    clock = Clock()
    async with gateway(tmp_path, database, clock=clock) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230005", "later", scheduled_at=time.time() + 3600)
        seen = dispatcher.passes
        for _ in range(3):
            dispatcher.notify()
            await until(lambda: _passes_beyond(dispatcher, seen))
            seen = dispatcher.passes
        assert await status_of(store, mid) == "queued" and sims["a"].handset("+15551230005") == []
        clock.offset = 3601
        dispatcher.notify()
        await until(lambda: _is(store, mid, "delivered"))


async def test_inbound_long_message_stored_with_raw_pdus(tmp_path, database):
    text = "Ответ: да, завтра в 10:00 подходит. 👍 " * 4
    async with gateway(tmp_path, database) as (store, dispatcher, sims):
        parts = sims["a"].inject_sms("+4479000001", text)
        rows = await until(lambda: store.list_inbound())
        assert rows[0]["text"] == text and rows[0]["complete"] == 1 and rows[0]["parts"] == len(parts)
        assert rows[0]["modem"] == "a" and rows[0]["from_number"] == "+4479000001"
        kept = await store._fetchall("SELECT kind, inbound_id FROM received_pdus")
        assert len(kept) == len(parts) and all(k["inbound_id"] == rows[0]["id"] for k in kept)


async def test_garbage_pdu_is_kept_not_fatal(tmp_path, database):
    async with gateway(tmp_path, database) as (store, dispatcher, sims):
        await dispatcher.on_received(ReceivedPdu("a", "07FFFF", None, None, "PDU ends early"))
        kept = await store._fetchall("SELECT pdu, kind, error FROM received_pdus")
        assert kept == [{"pdu": "07FFFF", "kind": "undecodable", "error": "PDU ends early"}]
        mid = await accept(store, dispatcher, "+15551230007", "still working")
        await until(lambda: _is(store, mid, "delivered"))


async def test_crash_while_sending_is_reconciled_not_resent(tmp_path, database):
    store = Store(database)
    await store.open()
    message = compose("+15551230008", "in doubt", sender=None, references=ConcatReferences(), now=time.time())
    mid = (await store.create_messages([message], api_key_id=None)).messages[0]["id"]
    await store.mark_sending(mid, 1, "a")   # then the process died
    await store.close()
    async with gateway(tmp_path, database) as (store, dispatcher, sims):
        m = await store.get_message(mid)
        assert m["parts"][0]["status"] == "unknown" and m["status"] == "sent"
        # at_most_once: after the window the message is settled, and the client told why.
        await until(lambda: _is(store, mid, "failed"))
        m = await store.get_message(mid)
        assert m["error"].startswith("delivery unconfirmed") and "at_most_once" in m["error"]
        assert sims["a"].handset("+15551230008") == []            # never blindly sent again
        events = [w["event"] for w in reversed(await store.webhook_deliveries())]
        assert events == ["message.sent", "message.failed"]


async def test_crash_while_sending_at_least_once_is_resent(tmp_path, database):
    store = Store(database)
    await store.open()
    message = compose("+15551230009", "must arrive", sender=None, references=ConcatReferences(),
                      now=time.time(), policy="at_least_once")
    mid = (await store.create_messages([message], api_key_id=None)).messages[0]["id"]
    await store.mark_sending(mid, 1, "a")
    await store.close()
    async with gateway(tmp_path, database) as (store, dispatcher, sims):
        await until(lambda: _is(store, mid, "delivered"))
        assert sims["a"].handset("+15551230009") == ["must arrive"]


async def test_accepted_message_is_durable_on_disk(tmp_path, database):
    async with gateway(tmp_path, database, limits={"a": ModemLimits(per_day=0)}) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230010", "durable")
        # A second, independent store (its own connections) sees the committed row at once.
        other = Store(database)
        await other.open()
        try:
            assert (await other.get_message(mid))["status"] == "queued"
        finally:
            await other.close()


async def accept_in_flight(store, dispatcher, sim, text):
    """A message accepted and its part handed to modem "a", whose answer is still to come."""
    mid = await accept(store, dispatcher, "+15551230001", text)
    slot = dispatcher.slots["a"]

    async def in_flight():
        return slot.in_flight is not None and sim.transcript.commands()[-1].startswith("AT+CMGS")
    await until(in_flight)
    return mid


async def test_report_that_overtakes_its_submit_is_kept_at_once_and_applied_after_it(tmp_path, database):
    # A fast SC can report before the gateway has recorded the +CMGS answer. The report
    # is committed and the handler returns (so the modem gets its AT+CNMA) without
    # waiting for the submit; it is applied to the part once that is recorded.
    sim_settings = {"a": Settings(latency=1.0, report_delay=3600, first_message_reference=77)}
    async with gateway(tmp_path, database, sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept_in_flight(store, dispatcher, sims["a"], "overtaken")
        slot = dispatcher.slots["a"]
        now = datetime.now(timezone.utc)
        pdu = encode_status_report(77, "+15551230001", timestamp=now, discharge_time=now)
        report = decode_pdu(pdu.hex, pdu.tpdu_length)
        await dispatcher.on_received(ReceivedPdu("a", pdu.hex, pdu.tpdu_length, report))
        assert slot.in_flight == (mid, 1)            # returned while the part is still out
        assert await status_of(store, mid) == "queued"
        await until(lambda: _is(store, mid, "delivered"))
        part = (await store.get_message(mid))["parts"][0]
        assert (part["mr"], part["report_status"]) == (77, 0)
        assert await store.pending_reports() == []


async def test_a_kept_report_the_database_was_away_for_is_applied_once_it_answers(tmp_path, database):
    # The report overtakes its submit (as above), and when it is to be applied the database
    # cannot be reached: a later dispatcher pass applies it, without waiting for a restart.
    sim_settings = {"a": Settings(latency=0.3, report_delay=3600, first_message_reference=78)}
    async with gateway(tmp_path, database, sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept_in_flight(store, dispatcher, sims["a"], "kept while away")
        candidates, away = store.report_candidates, asyncio.Event()
        tried_while_away = []

        async def unreachable(*args, **kwargs):
            if not away.is_set():
                tried_while_away.append(args)
                raise StoreUnavailable("the database is restarting")
            return await candidates(*args, **kwargs)
        store.report_candidates = unreachable
        now = datetime.now(timezone.utc)
        pdu = encode_status_report(78, "+15551230001", timestamp=now, discharge_time=now)
        await dispatcher.on_received(ReceivedPdu("a", pdu.hex, pdu.tpdu_length,
                                                 decode_pdu(pdu.hex, pdu.tpdu_length)))
        await until(lambda: _true(len(tried_while_away) >= 2))   # the report's own try, then a pass
        assert await status_of(store, mid) == "sent"
        away.set()
        await until(lambda: _is(store, mid, "delivered"))
        assert await store.pending_reports() == []


async def _true(value):
    return value
