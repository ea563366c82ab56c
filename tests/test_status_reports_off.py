"""[sending] status_reports and [[modem]] status_reports: a part asks for a status report
(TP-SRR) only when its modem does; without one it ends at `sent`, which nothing expires,
and the unknown-part policy still applies. Store + dispatcher + real driver + simulated
modems on ptys."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from modemgw.config import ConfigError, parse
from modemgw.dispatch.compose import with_report_request
from modemgw.modem import ReceivedPdu
from modemgw.simulator import Settings
from modemgw.sms import PduError, decode_pdu, encode_status_report, encode_submit
from modemgw.sms.address import encode_smsc
from test_dispatch import QUICK, Clock, accept, gateway, status_of, until
from test_settling import _lose_the_answer

# The report window is short and looked at often, so that a part asking for a report
# would expire within the test (test_settling shows it does).
WINDOW = replace(QUICK, report_window=1.0, unreported_interval=0.05)
OFF = replace(WINDOW, status_reports=False)


async def _is(store, mid, status):
    return await status_of(store, mid) == status


def _written(sim):
    """The SMS-SUBMITs written to the simulated modem (AT+CMGS's PDU, before Ctrl-Z)."""
    pdus = [e.data.removesuffix("^Z") for e in sim.transcript.entries
            if e.kind == "pdu" and e.data.endswith("^Z")]
    return [decode_pdu(pdu) for pdu in pdus]


def _webhooks(events):
    return [w["event"] for w in reversed(events)]


async def _housekeeping_after(dispatcher):
    """Returns once the dispatcher has run two passes more: the second starts after the
    first has ended, so it reads the clock as it is now and (with WINDOW's intervals, far
    below any jump a test makes) runs every housekeeping step, report expiry included."""
    start = dispatcher.passes

    async def done():
        dispatcher.notify()
        return dispatcher.passes >= start + 2
    await until(done)


@pytest.mark.parametrize("settings, requested", [
    (WINDOW, True),                                                  # the default
    (OFF, False),
    (replace(WINDOW, modem_status_reports={"a": False}), False),     # [[modem]] overrides
    (replace(OFF, modem_status_reports={"a": True}), True),
])
async def test_the_pdu_asks_for_a_status_report_only_when_its_modem_does(tmp_path, database, settings, requested):
    text = "a long one, so that every part is checked " * 5
    async with gateway(tmp_path, database, settings=settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230301", text)
        await until(lambda: _is(store, mid, "delivered" if requested else "sent"))
        written = _written(sims["a"])
        assert len(written) == len((await store.get_message(mid))["parts"]) > 1
        assert [p.status_report_request for p in written] == [requested] * len(written)
        assert sims["a"].handset("+15551230301") == [text]           # the bit changes nothing else


async def test_without_a_report_request_a_message_stays_sent_past_the_report_window(tmp_path, database):
    clock = Clock()
    async with gateway(tmp_path, database, settings=OFF, clock=clock) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230302", "no report asked for")
        await until(lambda: _is(store, mid, "sent"))
        clock.offset = 10 * OFF.report_window                       # far past the window
        await _housekeeping_after(dispatcher)
        m = await store.get_message(mid)
        assert (m["status"], m["parts"][0]["status"], m["error"]) == ("sent", "sent", None)
        assert m["delivered_at"] is None
        assert sims["a"].counters["reports_generated"] == 0          # the network sent none
        assert dispatcher.slots["a"].modem.counters.reports == 0
        assert _webhooks(await store.webhook_deliveries()) == ["message.sent"]


async def test_with_reports_requested_the_same_wait_expires_the_message(tmp_path, database):
    """The control for the test above: the same clock jump and passes do expire a part
    that asked for a report which never came."""
    clock = Clock()
    sim_settings = {"a": Settings(report_delay=3600)}
    async with gateway(tmp_path, database, settings=replace(WINDOW, unreported_interval=3600), clock=clock,
                       sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230303", "a report asked for, none comes")
        await until(lambda: _is(store, mid, "sent"))
        clock.offset = 10 * 3600
        await _housekeeping_after(dispatcher)
        assert await status_of(store, mid) == "expired"


async def test_a_status_report_that_comes_anyway_still_delivers(tmp_path, database):
    """A part sent while reports were asked for, its report arriving after the switch
    (or a network that sends one unasked): it still matches."""
    sim_settings = {"a": Settings(report_delay=3600, first_message_reference=60)}
    async with gateway(tmp_path, database, settings=OFF, sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230304", "reported after all")
        await until(lambda: _is(store, mid, "sent"))
        now = datetime.now(timezone.utc).replace(microsecond=0)
        pdu = encode_status_report(60, "+15551230304", timestamp=now, discharge_time=now)
        await dispatcher.on_received(ReceivedPdu("a", pdu.hex, pdu.tpdu_length,
                                                 decode_pdu(pdu.hex, pdu.tpdu_length)))
        await until(lambda: _is(store, mid, "delivered"))


@pytest.mark.parametrize("policy, status, reason, copies", [
    ("at_most_once", "failed", "delivery unconfirmed: no answer from the modem", (0, 1)),
    ("at_least_once", "sent", None, (1, 2)),
])
async def test_the_unknown_part_policy_applies_without_report_requests(tmp_path, database, policy, status,
                                                                       reason, copies):
    """A part whose +CMGS answer was lost is in doubt about the submission, not about a
    report: after unknown_window it follows its policy as when reports are asked for.
    at_least_once sends it again, and the copy that goes out ends at `sent`."""
    sim_settings = {"a": Settings(latency=1.0)}
    async with gateway(tmp_path, database, settings=OFF, sim_settings=sim_settings) as (store, dispatcher, sims):
        mid = await accept(store, dispatcher, "+15551230305", "lost with the port", policy=policy)
        await _lose_the_answer(sims["a"], dispatcher.slots["a"].modem)
        await until(lambda: _settled(store, mid, status))
        m = await store.get_message(mid)
        if reason is None:
            assert m["error"] is None and m["parts"][0]["attempts"] == 2
        else:
            assert m["error"].startswith(reason)
            assert "no status report requested" in m["error"] and policy in m["error"]
        assert copies[0] <= len(sims["a"].handset("+15551230305")) <= copies[1]
        assert all(not p.status_report_request for p in _written(sims["a"]))
        assert sims["a"].counters["reports_generated"] == 0


async def _settled(store, mid, status):
    m = await store.get_message(mid)
    return m["status"] == status and m["parts"][0]["status"] == status


def test_with_report_request_flips_tp_srr_only():
    for smsc in (None, "+447785016005"):
        for part in encode_submit("+15551230306", "Grüße 😀 " * 20, reference=7, validity=3600):
            pdu = part.hex if smsc is None else _with_smsc(part.hex, smsc)
            cleared = with_report_request(pdu, False)
            assert len(cleared) == len(pdu) and with_report_request(cleared, True) == pdu
            before, after = decode_pdu(pdu, part.tpdu_length), decode_pdu(cleared, part.tpdu_length)
            assert (before.status_report_request, after.status_report_request) == (True, False)
            assert replace(after, status_report_request=True) == before
            assert with_report_request(pdu, True) is pdu                 # already asks: unchanged
    with pytest.raises(PduError):
        with_report_request("0006400B914497000010F0621122901530006211229015300000", False)  # a report
    with pytest.raises(PduError):
        with_report_request("zz", False)


def _with_smsc(pdu: str, number: str) -> str:
    return encode_smsc(number).hex().upper() + pdu[2:]


def test_status_reports_is_configured_for_the_gateway_and_per_modem():
    config = parse('[sending]\nstatus_reports = false\n'
                   '[[modem]]\nname = "a"\nport = "/dev/ttyUSB0"\nstatus_reports = true\n'
                   '[[modem]]\nname = "b"\nport = "/dev/ttyUSB1"\n')
    assert config.status_reports is False
    assert [m.status_reports for m in config.modems] == [True, None]   # None: the gateway's
    assert parse("").status_reports is True
    with pytest.raises(ConfigError, match=r"sending.status_reports: expected true or false"):
        parse('[sending]\nstatus_reports = "no"\n')
    with pytest.raises(ConfigError, match=r"modem\[0\].status_reports: expected true or false"):
        parse('[[modem]]\nname = "a"\nport = "/dev/ttyUSB0"\nstatus_reports = 0\n')


async def test_modems_with_and_without_reports_share_a_gateway(tmp_path, database):
    """A part that asked for a report expires when none comes within the window; one sent
    through a modem that asks for none stays `sent` after the same wait."""
    clock = Clock()
    settings = replace(WINDOW, modem_status_reports={"b": False})
    sim_settings = {"a": Settings(report_delay=3600), "b": Settings(report_delay=3600)}
    async with gateway(tmp_path, database, sims=(("a", "generic"), ("b", "generic")), settings=settings,
                       clock=clock, sim_settings=sim_settings) as (store, dispatcher, sims):
        mids = [await accept(store, dispatcher, f"+155512304{n:02d}", f"message {n}") for n in range(6)]
        for mid in mids:
            await until(lambda mid=mid: _is(store, mid, "sent"))
        by_modem = {mid: (await store.get_message(mid))["modem"] for mid in mids}
        assert set(by_modem.values()) == {"a", "b"}          # both modems took some
        clock.offset = 10 * WINDOW.report_window
        await _housekeeping_after(dispatcher)
        expected = {mid: "expired" if modem == "a" else "sent" for mid, modem in by_modem.items()}
        assert {mid: await status_of(store, mid) for mid in mids} == expected
