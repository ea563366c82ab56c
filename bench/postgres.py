"""PostgreSQL beside SQLite: the same benchmark on each engine, alternating, in one run.

pg-ingest    bench/ingest.py's sustained wrk run and the open-loop runs at 100 and 500 req/s,
             on a SQLite file and on a database of bench/pg.py's durable server (fsync
             and synchronous_commit on), one engine after the other, `rounds` times.
pg-overhead  bench/sending.py's overhead (parts/s through one 0 ms modem), the same way.

Each figure is reported per engine ("[sqlite]", "[postgresql]"): the median of the
rounds, and the rounds' values in the details. On PostgreSQL the gateway's CPU leaves
out the server's, which runs in processes of its own on the same 2 cores: that is a
figure of its own (PostgreSQL CPU per message or per part).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from . import ingest, pg, sending
from .common import STORES, Figure, Result, log, median


async def alternate(name: str, bench: Callable[..., Awaitable[Result]], rounds: int, **kwargs) -> Result:
    """`bench(store=...)` for each engine in turn, `rounds` times; medians per engine."""
    values: dict[tuple[str, str], list[Figure]] = {}
    result = Result()
    result.details.append(f"{name}: PostgreSQL {pg.version()} (fsync on, synchronous_commit on), "
                          f"SQLite WAL synchronous=FULL; {rounds} rounds, engines alternating")
    for i in range(rounds):
        # Start each round with the engine the last one ended on second, so neither always
        # runs on a machine warmed (or loaded) by the other.
        for store in STORES if i % 2 == 0 else tuple(reversed(STORES)):
            log(f"  {name} round {i + 1}/{rounds}: {store}")
            r = await bench(store=store, **kwargs)
            for f in r.figures:
                values.setdefault((f.name, store), []).append(f)
            result.details += [f"[{store} {i + 1}] {d}" for d in r.details]
    for (fname, store), figures in values.items():
        f = figures[0]
        result.add(f"{fname} [{store}]", median([x.value for x in figures]), f.unit, f.target, f.better,
                   f.digits, note=f.note)
        result.details.append(f"{fname} [{store}]: " + ", ".join(f"{x.value:,.{f.digits}f}" for x in figures))
    return result


async def ingest_both(*, rounds: int = 3, duration: float = 8.0, keep: bool = False,
                      quick: bool = False) -> Result:
    return await alternate("pg-ingest", ingest.run, 2 if quick else rounds,
                           duration=4.0 if quick else duration, rates=(100, 500), floor=False, bulk=False, keep=keep)


async def overhead_both(*, rounds: int = 3, count: int = 1000, keep: bool = False, quick: bool = False) -> Result:
    return await alternate("pg-overhead", sending.overhead, 2 if quick else rounds,
                           count=300 if quick else count, keep=keep)
