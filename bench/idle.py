"""Idle memory: `modemgw serve` with 4 modems beside what `import aiohttp.web` alone holds.

The floor is a fresh interpreter that imports aiohttp.web and nothing else: no gateway can
hold less, so the gateway's own share is its RSS minus that floor. Each round measures the
floor, then the gateway (4 simulated modems on ptys in this process, as in `footprint`,
so that only the gateway's memory is counted): started with the default configuration
(every dialect and receiver on, no console, no SMPP), all modems ready, `idle` seconds of
quiet, VmRSS; then one message sent through the API and delivered, `idle` seconds more,
VmRSS again (what is loaded on first use is then counted too).

`--against DIR` measures a second checkout of modemgw (an older commit: `git worktree add
DIR COMMIT`) in the same rounds, in alternating order (this tree, DIR; DIR, this tree;
...), so that a machine that drifts weighs on both alike. Both are started the way the
`modemgw` script starts the gateway, with PYTHONPATH naming the checkout (and the working
directory elsewhere, so that it comes first), with the same interpreter and installed
packages; each checkout has its own database and key, made by its own code (an older
commit may not open a newer schema). `--tree DIR` measures DIR instead of this checkout
(both sides fixed commits while others commit here), `--extra TOML` appends to the
configuration of both (e.g. `'[dialects]\nenabled = []\n'`).

    .venv/bin/python -m bench.idle --rounds 4 --tree /tmp/wt-new --against /tmp/wt-old
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

from .common import (PYTHON, ROOT, Gateway, Result, Workdir, config_text, log, post_messages, rss_mb,
                     simulated_modems)
from .console import all_ready

ROUNDS = 3
# What the `modemgw` console script runs (pyproject.toml [project.scripts]).
LAUNCH = "import sys; from modemgw.cli import main; sys.exit(main())"
FLOOR = "import sys, aiohttp.web; sys.stdout.write('ready\\n'); sys.stdout.flush(); sys.stdin.read()"


class Checkout(Gateway):
    """The gateway of one checkout (`tree`), started as the console script starts it."""

    def __init__(self, work: Path, name: str, tree: Path) -> None:
        super().__init__(work, name)
        self.tree = tree

    def _spawn(self, *args: str, **kwargs) -> asyncio.Future:
        env = {**os.environ, "PYTHONPATH": str(self.tree)}
        return asyncio.create_subprocess_exec(PYTHON, "-c", LAUNCH, *args, env=env, cwd=self.work, **kwargs)

    async def create_key(self) -> str:
        """A key in this checkout's own database (its schema may be older than this one's)."""
        process = await self._spawn("keys", "create", "bench", "--db", self.database,
                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        out, _ = await process.communicate()
        match = re.search(r"(mgw_\S+)", out.decode())
        if process.returncode != 0 or match is None:
            raise RuntimeError(f"modemgw keys create failed in {self.tree}: {out.decode()!r}")
        self.key = match.group(1)
        return self.key

    async def start(self, config: str, *, ready_timeout: float = 30.0) -> None:
        path = self.work / f"{self.name}.toml"
        path.write_text(config)
        with open(self.work / f"{self.name}.log", "ab") as out:
            self.process = await self._spawn("serve", "--config", str(path), stdin=asyncio.subprocess.DEVNULL,
                                             stdout=out, stderr=out, start_new_session=True)
        started = time.monotonic()
        await self.wait_ready(ready_timeout)
        self.ready_after = time.monotonic() - started


async def floor(settle: float = 1.0) -> float:
    """VmRSS in MB of an interpreter that has imported aiohttp.web, and nothing more."""
    process = await asyncio.create_subprocess_exec(PYTHON, "-c", FLOOR, stdin=asyncio.subprocess.PIPE,
                                                   stdout=asyncio.subprocess.PIPE)
    try:
        assert process.stdout is not None
        if await process.stdout.readline() != b"ready\n":
            raise RuntimeError("the floor interpreter did not start")
        await asyncio.sleep(settle)
        return rss_mb(process.pid)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        await process.wait()


async def gateway(work: Path, name: str, tree: Path, key: str, modems: int, idle: float,
                  extra: str = "") -> tuple[float, float]:
    """(idle VmRSS after start-up, idle VmRSS after one message) in MB."""
    gw = Checkout(work, name, tree)
    gw.key = key
    (work / name).mkdir()
    async with simulated_modems(work / name, modems) as ports:
        await gw.start(config_text(gw.port, gw.database, modems=ports) + extra)
        try:
            await all_ready(gw.url, modems)
            await asyncio.sleep(idle)
            started = gw.rss()
            answer = (await post_messages(gw.url, key, [("+15551230001", "Idle memory")]))[0]
            async with asyncio.timeout(30):
                while gw.query(f"SELECT status FROM messages WHERE id = '{answer['id']}'") != [("delivered",)]:
                    await asyncio.sleep(0.1)
            await asyncio.sleep(idle)
            return started, gw.rss()
        finally:
            await gw.stop()


async def run(*, modems: int = 4, rounds: int = ROUNDS, idle: float = 10.0, tree: Path = ROOT,
              against: Path | None = None, extra: str = "", keep: bool = False, quick: bool = False) -> Result:
    if quick:
        idle, rounds = 3.0, 1
    result = Result()
    trees = {"this": tree} if against is None else {"this": tree, "against": against}
    readings: dict[str, list[tuple[float, float, float]]] = {name: [] for name in trees}
    with Workdir("idle", keep) as work:
        keys = {}
        for name, path in trees.items():
            (work / name).mkdir()
            keys[name] = await Checkout(work / name, "keys", path).create_key()
        for i in range(rounds):
            order = list(trees) if i % 2 == 0 else list(reversed(trees))
            for name in order:
                base = await floor()
                started, used = await gateway(work / name, f"r{i + 1}", trees[name], keys[name], modems, idle, extra)
                readings[name].append((base, started, used))
                line = (f"round {i + 1} {name} ({trees[name]}): floor {base:.2f} MB, gateway idle {started:.2f} MB "
                        f"(+{started - base:.2f}), after one message {used:.2f} MB (+{used - base:.2f})")
                result.details.append(line)
                log(f"  {line}")
    for name, rows in readings.items():
        label = "" if against is None else f" [{name}]"
        for base, started, used in rows:
            result.add(f"idle: import aiohttp.web alone{label}", base, "MB", digits=2)
            result.add(f"idle: RSS, {modems} modems{label}", started, "MB", 39, "lower", 2)
            result.add(f"idle: RSS above the floor{label}", started - base, "MB", digits=2)
            result.add(f"idle: RSS after one message{label}", used, "MB", digits=2)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.idle", description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=ROUNDS)
    p.add_argument("--idle", type=float, default=10.0, help="seconds of quiet before each reading")
    p.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    p.add_argument("--against", type=Path, help="another checkout of modemgw to measure in the same rounds")
    p.add_argument("--extra", default="", help="TOML appended to the configuration, e.g. "
                   "'[dialects]\\nenabled = []\\n' (the default turns every dialect and receiver on)")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)
    result = asyncio.run(run(rounds=args.rounds, idle=args.idle, tree=args.tree, against=args.against,
                             extra=args.extra.replace("\\n", "\n"), keep=args.keep))
    names: dict[str, list[float]] = {}
    for f in result.figures:
        names.setdefault(f.name, []).append(f.value)
    for name, values in names.items():
        print(f"{name}: median {statistics.median(values):.2f} MB ({min(values):.2f}-{max(values):.2f}), "
              f"{len(values)} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
