"""Three `modemgw serve` nodes, two simulated modems each, on one PostgreSQL database
(docs/scale-out.md): what any node accepts is sent exactly once across the cluster; a
node killed with -9 under load loses nothing, and its queue drains through the others
once its lease runs out; the database restarted under load is survived without
restarting any node. And, on the store alone: what nodes claiming or starting at the same
time must not do.

The modems are simulators in this process (tests/cluster.py), so the network's side of
every part can be counted however many nodes took part.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter

import aiohttp

import pgserver
from cluster import FINAL, Cluster, Hooks, Load, markers
from modemgw.dispatch.compose import compose
from modemgw.sms import ConcatReferences
from modemgw.store import Store
from reliability.poll import until

MESSAGES = 240                 # the exactly-once test's: 300 parts (every fourth message has two)
LEASE = 3                      # the kill -9 test's [store] lease_seconds (the least allowed)


def network_duplicates(cluster: Cluster, load: Load) -> dict[str, int]:
    """Parts the network was handed more than once, by marker."""
    submitted = cluster.submitted()
    return {m: submitted[m] for n in load.accepted for m in markers(n) if submitted[m] > 1}


async def test_a_node_does_not_claim_a_part_whose_sibling_another_live_node_holds():
    # All parts of a message go through one modem (the handset joins them by sender): a
    # node that claimed part 1 holds the message, and another node claiming next must not
    # take part 2 (before this, it did, and the two parts went out through two SIMs).
    url = pgserver.server().database()
    a, b = Store(url), Store(url)
    for node, store in (("a", a), ("b", b)):
        await store.open()
        await store.register_node(node, [f"{node}-m0"], lease=30)
    try:
        composed = compose("+15550100002", "y" * 400, sender=None, references=ConcatReferences(),
                           now=time.time())
        mid = (await a.create_messages([composed], api_key_id=None)).messages[0]["id"]
        now = time.time() + 1
        assert [(p.message_id, p.seq) for p in await a.claim_due(now, limit=1, modems=["a-m0"])] == [(mid, 1)]
        assert await b.claim_due(now, limit=10, modems=["b-m0"]) == []
        # Its holder takes the rest; once it lets the message go, another node may take it all.
        assert [p.seq for p in await a.claim_due(now, limit=10, modems=["a-m0"])] == [1, 2, 3]
        await a.release_claims()
        assert [p.seq for p in await b.claim_due(now, limit=10, modems=["b-m0"])] == [1, 2, 3]
    finally:
        await a.close()
        await b.close()


async def test_nodes_starting_together_keep_one_default_webhook_secret():
    # Each node makes sure of the secret that signs inbound webhooks as it starts; nodes
    # started at once each found none, and all but the first failed to start (unique key).
    url = pgserver.server().database()
    stores = [Store(url) for _ in range(4)]
    for store in stores:
        await store.open()
    try:
        secrets = await asyncio.gather(*(store.ensure_default_secret() for store in stores))
        assert len(set(secrets)) == 1 and secrets[0] == await stores[0].webhook_secret(None)
    finally:
        for store in stores:
            await store.close()


async def test_messages_posted_to_any_node_are_sent_exactly_once_across_the_cluster(tmp_path):
    # One SIM with a daily cap: its node never hands it more, and a message begun on it
    # waits for the next day rather than go on through another SIM (docs/configuration.md).
    cap = 12
    cluster = Cluster(tmp_path, pgserver.server().database(), modem_keys={"n2-m1": {"per_day": cap}})
    hooks = Hooks()
    await hooks.start()

    def waiting_for_cap(parts: list[dict]) -> set[str]:
        """Messages with parts left queued for the capped SIM, which sent the others."""
        return {p["message_id"] for p in parts if p["status"] == "queued" and p["pinned"] == "n2-m1"}

    def settled() -> bool:
        return cluster.statuses()["delivered"] + len(waiting_for_cap(cluster.parts())) == MESSAGES

    try:
        await cluster.start()
        load = Load(cluster.key, cluster.nodes, callback_url=hooks.url)
        load.limit = MESSAGES
        async with aiohttp.ClientSession() as http:
            await asyncio.gather(*load.start(http, workers=6))
            assert load.answers == {"200": MESSAGES}, load.answers
            await until(settled, timeout=60, interval=0.2, what="every message delivered",
                        explain=lambda: (cluster.statuses(), [p for p in cluster.parts()
                                                              if p["status"] != "delivered"][:10]))
            parts = cluster.parts()
            waiting = waiting_for_cap(parts)
            delivered = MESSAGES - len(waiting)
            # Two webhooks per delivered message (sent, delivered): wait for them.
            await until(lambda: hooks.count >= 2 * delivered, timeout=20, what="every webhook",
                        explain=lambda: hooks.count)

            # Any node reads any message, and all three read the same.
            for n, mid in sorted(load.accepted.items())[::8]:
                seen = []
                for node in cluster.nodes:
                    async with http.get(f"{node.url}/v1/messages/{mid}",
                                        headers={"Authorization": f"Bearer {cluster.key}"}) as resp:
                        assert resp.status == 200, (node.name, mid, await resp.text())
                        seen.append(await resp.json())
                assert len(seen[0]["parts"]) == len(markers(n))
                assert seen[0]["status"] == ("queued" if mid in waiting else "delivered"), seen[0]
                assert seen[1] == seen[0] and seen[2] == seen[0], (mid, seen)

        assert len(parts) == sum(len(markers(n)) for n in load.accepted)
        assert {p["message_id"] for p in parts} == set(load.accepted.values())
        assert Counter(p["idempotency_key"] for p in parts if p["seq"] == 1) == \
            {f"c-{n}": 1 for n in load.accepted}
        # Each part handed to a modem once, and the network got it once (the parts waiting
        # for the capped SIM: not at all).
        sent = [p for p in parts if p["status"] != "queued"]
        assert [p for p in sent if p["status"] != "delivered" or p["attempts"] != 1 or p["resent"]] == []
        assert all(p["message_id"] in waiting and p["attempts"] == 0 for p in parts if p["status"] == "queued")
        assert network_duplicates(cluster, load) == {}
        submitted = cluster.submitted()
        by_marker = {m: p for n, mid in load.accepted.items() for m, p in zip(
            markers(n), sorted((p for p in parts if p["message_id"] == mid), key=lambda p: p["seq"]))}
        assert {m: submitted[m] for m, p in by_marker.items()
                if submitted[m] != (0 if p["status"] == "queued" else 1)} == {}
        # The work was shared: every node's modems sent parts (and so more than one node's).
        by_node = Counter(cluster.node_of(p["modem"]) for p in sent)
        assert set(by_node) == {"n1", "n2", "n3"}, by_node
        # A message's parts went through one modem (the handset joins them by sender).
        split = [[(p["message_id"], p["seq"], p["modem"]) for p in sent if p["message_id"] == mid]
                 for mid in sorted({p["message_id"] for p in sent})
                 if len({p["modem"] for p in sent if p["message_id"] == mid}) > 1]
        assert split == []
        # The capped SIM: up to its cap and not one part more, in the parts and in its day's count.
        assert Counter(p["modem"] for p in sent)["n2-m1"] == cap
        assert cluster.query("SELECT sent FROM modem_days WHERE modem = 'n2-m1'") == [{"sent": cap}]

        # Webhooks: one delivery per message and event, by whichever node made it, in order.
        with contextlib.suppress(AssertionError):
            await until(lambda: hooks.count > 2 * delivered, timeout=1.5, what="an extra webhook")
        assert hooks.count == 2 * delivered
        assert {mid: evs for mid, evs in hooks.events.items()
                if evs != ["message.sent", "message.delivered"]} == {}
        assert set(hooks.events) == set(load.accepted.values()) - waiting
        assert max(hooks.event_ids.values()) == 1
        outbox = cluster.query("SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status")
        assert outbox == [{"status": "delivered", "n": 2 * delivered}], outbox
        for node in cluster.nodes:
            assert "Traceback" not in node.serve.output(), node.serve.output()[-4000:]
        hooks_by_node = {r["claimed_by"]: r["n"] for r in cluster.query(
            "SELECT claimed_by, COUNT(*) AS n FROM webhook_deliveries GROUP BY claimed_by")}
        print(f"exactly once: {MESSAGES} messages, {len(sent)} parts sent, by node {dict(by_node)}, "
              f"{len(waiting)} waiting for the capped SIM; webhooks by node {hooks_by_node}")
    finally:
        await cluster.stop()
        await hooks.stop()


async def test_a_node_killed_under_load_loses_nothing_and_its_queue_drains_through_the_others(tmp_path):
    # A short lease and unknown window keep the test short; the default policy
    # (at_most_once) settles the parts the dead node was writing as "unconfirmed".
    cluster = Cluster(tmp_path, pgserver.server().database(),
                      sections={"store": {"lease_seconds": LEASE}, "sending": {"unknown_window": 2}})
    try:
        await cluster.start()
        n1, n2, n3 = cluster.nodes

        def held_by_n3() -> dict[str, list[tuple[str, int]]]:
            """n3's parts: queued for its modems (free for the others when its lease ends),
            queued for a message already tied to one of its modems (only n3 may send them),
            and being written to its modems (in doubt)."""
            rows = cluster.query(
                "SELECT p.message_id, p.seq, p.status, m.modem FROM parts p JOIN messages m "
                "ON m.id = p.message_id WHERE p.claimed_by = 'n3' AND p.status IN ('queued', 'sending')")
            held: dict[str, list[tuple[str, int]]] = {"free": [], "pinned": [], "sending": []}
            for r in rows:
                kind = "sending" if r["status"] == "sending" else \
                    "pinned" if cluster.node_of(r["modem"]) == "n3" else "free"
                held[kind].append((r["message_id"], r["seq"]))
            return held

        load = Load(cluster.key, [n1, n2, n3])
        async with aiohttp.ClientSession() as http:
            workers = load.start(http, workers=6)
            # Mid-load: a backlog, n3's modems each with parts queued ahead.
            await until(lambda: len(load.accepted) >= 60 and len(held_by_n3()["free"]) >= 4, timeout=30,
                        what="n3 holding queued parts", explain=lambda: (len(load.accepted), held_by_n3()))
            n3.serve.kill9()
            killed = time.monotonic()
            held = held_by_n3()         # n3's state as it died (nothing of its changes it now)
            load.targets = [n1, n2]     # the clients carry on with the others
            await until(lambda: len(load.accepted) >= 120, timeout=30, what="load after the kill",
                        explain=lambda: load.answers)
            load.running = False
            await asyncio.gather(*workers)

            # The dead node's queued parts go out through the others' modems once its lease ends.
            def drained() -> bool:
                rows = {(r["message_id"], r["seq"]): r for r in cluster.parts()}
                return all(rows[k]["status"] not in ("queued", "sending") for k in held["free"])
            await until(drained, timeout=LEASE + 20, interval=0.1, what="n3's queue drained")
            drain = time.monotonic() - killed
            parts = {(p["message_id"], p["seq"]): p for p in cluster.parts()}
            took = Counter(cluster.node_of(parts[k]["modem"]) for k in held["free"])
            assert set(took) <= {"n1", "n2"} and sum(took.values()) == len(held["free"]), took
            assert drain < LEASE + 5, (drain, len(held["free"]))

            # n3 comes back under its name (its modems' reports, and what only its modems may
            # send, wait for it); requests that got no answer are retried on n1 with their keys.
            await n3.serve.start()
            retried = sorted(load.unanswered)
            for n in retried:
                assert await load.post(http, n, n1), (n, load.answers)
            assert load.replayed <= set(retried)

        await until(lambda: not cluster.unsettled(), timeout=60, interval=0.2, what="every message final",
                    explain=lambda: (cluster.unsettled()[:10], held))
        parts = cluster.parts()
        by_message: dict[str, list[dict]] = {}
        for p in parts:
            by_message.setdefault(p["message_id"], []).append(p)
        # Nothing lost, nothing created twice: one message per request that was answered 2xx.
        assert set(load.accepted.values()) == set(by_message)
        assert Counter(ps[0]["idempotency_key"] for ps in by_message.values()) == \
            {f"c-{n}": 1 for n in load.accepted}
        # Every message is final: delivered, unless a part of it was in doubt on n3.
        doubt = set(held["sending"])
        statuses = Counter(ps[0]["message_status"] for ps in by_message.values())
        assert set(statuses) <= set(FINAL), statuses
        not_delivered = {mid: [(p["seq"], p["status"], p["error"]) for p in ps]
                         for mid, ps in by_message.items() if ps[0]["message_status"] != "delivered"}
        assert {mid for mid in not_delivered} <= {mid for mid, _ in doubt}, (not_delivered, doubt)
        # No blind duplicates: a part handed to a modem twice, or to the network twice, was in doubt.
        assert [(p["message_id"], p["seq"], p["attempts"]) for p in parts
                if p["attempts"] > 1 and (p["message_id"], p["seq"]) not in doubt] == []
        submitted = cluster.submitted()
        mids = {mid: n for n, mid in load.accepted.items()}
        blind = [(p["message_id"], p["seq"]) for p in parts
                 if submitted[markers(mids[p["message_id"]])[p["seq"] - 1]] > 1
                 and (p["message_id"], p["seq"]) not in doubt]
        assert blind == []
        print(f"kill -9 of n3: {len(load.accepted)} accepted, {len(retried)} retried "
              f"({len(load.replayed)} replayed), n3 held {len(held['free'])} queued, "
              f"{len(held['pinned'])} pinned, {len(held['sending'])} sending; drained in {drain:.2f} s "
              f"(lease {LEASE} s); answers {dict(load.answers)}; messages {dict(statuses)}")
    finally:
        await cluster.stop()


async def test_the_database_restarted_under_load_is_survived_without_restarting_a_node(tmp_path):
    # A server of the test's own: restarting the shared one would disturb other tests.
    # The default lease (30 s): the outage is shorter, so no node is taken for stopped.
    server = pgserver.PostgresServer()
    cluster = Cluster(tmp_path, server.database())
    try:
        await cluster.start()
        load = Load(cluster.key, cluster.nodes)
        load.pace = 0.02
        async with aiohttp.ClientSession() as http:
            workers = load.start(http, workers=4)
            await until(lambda: len(load.accepted) >= 40, timeout=30, what="load before the restart")
            before = len(load.accepted)
            # The server stops (-m fast: every connection is cut) and stays down until every
            # node has noticed (its /readyz answers 503); then it starts again.
            await asyncio.to_thread(server.stop_server)

            async def not_ready(node) -> bool:
                with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                    async with http.get(f"{node.url}/readyz", timeout=aiohttp.ClientTimeout(total=5)) as resp:
                        return resp.status == 503
                return False
            for node in cluster.nodes:
                await until(lambda node=node: not_ready(node), timeout=20, interval=0.1,
                            what=f"{node.name} not ready while the database is down")
            await asyncio.to_thread(server.start_server)
            back, back_at = time.monotonic(), time.time()

            # Every node accepts again by itself (no node is restarted).
            probes = iter(range(90_000, 100_000))   # request numbers of their own

            async def accepts(node) -> bool:
                return await load.post(http, next(probes), node)
            for node in cluster.nodes:
                await until(lambda node=node: accepts(node), timeout=20, interval=0.2,
                            what=f"{node.name} accepting after the restart", explain=lambda: load.answers)
            recovered = time.monotonic() - back
            await until(lambda: len(load.accepted) >= before + 60, timeout=30, what="load after the restart",
                        explain=lambda: load.answers)
            load.running = False
            await asyncio.gather(*workers)
            retried = sorted(load.unanswered)
            for i, n in enumerate(retried):
                assert await load.post(http, n, cluster.nodes[i % 3]), (n, load.answers)

        print(f"database restart: {len(load.accepted)} accepted, {len(retried)} retried "
              f"({len(load.replayed)} replayed), every node accepting {recovered:.2f} s after the "
              f"server was back; answers {dict(load.answers)}")
        # During the outage: 503 or a refused connection, never a 500.
        assert load.server_errors == []
        assert all(node.serve.starts == 1 and node.serve.process.poll() is None for node in cluster.nodes)

        with contextlib.suppress(AssertionError):
            await until(lambda: cluster.statuses()["delivered"] == len(load.accepted), timeout=30,
                        interval=0.2, what="every accepted message delivered")
        # Every node carries on sending: its modems took parts after the server was back.
        after = Counter(cluster.node_of(r["modem"]) for r in cluster.query(
            "SELECT modem FROM parts WHERE submitted_at > %s", (back_at,)))
        assert set(after) == {"n1", "n2", "n3"}, after
        parts = cluster.parts()
        assert {p["message_id"] for p in parts} == set(load.accepted.values())
        assert Counter(p["idempotency_key"] for p in parts if p["seq"] == 1) == \
            {f"c-{n}": 1 for n in load.accepted}
        assert network_duplicates(cluster, load) == {}
        # Everything accepted is delivered: none left behind by a write the outage cut short.
        undelivered = [(p["idempotency_key"], p["seq"], p["status"], p["modem"], p["error"]) for p in parts
                       if p["status"] != "delivered"]
        assert not undelivered, undelivered
    finally:
        await cluster.stop()
        server.stop()


async def test_a_message_pinned_to_another_node_its_modem_or_its_sim_goes_there(tmp_path):
    # Pins are kept with the message, so the node that accepts it need not be the one that
    # sends it: each node claims only the pinned messages its modems can carry.
    cluster = Cluster(tmp_path, pgserver.server().database(), nodes=2, per_node=2)
    try:
        await cluster.start()
        n1, n2 = cluster.nodes
        auth = {"Authorization": f"Bearer {cluster.key}"}
        async with aiohttp.ClientSession(headers=auth) as http:
            # A node answers once one of its modems is ready; the other's SIM is read in its set-up.
            sim = None
            async with asyncio.timeout(20):
                while sim is None:
                    async with http.get(f"{n1.url}/v1/modems") as resp:
                        sim = {m["name"]: m["iccid"] for m in (await resp.json())["data"]}["n1-m1"]
                    if sim is None:
                        await asyncio.sleep(0.05)
            asked = [(n1, {"node": "n2"}, {"n2-m0", "n2-m1"})] * 6 + [(n1, {"modem": "n2-m1"}, {"n2-m1"})] * 4 + \
                    [(n2, {"sim": sim}, {"n1-m1"})] * 4
            wanted = {}
            for i, (node, via, modems) in enumerate(asked):
                async with http.post(f"{node.url}/v1/messages", json={"to": f"+155504{i:05d}", "text": f"pin {i}",
                                                                       "via": via}) as resp:
                    assert resp.status == 200, await resp.text()
                    wanted[(await resp.json())["id"]] = modems
        await until(lambda: cluster.statuses()["delivered"] == len(asked), timeout=30, interval=0.2,
                    what="every pinned message delivered", explain=lambda: (cluster.statuses(), cluster.output()))
        used = {p["message_id"]: p["modem"] for p in cluster.parts()}
        assert {mid: used[mid] for mid, modems in wanted.items() if used[mid] not in modems} == {}
    finally:
        await cluster.stop()
