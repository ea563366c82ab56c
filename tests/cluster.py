"""Several `modemgw serve` processes on one PostgreSQL database, for the multi-node tests.

Each node is a subprocess (tests/reliability/process.py) with modems of its own; the
modems are simulators in the test process, so they outlive a kill -9 of their node as
USB sticks would, and what the network was handed (`Simulator.network.submitted`) can be
counted across the whole cluster. A webhook receiver counts deliveries per message and
event; a load client posts round-robin to the nodes it is told, each request with its
own Idempotency-Key, and keeps the requests that got no 2xx to be retried.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import psycopg
from aiohttp import web
from psycopg.rows import dict_row

from modemgw.simulator import Settings, Simulator
from reliability.process import Serve, create_key, write_config

FINAL = ("delivered", "failed", "expired", "cancelled")


def text_of(n: int) -> str:
    """Unique per request; every fourth has two parts, each starting with its marker
    (a GSM 7-bit part of a long message holds 153 characters)."""
    if n % 4 == 0:
        return f"#{n:05d}a".ljust(153, "x") + f"#{n:05d}b" + "y" * 20
    return f"#{n:05d}a cluster test"


def markers(n: int) -> list[str]:
    """What each part of request `n`'s message starts with, in part order."""
    return [f"#{n:05d}a", f"#{n:05d}b"] if n % 4 == 0 else [f"#{n:05d}a"]


def number_of(n: int) -> str:
    return f"+1555030{n % 50:04d}"


class Node:
    def __init__(self, name: str, serve: Serve, sims: list[Simulator]) -> None:
        self.name, self.serve, self.sims = name, serve, sims

    @property
    def url(self) -> str:
        assert self.serve.url is not None
        return self.serve.url

    @property
    def modems(self) -> list[str]:
        return [f"{self.name}-m{j}" for j in range(len(self.sims))]


class Cluster:
    """`nodes` gateway processes named n1, n2, ..., each with `per_node` simulated modems
    named n1-m0, n1-m1, ...; `latencies` (seconds, one per modem in that order, cycled)
    spread the load unevenly. `sections` go into every node's configuration;
    `modem_keys` maps a modem name to more [[modem]] keys (per_day, ...)."""

    def __init__(self, directory: Path, url: str, *, nodes: int = 3, per_node: int = 2,
                 latencies: Sequence[float] = (0.05, 0.2, 0.1, 0.15, 0.08, 0.12),
                 report_delay: float = 0.2, sections: dict[str, dict] | None = None,
                 modem_keys: dict[str, dict] | None = None) -> None:
        self.dir, self.url = directory, url
        self.sections = sections or {}
        self.nodes: list[Node] = []
        for i in range(nodes):
            name = f"n{i + 1}"
            sims = [Simulator(str(directory / f"tty-{name}-{j}"),
                              profile=("generic", "ec25")[j % 2],
                              settings=Settings(latency=latencies[(i * per_node + j) % len(latencies)],
                                                report_delay=report_delay))
                    for j in range(per_node)]
            modems = [{"name": f"{name}-m{j}", "port": sim.path, "submit_timeout": 5,
                       **(modem_keys or {}).get(f"{name}-m{j}", {})} for j, sim in enumerate(sims)]
            config = write_config(directory / f"{name}.toml", url, modems, sections={
                **self.sections, "node": {"name": name, "spool": str(directory / f"{name}-spool.db")},
                "api": {"rate_limit_per_minute": 1_000_000, **self.sections.get("api", {})}})
            self.nodes.append(Node(name, Serve(config, directory / f"{name}.log"), sims))
        self.key = ""

    @property
    def sims(self) -> list[Simulator]:
        return [sim for node in self.nodes for sim in node.sims]

    def node_of(self, modem: str | None) -> str | None:
        return modem.split("-")[0] if modem else None

    async def start(self) -> None:
        for sim in self.sims:
            await sim.start()
        _, self.key, _ = create_key(self.url, "cluster")
        await asyncio.gather(*(node.serve.start() for node in self.nodes))

    async def stop(self) -> None:
        for node in self.nodes:
            node.serve.terminate()
        for sim in self.sims:
            await sim.stop()

    def output(self) -> str:
        return "\n".join(f"--- {n.name}\n{n.serve.output()[-3000:]}" for n in self.nodes)

    # -- the database, read as the test's own client ------------------------------

    def query(self, sql: str, params: Sequence | dict = ()) -> list[dict]:
        with psycopg.connect(self.url, autocommit=True, row_factory=dict_row) as conn:
            return conn.execute(sql, params).fetchall()

    def parts(self) -> list[dict]:
        return self.query("SELECT p.message_id, p.seq, p.status, p.modem, p.attempts, p.resent, p.error, "
                          "p.claimed_by, m.status AS message_status, m.idempotency_key, m.modem AS pinned "
                          "FROM parts p JOIN messages m ON m.id = p.message_id ORDER BY p.message_id, p.seq")

    def statuses(self) -> Counter[str]:
        return Counter({r["status"]: r["n"] for r in self.query(
            "SELECT status, COUNT(*) AS n FROM messages GROUP BY status")})

    def unsettled(self) -> list[dict]:
        return self.query("SELECT id, status FROM messages WHERE status NOT IN ('delivered', 'failed', "
                          "'expired', 'cancelled') ORDER BY id")

    # -- the network side -----------------------------------------------------------

    def submitted(self) -> Counter[str]:
        """How often the network was handed each part, by its marker, across all modems."""
        return Counter(s.submit.text[:7] for sim in self.sims for s in sim.network.submitted)


