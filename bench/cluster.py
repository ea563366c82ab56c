"""Several nodes on one PostgreSQL database: how busy they keep their modems, and what an
idle node and its database take in memory.

3 `modemgw serve` processes (nodes n1, n2, n3), each with 4 simulated modems of its own,
on one database of bench/pg.py's durable server. The 12 modems answer +CMGS after 1 to
3 s (evenly spread, and interleaved so that each node has fast and slow ones). A backlog
larger than all of them can send in the window is POSTed round-robin to the three nodes
(each message to one node, in turn); the nodes claim due parts from the shared queue
(`FOR UPDATE SKIP LOCKED`) for their own modems. Busy share: bench/sending.py's method
(time between AT+CMGS and its answer over each modem's window, from its first AT+CMGS to
the end of the run), per modem and overall (the mean), target >= 99 % as on one node.

Checked as well: no message was handed to the network twice (each backlog message has a
unique text; the simulators' networks keep what they were handed), and what each node
sent.

Idle memory, measured before the backlog, once node n1 alone has been up and idle for a
few seconds (and, before it, the same node on a SQLite file, for comparison): the node's
RSS, and the server's processes (postmaster, its background
workers, and the node's connections: the writer's, the read pool's, the LISTEN one),
as a sum of RSS (shared buffers counted once per process that touched them) and of PSS
(shared pages divided among the processes mapping them: what the server takes).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from modemgw.simulator import Settings, Simulator

from . import pg
from .common import Gateway, Result, Workdir, config_text, log, post_messages, recipient
from .sending import busy_shares

NODES = 3
PER_NODE = 4
IDLE = 5.0  # s: a node left alone before its memory is read


async def run(*, window: float = 60.0, keep: bool = False, quick: bool = False) -> Result:
    if quick:
        window = 20.0
    result = Result()
    modems = NODES * PER_NODE
    # Modem j of node k gets latency number k + NODES * j: every node has a spread.
    latencies = {(k, j): 1.0 + 2.0 * (k + NODES * j) / (modems - 1) for k in range(NODES) for j in range(PER_NODE)}
    backlog = int(sum(window / lat for lat in latencies.values()) * 1.5) + 20
    url = pg.database()
    with Workdir("cluster", keep) as work:
        sims = {(k, j): Simulator(work / f"tty-n{k + 1}-{j}", settings=Settings(latency=lat, report_delay=0.5))
                for (k, j), lat in latencies.items()}
        nodes: list[Gateway] = []
        for k in range(NODES):
            directory = work / f"n{k + 1}"
            directory.mkdir()
            nodes.append(Gateway(directory, f"n{k + 1}", database=url))
        for sim in sims.values():
            await sim.start()
        try:
            for sim in sims.values():
                await sim.wait_ready()
            # The same node on SQLite first, for its idle RSS beside the PostgreSQL node's.
            lone = work / "sqlite"
            lone.mkdir()
            sqlite_node = Gateway(lone, "sqlite")
            await sqlite_node.start(config_text(
                sqlite_node.port, sqlite_node.database,
                modems=[(f"n1-m{j}", str(work / f"tty-n1-{j}")) for j in range(PER_NODE)]))
            try:
                await asyncio.sleep(IDLE)
                sqlite_rss = sqlite_node.rss()
            finally:
                await sqlite_node.stop()
            for k, gw in enumerate(nodes):
                if k:
                    gw.key = nodes[0].key
                await gw.start(config_text(
                    gw.port, url, node=gw.name,
                    modems=[(f"n{k + 1}-m{j}", str(work / f"tty-n{k + 1}-{j}")) for j in range(PER_NODE)]))
                if k == 0:
                    await asyncio.sleep(IDLE)
                    node_rss = gw.rss()
                    pg_rss, pg_pss, pg_processes = pg.memory()
                    node_pss = pg.pss_mb(gw.pid)
            texts = [(recipient(i), f"Backlog message {i:05d}") for i in range(backlog)]
            cpu0 = [gw.cpu() for gw in nodes]
            db0 = pg.cpu()
            started = time.monotonic()
            await asyncio.gather(*(post_messages(gw.url, gw.key, texts[k::NODES], concurrency=16)
                                   for k, gw in enumerate(nodes)))
            posted = time.monotonic() - started
            await asyncio.sleep(max(0.0, window - (time.monotonic() - started)))
            end = time.monotonic()
            cpu = [gw.cpu() - c for gw, c in zip(nodes, cpu0)]
            db_cpu = pg.cpu() - db0
            remaining = nodes[0].query("SELECT COUNT(*) FROM parts WHERE status = 'queued'")[0][0]
            by_node = Counter()
            for modem, n in nodes[0].query("SELECT modem, COUNT(*) FROM parts WHERE status <> 'queued' "
                                           "GROUP BY modem"):
                by_node[(modem or "-").split("-")[0]] += n
        finally:
            for gw in nodes:
                await gw.stop()
            for sim in sims.values():
                await sim.stop()
    shares, sent = busy_shares(list(sims.values()), end)
    handed = Counter(s.submit.text for sim in sims.values() for s in sim.network.submitted)
    twice = {text: n for text, n in handed.items() if n > 1}
    overall = sum(shares) / len(shares)
    result.add(f"cluster: modem time busy ({NODES} nodes x {PER_NODE} modems, 1-3 s)", overall * 100, "%", 99,
               "higher", 2, note=f"{window:g} s window")
    result.add("cluster: least busy modem", min(shares) * 100, "%", digits=2)
    result.add("cluster: messages handed to the network twice", len(twice), "", 0, "lower", 0)
    # Over the whole run (posting the backlog included), as a share of one core.
    span = end - started
    result.add("cluster: node CPU (mean of the nodes)", sum(cpu) / len(cpu) / span * 100, "% of a core", digits=1)
    result.add("cluster: PostgreSQL CPU", db_cpu / span * 100, "% of a core", digits=1)
    result.add("cluster: idle RSS, one node (4 modems)", node_rss, "MB", digits=1)
    result.add("cluster: idle RSS, the same node on SQLite", sqlite_rss, "MB", digits=1)
    result.add("cluster: idle PostgreSQL, sum of PSS", pg_pss, "MB", digits=1,
               note=f"{pg_processes} processes, one node connected")
    result.add("cluster: idle PostgreSQL, sum of RSS", pg_rss, "MB", digits=1)
    result.add("cluster: idle PostgreSQL (PSS) + one node (RSS)", pg_pss + node_rss, "MB", digits=1)
    per_modem = ", ".join(f"n{k + 1}-m{j} ({latencies[k, j]:.2f} s) {s * 100:.2f}"
                          for (k, j), s in zip(sims, shares))
    result.details.append(
        f"cluster: PostgreSQL {pg.version()}; backlog {backlog} posted round-robin in {posted:.2f} s; {sent} "
        f"submits, {len(handed)} distinct messages handed to the network, {len(twice)} twice; {remaining} parts "
        f"still queued at the end; parts past queued by node {dict(sorted(by_node.items()))}; node CPU "
        f"{', '.join(f'{c:.1f}' for c in cpu)} s, PostgreSQL CPU {db_cpu:.1f} s in {span:.1f} s; per modem busy % "
        f"{per_modem}")
    result.details.append(f"cluster idle: node n1 RSS {node_rss:.1f} MB (PSS {node_pss:.1f} MB); PostgreSQL "
                          f"{pg_processes} processes, RSS {pg_rss:.1f} MB, PSS {pg_pss:.1f} MB")
    if twice:
        log(f"cluster: handed to the network more than once: {sorted(twice.items())[:10]}")
    return result
