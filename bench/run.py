"""Run the gateway's benchmarks and print one table.

    .venv/bin/python -m bench                        # everything, 3 repetitions (peers: 1)
    .venv/bin/python -m bench --only ingest --repeat 5
    .venv/bin/python -m bench --quick                # shorter runs, for trying the harness

Benchmarks: ingest, overhead, utilisation, dlr, footprint, idle (idle RSS beside a bare
`import aiohttp.web`, 3 rounds; `python -m bench.idle --against DIR` compares another
checkout), console (idle RSS with the console and without, alternating in one run),
versus (the peers),
dialects (CPU per send request, each dialect beside the native API), smpp (submit_sm
accepted per second through one session, beside the HTTP ingest figure); on PostgreSQL
(Debian's postgresql, a private durable server: bench/pg.py): pg-ingest and pg-overhead
(ingest and overhead on SQLite and PostgreSQL, alternating), cluster (3 nodes x 4 modems
on one database: utilisation, idle memory), pgdriver (psycopg 3 and asyncpg on the
store's statements). `--store postgresql` runs ingest, overhead and utilisation on
PostgreSQL instead of SQLite.
Each runs `--repeat` times (versus, dialects, smpp, console and idle once: see ONCE); the table gives the
median, the spread (min-max) and, where there is a target, whether the median meets it.
Details of every run go to stderr; `--json FILE` keeps all values.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "bench"

from bench import cluster, console, dialects, idle, ingest, pgdriver, postgres, reports, sending, smpp, versus  # noqa: E402
from bench.common import STORES, Figure, log, median  # noqa: E402

BENCHMARKS = {
    "ingest": ingest.run,
    "overhead": sending.overhead,
    "utilisation": sending.utilisation,
    "dlr": reports.dlr,
    "footprint": reports.footprint,
    "idle": idle.run,
    "console": console.run,
    "versus": versus.run,
    "dialects": dialects.run,
    "smpp": smpp.run,
    "pg-ingest": postgres.ingest_both,
    "pg-overhead": postgres.overhead_both,
    "cluster": cluster.run,
    "pgdriver": pgdriver.run,
}
# One repetition unless --repeat-slow says otherwise: the peer comparison takes minutes,
# and dialects, smpp and console alternate their own rounds (bench/dialects.py, bench/smpp.py,
# bench/console.py).
ONCE = {"versus", "dialects", "smpp", "console", "idle", "pg-ingest", "pg-overhead", "pgdriver"}
# The benchmarks that take --store.
ON_STORE = {"ingest", "overhead", "utilisation"}


def fmt(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def table(collected: dict[str, list[Figure]]) -> str:
    rows = [("benchmark", "median", "min-max", "runs", "target", "met")]
    for name, figures in collected.items():
        f = figures[0]
        values = [x.value for x in figures]
        mid = median(values)
        met = f.met(mid)
        rows.append((name, f"{fmt(mid, f.digits)} {f.unit}",
                     f"{fmt(min(values), f.digits)}-{fmt(max(values), f.digits)}" if len(values) > 1 else "",
                     str(len(values)), f.target_text(),
                     "" if met is None else ("yes" if met else "NO")))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--only", action="append", choices=sorted(BENCHMARKS), help="repeatable; default: all")
    p.add_argument("--repeat", type=int, default=3, help="repetitions per benchmark (default 3)")
    p.add_argument("--repeat-slow", type=int, default=None,
                   help="repetitions of versus, dialects and smpp (default 1; versus takes minutes, "
                        "dialects and smpp alternate 3 rounds of their own)")
    p.add_argument("--quick", action="store_true", help="shorter runs (fewer messages, shorter windows)")
    p.add_argument("--peer", action="append", choices=sorted(versus.PEER_CLASSES),
                   help="peers for `versus` (repeatable; default: all three)")
    p.add_argument("--store", choices=STORES, default="sqlite",
                   help="the database of ingest, overhead and utilisation (default sqlite; postgresql: "
                        "a private durable server, bench/pg.py)")
    p.add_argument("--keep", action="store_true", help="keep working directories (logs, databases)")
    p.add_argument("--json", type=Path, help="write every value to this file")
    args = p.parse_args(argv)

    collected: dict[str, list[Figure]] = {}
    details: list[str] = []
    started = time.monotonic()
    for name in args.only or list(BENCHMARKS):
        times = (args.repeat_slow or 1) if name in ONCE else args.repeat
        for i in range(times):
            log(f"== {name} run {i + 1}/{times}")
            kwargs = {"keep": args.keep, "quick": args.quick}
            if name == "versus" and args.peer:
                kwargs["peers"] = tuple(args.peer)
            if name in ON_STORE:
                kwargs["store"] = args.store
            try:
                result = asyncio.run(BENCHMARKS[name](**kwargs))
            except Exception as exc:
                log(f"{name} run {i + 1} failed: {exc!r}")
                continue
            for f in result.figures:
                collected.setdefault(f.name, []).append(f)
                log(f"  {f.name}: {fmt(f.value, f.digits)} {f.unit}")
            for d in result.details:
                details.append(f"[{name} {i + 1}] {d}")
                log(f"  {d}")
    print(f"modemgw benchmarks ({platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {time.monotonic() - started:.0f} s)")
    print(table(collected))
    if args.json:
        args.json.write_text(json.dumps({
            "figures": {k: [{"value": f.value, "unit": f.unit, "target": f.target, "better": f.better}
                            for f in v] for k, v in collected.items()},
            "details": details}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
