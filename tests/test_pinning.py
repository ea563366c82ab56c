"""Pinning a message to one modem, one SIM or one node: by the client (`via`) or by a
`[[route]]` rule. A pinned message goes through that carrier only, and waits for it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import aiohttp
import pytest

from modemgw.config import ConfigError, SimulatorConfig, parse
from modemgw.dispatch.compose import compose
from modemgw.dispatch.routing import Pin, carriers, iccid, pinned, serves, via
from modemgw.service import Gateway
from modemgw.sms import ConcatReferences
from modemgw.store import Store
from test_gateway_e2e import ready

SIMS = (SimulatorConfig("sim-a", report_delay=0.05), SimulatorConfig("sim-b", profile="ec25", report_delay=0.05),
        SimulatorConfig("sim-c", profile="sim800", report_delay=0.05))


# -- the rules, pure ------------------------------------------------------------------

def test_the_first_matching_route_pins_and_every_condition_must_hold():
    pins = [Pin("modem:uk", prefixes=("+44",), keys=("ops",)), Pin("node:pi-b", senders=("ACME",)),
            Pin("sim:8999948970140454988")]
    assert pinned(pins, "+447911", None, "ops") == "modem:uk"
    assert pinned(pins, "+447911", "ACME", "shop") == "node:pi-b"      # the first needs the key too
    assert pinned(pins, "+1555", None, None) == "sim:8999948970140454988"
    assert pinned(pins[:2], "+1555", None, "ops") is None


def test_a_sim_is_found_with_or_without_its_padding():
    # Quectel's AT+QCCID shows a 19-digit ICCID with the SIM's F nibble (hardware-notes.md).
    assert iccid("8999948970140454988F") == iccid("8999948970140454988f ") == "8999948970140454988"
    assert via("sim", "8999948970140454988F") == "sim:8999948970140454988"
    sims = {"a": "8999984796364261758", "b": "8999948970140454988F", "c": None}
    assert serves("n1", sims) == ["node:n1", "modem:a", "modem:b", "modem:c",
                                  "sim:8999984796364261758", "sim:8999948970140454988"]
    assert carriers("sim:8999948970140454988", sims) == ["b"]
    assert carriers("modem:c", sims) == ["c"] and carriers("modem:z", sims) == []
    assert carriers("node:n1", sims) == carriers(None, sims) == ["a", "b", "c"]


def test_route_entries_are_checked():
    config = parse('[[route]]\nto = ["+44"]\nkeys = ["ops"]\nsim = "8999948970140454988F"\n'
                   '[[route]]\nfrom = ["ACME"]\nnode = "pi-b"\n')
    assert config.pins == (Pin("sim:8999948970140454988", prefixes=("+44",), keys=("ops",)),
                           Pin("node:pi-b", senders=("ACME",)))
    for text, wanted in (('[[route]]\nto = ["+44"]\n', "route[0]: give exactly one of modem, sim or node"),
                         ('[[route]]\nmodem = "a"\nnode = "b"\n', "exactly one"),
                         ('[[route]]\nsim = "1234"\n', "route[0].sim: an ICCID"),
                         ('[[route]]\nto = "+44"\nmodem = "a"\n', "route[0].to: must be a non-empty list"),
                         ('[[route]]\nnode = "a b"\n', "route[0].node"),
                         ('[[route]]\nvia = "a"\n', "route[0].via: unknown key")):
        with pytest.raises(ConfigError, match=wanted.replace("[", r"\[").replace("]", r"\]")):
            parse(text)


# -- the store: a node claims only what it can carry ----------------------------------------

async def test_due_parts_leave_out_messages_pinned_elsewhere(database):
    store = Store(database)
    await store.open()
    try:
        refs, now = ConcatReferences(), time.time()
        ids = {}
        for name, pin in (("free", None), ("mine", "modem:m1"), ("my-sim", "sim:8999984796364261758"),
                          ("my-node", "node:here"), ("theirs", "node:there"), ("their-modem", "modem:m9")):
            created = await store.create_messages(
                [compose("+15550100001", name, sender=None, references=refs, now=now, via=pin)], api_key_id=None)
            ids[created.messages[0]["id"]] = name
        vias = serves("here", {"m1": "8999984796364261758F", "m2": None})
        claimed = await store.claim_due(now + 1, limit=50, modems=["m1", "m2"], vias=vias)
        assert sorted(ids[p.message_id] for p in claimed) == ["free", "mine", "my-node", "my-sim"]
        assert {ids[p.message_id]: p.via for p in claimed}["my-sim"] == "sim:8999984796364261758"
        elsewhere = await store.claim_due(now + 1, limit=50, modems=["m9"], vias=serves("there", {"m9": None}))
        assert "theirs" in {ids[p.message_id] for p in elsewhere}
        assert "their-modem" in {ids[p.message_id] for p in elsewhere}
    finally:
        await store.close()


async def test_what_a_node_cannot_carry_sets_neither_its_claims_nor_its_next_due_time(database):
    store = Store(database)
    await store.open()
    try:
        refs, now = ConcatReferences(), time.time()
        for pin in ("modem:away", "node:there"):
            await store.create_messages([compose("+15550100002", pin, sender=None, references=refs, now=now,
                                                 via=pin)], api_key_id=None)
        mine = serves("here", {"m1": None})
        assert await store.next_due_time() is not None
        assert await store.next_due_time(vias=mine) is None       # the dispatcher sleeps, not spins
        assert await store.claim_due(now + 1, modems=["m1"], vias=mine) == []
        # A message tied to another modem (its first part went out there) is not claimed either.
        tied = await store.create_messages([compose("+15550100003", "t" * 300, sender=None, references=refs,
                                                    now=now)], api_key_id=None)
        mid = tied.messages[0]["id"]
        assert await store.mark_sending(mid, 1, "m2")
        assert await store.claim_due(now + 1, modems=["m1"], vias=mine) == []
        assert [p.seq for p in await store.claim_due(now + 1, modems=["m2"], vias=mine)] == [2]
    finally:
        await store.close()


# -- the gateway ------------------------------------------------------------------------

async def _gateway(database, text: str = ""):
    config = replace(parse(text), listen_port=0, database=database, simulators=SIMS, node_name="pi-a")
    gateway = Gateway(config)
    await gateway.start()
    return gateway


async def _delivered(http: aiohttp.ClientSession, ids: list[str], timeout: float = 20.0) -> dict[str, dict]:
    """Each message once delivered, with its parts."""
    out: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    while len(out) < len(ids):
        for mid in ids:
            async with http.get(f"/v1/messages/{mid}") as resp:
                got = await resp.json()
            if got["status"] == "delivered":
                out[mid] = got
        assert time.monotonic() < deadline, [m for m in ids if m not in out]
        await asyncio.sleep(0.05)
    return out


async def _sims(http: aiohttp.ClientSession) -> dict[str, str]:
    """Each modem's ICCID, once every modem has read its own (/readyz answers once one
    modem is ready; the others may still be in their set-up)."""
    async with asyncio.timeout(20):
        while True:
            async with http.get("/v1/modems") as resp:
                sims = {m["name"]: m["iccid"] for m in (await resp.json())["data"]}
            if all(sims.values()):
                return sims
            await asyncio.sleep(0.05)


async def test_a_message_pinned_by_the_client_goes_only_through_its_carrier(database):
    gateway = await _gateway(database)
    try:
        _, key = await gateway.store.create_key("pins")
        async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
            await ready(http)
            sims = await _sims(http)
            assert sims["sim-b"].endswith("F")          # the EC25 shows the padding ...
            unpadded = sims["sim-b"][:-1]               # ... and the client may leave it out
            asked = [({"modem": "sim-c"}, "sim-c")] * 4 + [({"sim": unpadded}, "sim-b")] * 4 + \
                    [({"node": "pi-a"}, None)] * 2
            ids, wanted = [], {}
            for i, (pin, modem) in enumerate(asked):
                async with http.post("/v1/messages", json={"to": f"+155501{i:05d}", "text": "p" * 200,
                                                            "via": pin}) as resp:
                    body = await resp.json()
                assert resp.status == 200, body
                assert body["via"] == ({"sim": unpadded} if "sim" in pin else pin)
                ids.append(body["id"])
                wanted[body["id"]] = modem
            done = await _delivered(http, ids)
            for mid, modem in wanted.items():
                used = {p["modem"] for p in done[mid]["parts"]}
                assert len(used) == 1 and (modem is None or used == {modem}), (mid, used, modem)
                assert done[mid]["via"] is not None

            for pin, field in (({"modem": "sim-z"}, "via.modem"), ({"node": "pi-z"}, "via.node"),
                               ({"modem": "sim-a", "node": "pi-a"}, "via"), ("sim-a", "via"),
                               ({"sim": "12345"}, "via.sim"), ({"port": "x"}, "via")):
                async with http.post("/v1/messages", json={"to": "+15550100001", "text": "x", "via": pin}) as resp:
                    body = await resp.json()
                assert resp.status == 400 and body["error"]["field"] == field, (pin, body)
            # The same Idempotency-Key with another carrier is another request.
            headers = {"Idempotency-Key": "pin-1"}
            for pin, status in (({"modem": "sim-a"}, 200), ({"modem": "sim-a"}, 200), ({"modem": "sim-b"}, 400),
                                (None, 400)):
                async with http.post("/v1/messages", headers=headers,
                                     json={"to": "+15550100002", "text": "x", "via": pin}) as resp:
                    assert resp.status == status, await resp.text()
    finally:
        await gateway.stop()


async def test_a_route_pins_by_key_and_prefix_and_a_message_waits_for_its_carrier(database):
    gateway = await _gateway(database, '[[route]]\nkeys = ["ops"]\nto = ["+1555"]\nmodem = "sim-b"\n'
                                       '[[route]]\nto = ["+4420"]\nnode = "pi-b"\n')
    try:
        _, ops = await gateway.store.create_key("ops")
        _, shop = await gateway.store.create_key("shop")
        async with aiohttp.ClientSession(gateway.url) as http:
            await ready(http)
            sent: dict[str, list[str]] = {"ops": [], "shop": []}
            for name, key in (("ops", ops), ("shop", shop)):
                for i in range(4):
                    async with http.post("/v1/messages", headers={"Authorization": f"Bearer {key}"},
                                         json={"to": f"+155502{i:05d}", "text": "r" * 200}) as resp:
                        sent[name].append((await resp.json())["id"])
            # pi-b is not running: its message waits, and holds nothing else up.
            async with http.post("/v1/messages", headers={"Authorization": f"Bearer {shop}"},
                                 json={"to": "+442079460000", "text": "for pi-b"}) as resp:
                waiting = await resp.json()
            assert waiting["via"] == {"node": "pi-b"}
            http.headers["Authorization"] = f"Bearer {ops}"
            done = await _delivered(http, sent["ops"])
            assert all({p["modem"] for p in m["parts"]} == {"sim-b"} for m in done.values())
            assert all(m["via"] == {"modem": "sim-b"} for m in done.values())
            http.headers["Authorization"] = f"Bearer {shop}"
            done = await _delivered(http, sent["shop"])
            assert all(m["via"] is None for m in done.values())
            async with http.get(f"/v1/messages/{waiting['id']}") as resp:
                assert (await resp.json())["status"] == "queued"
            assert not any(sim.handset("+442079460000") for sim in gateway.simulators.values())
            async with http.delete(f"/v1/messages/{waiting['id']}") as resp:
                assert (await resp.json())["status"] == "cancelled"
    finally:
        await gateway.stop()


async def test_messages_waiting_for_a_capped_modem_hold_up_no_other(database):
    # More messages pinned to a modem at its daily cap than a claim takes: the parts
    # others can send are still reached (before, the pinned ones filled every claim).
    sims = (replace(SIMS[0], per_day=1), SIMS[1])
    config = replace(parse(""), listen_port=0, database=database, simulators=sims, node_name="pi-a")
    gateway = Gateway(config)
    await gateway.start()
    try:
        _, key = await gateway.store.create_key("caps")
        async with aiohttp.ClientSession(gateway.url, headers={"Authorization": f"Bearer {key}"}) as http:
            await ready(http)
            pinned = []
            for i in range(60):
                async with http.post("/v1/messages", json={"to": f"+155503{i:05d}", "text": "capped",
                                                            "via": {"modem": "sim-a"}}) as resp:
                    pinned.append((await resp.json())["id"])
            async with http.post("/v1/messages", json={"to": "+15550399999", "text": "free"}) as resp:
                free = (await resp.json())["id"]
            done = await _delivered(http, [free], timeout=15)
            assert {p["modem"] for p in done[free]["parts"]} == {"sim-b"}
            statuses = []
            for mid in pinned:
                async with http.get(f"/v1/messages/{mid}") as resp:
                    statuses.append((await resp.json())["status"])
            assert statuses.count("queued") >= 59          # sim-a sent at most its one part today
            assert not any(sim.handset(f"+155503{i:05d}") for sim in (gateway.simulators["sim-b"],) for i in range(60))
    finally:
        await gateway.stop()