class Hooks:
    """A webhook receiver on loopback: every delivery, in the order it came, per message."""

    def __init__(self) -> None:
        self.events: dict[str, list[str]] = defaultdict(list)   # message id -> events in order
        self.event_ids: Counter[str] = Counter()
        self.count = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.events[body["id"]].append(body["event"])
        self.event_ids[request.headers.get("X-Modemgw-Event-Id", "")] += 1
        self.count += 1
        return web.Response(status=204)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class Load:
    """Clients POSTing to the nodes in `targets`, round-robin, each request with its own
    Idempotency-Key. A request without a 2xx answer (refused connection, reset, 5xx) is
    kept, to be retried later with the same key and body."""

    def __init__(self, key: str, targets: list[Node], *, callback_url: str | None = None) -> None:
        self.key, self.targets, self.callback_url = key, targets, callback_url
        self.accepted: dict[int, str] = {}          # request number -> message id
        self.accepted_at: dict[int, float] = {}
        self.unanswered: set[int] = set()
        self.answers: Counter[str] = Counter()      # HTTP status or exception name
        self.replayed: set[int] = set()
        self.server_errors: list[tuple[int, str, str]] = []   # (request, node, body) of each 500
        self.next = 0
        self.limit: int | None = None               # stop after this many requests
        self.running = True
        self.pace = 0.0

    def body(self, n: int) -> dict:
        body = {"to": number_of(n), "text": text_of(n)}
        if self.callback_url:
            body["callback_url"] = self.callback_url
        return body

    async def worker(self, http: aiohttp.ClientSession) -> None:
        while self.running and (self.limit is None or self.next < self.limit):
            n, self.next = self.next, self.next + 1
            node = self.targets[n % len(self.targets)]
            if not await self.post(http, n, node):
                self.unanswered.add(n)
                await asyncio.sleep(0.05)           # pacing while a node or the database is down
            if self.pace:
                await asyncio.sleep(self.pace)

    async def post(self, http: aiohttp.ClientSession, n: int, node: Node) -> bool:
        try:
            async with http.post(f"{node.url}/v1/messages", json=self.body(n),
                                 headers={"Authorization": f"Bearer {self.key}", "Idempotency-Key": f"c-{n}"},
                                 timeout=aiohttp.ClientTimeout(total=10)) as resp:
                self.answers[str(resp.status)] += 1
                if resp.status >= 500 and resp.status != 503:
                    self.server_errors.append((n, node.name, (await resp.text())[:500]))
                if resp.status != 200:
                    return False
                self.accepted[n] = (await resp.json())["id"]
                self.accepted_at[n] = time.monotonic()
                self.unanswered.discard(n)
                if resp.headers.get("Idempotent-Replayed") == "true":
                    self.replayed.add(n)
                return True
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            self.answers[type(exc).__name__] += 1
            return False

    def start(self, http: aiohttp.ClientSession, workers: int) -> list[asyncio.Task]:
        return [asyncio.create_task(self.worker(http)) for _ in range(workers)]
