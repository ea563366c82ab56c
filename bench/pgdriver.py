"""PostgreSQL drivers on what the store does most: psycopg 3 (its C binary build and its
pure-Python one over Debian's libpq5) beside asyncpg, same server, same run.

insert  one transaction as `create_messages` writes it: the message row (RETURNING its
        seqno), two part rows (executemany), the `message.queued` event row, COMMIT.
        psycopg runs it on a sync connection in autocommit mode with BEGIN and COMMIT
        said explicitly, as the store's writer thread does; asyncpg (async only) in
        `conn.transaction()`.
read    one message row by its primary key (`get_message`'s first statement), on an
        async connection (psycopg's AsyncConnection, as the store's read pool; asyncpg).

Each (driver, operation) runs in a process of its own (psycopg picks its implementation
at import: PSYCOPG_IMPL), one after the other, `rounds` times in alternating order, on
bench/pg.py's durable server (every insert's COMMIT waits for the WAL flush) and the
store's own schema. Figures: wall time per operation (median), the client process's CPU
per operation, and the server's CPU per operation (its processes, read from /proc
around each child: a child's connection set-up is included, a few ms over thousands).
asyncpg is not a dependency of modemgw: the benchmark needs `pip install asyncpg`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time

from .common import PYTHON, ROOT, Result, log, median

VARIANTS = ("psycopg-binary", "psycopg-python", "asyncpg")
OPERATIONS = ("insert", "read")
MESSAGE_COLUMNS = ("id", "to_number", "text", "status", "encoding", "segments", "priority", "policy", "flash",
                   "created_at", "updated_at")
PDU = "0041000B915155214300F00000A0" + "C8" * 140


def message_row(i: int, now: float) -> tuple:
    return (f"msg_bench{os.getpid()}_{i:07d}", f"+1555{1230000 + i % 10000:07d}", f"Benchmark message {i}",
            "queued", "gsm7", 2, 0, "at_most_once", 0, now, now)


def part_rows(mid: str, now: float) -> list[tuple]:
    return [(mid, seq, 2, PDU, 140, "queued", now, 0) for seq in (1, 2)]


EVENT_DATA = '{"status":"queued"}'


# -- psycopg --------------------------------------------------------------------


def psycopg_insert(url: str, n: int) -> list[float]:
    import psycopg
    insert_message = (f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}) VALUES "
                      f"({', '.join(['%s'] * len(MESSAGE_COLUMNS))}) RETURNING seqno")
    insert_part = ("INSERT INTO parts (message_id, seq, total, pdu, tpdu_length, status, next_attempt_at, priority) "
                   "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")
    insert_event = "INSERT INTO events (at, message_id, type, data) VALUES (%s, %s, %s, %s)"
    times = []
    with psycopg.connect(url, autocommit=True) as conn:
        for i in range(n):
            t0 = time.perf_counter()
            now = time.time()
            row = message_row(i, now)
            conn.execute("BEGIN")
            conn.execute(insert_message, row).fetchall()
            conn.cursor().executemany(insert_part, part_rows(row[0], now))
            conn.execute(insert_event, (now, row[0], "message.queued", EVENT_DATA))
            conn.execute("COMMIT")
            times.append(time.perf_counter() - t0)
    return times


async def psycopg_read(url: str, ids: list[str]) -> list[float]:
    import psycopg
    times = []
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        for mid in ids:
            t0 = time.perf_counter()
            cursor = await conn.execute("SELECT * FROM messages WHERE id = %s", (mid,))
            rows = await cursor.fetchall()
            times.append(time.perf_counter() - t0)
            assert rows, mid
    return times


# -- asyncpg --------------------------------------------------------------------


async def asyncpg_insert(url: str, n: int) -> list[float]:
    import asyncpg
    insert_message = (f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}) VALUES "
                      f"({', '.join(f'${i + 1}' for i in range(len(MESSAGE_COLUMNS)))}) RETURNING seqno")
    insert_part = ("INSERT INTO parts (message_id, seq, total, pdu, tpdu_length, status, next_attempt_at, priority) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
    insert_event = "INSERT INTO events (at, message_id, type, data) VALUES ($1, $2, $3, $4)"
    times = []
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        for i in range(n):
            t0 = time.perf_counter()
            now = time.time()
            row = message_row(i, now)
            async with conn.transaction():
                await conn.fetch(insert_message, *row)
                await conn.executemany(insert_part, part_rows(row[0], now))
                await conn.execute(insert_event, now, row[0], "message.queued", EVENT_DATA)
            times.append(time.perf_counter() - t0)
    finally:
        await conn.close()
    return times


async def asyncpg_read(url: str, ids: list[str]) -> list[float]:
    import asyncpg
    times = []
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        for mid in ids:
            t0 = time.perf_counter()
            rows = await conn.fetch("SELECT * FROM messages WHERE id = $1", mid)
            times.append(time.perf_counter() - t0)
            assert rows, mid
    finally:
        await conn.close()
    return times


def _asyncpg_dsn(url: str) -> str:
    return url  # postgresql://user@/db?host=/socket/dir: asyncpg reads the same form


# -- one child ------------------------------------------------------------------


def child(variant: str, operation: str, url: str, n: int) -> dict:
    """Runs in its own process: the operation `n` times; wall times and this process's CPU."""
    import psycopg
    if operation == "read":
        with psycopg.connect(url) as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM messages")]
        random.seed(7)
        ids = [random.choice(ids) for _ in range(n)]
    cpu0 = time.process_time()
    if variant.startswith("psycopg"):
        if psycopg.pq.__impl__ != variant.split("-")[1]:
            raise RuntimeError(f"psycopg's implementation is {psycopg.pq.__impl__}, not {variant}")
        times = psycopg_insert(url, n) if operation == "insert" else asyncio.run(psycopg_read(url, ids))
    else:
        times = asyncio.run(asyncpg_insert(url, n) if operation == "insert" else asyncpg_read(url, ids))
    cpu = time.process_time() - cpu0
    import psycopg.pq
    return {"n": n, "wall_median_us": statistics.median(times) * 1e6,
            "wall_p99_us": sorted(times)[int(len(times) * 0.99)] * 1e6, "cpu_us": cpu / n * 1e6,
            "libpq": psycopg.pq.version() if variant.startswith("psycopg") else None}


async def run_child(variant: str, operation: str, url: str, n: int) -> dict:
    from . import pg
    env = dict(os.environ)
    if variant.startswith("psycopg"):
        env["PSYCOPG_IMPL"] = variant.split("-")[1]
    db0 = pg.cpu()
    process = await asyncio.create_subprocess_exec(
        PYTHON, "-m", "bench.pgdriver", "--child", variant, operation, url, str(n), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE)
    out = (await process.communicate())[0].decode()
    if process.returncode != 0:
        raise RuntimeError(f"{variant} {operation} exited with {process.returncode}")
    figures = json.loads(out)
    figures["server_cpu_us"] = (pg.cpu() - db0) / n * 1e6
    return figures


async def run(*, rounds: int = 3, inserts: int = 2000, reads: int = 5000, keep: bool = False,
              quick: bool = False) -> Result:
    from modemgw.store.postgres.schema import migrate

    from . import pg
    try:
        import asyncpg
    except ImportError:
        raise RuntimeError("asyncpg is not installed (.venv/bin/pip install asyncpg): "
                           "the benchmark compares it, modemgw does not use it") from None
    import psycopg
    if quick:
        rounds, inserts, reads = 1, 300, 1000
    result = Result()
    url = pg.database()
    with psycopg.connect(url, autocommit=True) as conn:
        migrate(conn)
    values: dict[tuple[str, str], list[dict]] = {}
    libpq = {}
    for i in range(rounds):
        order = VARIANTS if i % 2 == 0 else tuple(reversed(VARIANTS))
        for operation in OPERATIONS:
            for variant in order:
                f = await run_child(variant, operation, url, inserts if operation == "insert" else reads)
                values.setdefault((variant, operation), []).append(f)
                libpq[variant] = f["libpq"]
                log(f"  pgdriver round {i + 1}: {variant} {operation}: {f['wall_median_us']:.0f} us wall, "
                    f"{f['cpu_us']:.0f} us client CPU, {f['server_cpu_us']:.0f} us server CPU")
    for (variant, operation), runs in values.items():
        label = f"pgdriver: {operation} [{variant}]"
        result.add(f"{label} wall (median)", median([r["wall_median_us"] for r in runs]), "us", digits=0)
        result.add(f"{label} client CPU", median([r["cpu_us"] for r in runs]), "us/op", digits=0)
        result.add(f"{label} server CPU", median([r["server_cpu_us"] for r in runs]), "us/op", digits=0)
        result.details.append(
            f"{label}: wall median " + ", ".join(f"{r['wall_median_us']:.0f}" for r in runs) + " us; p99 "
            + ", ".join(f"{r['wall_p99_us']:.0f}" for r in runs) + " us; client CPU "
            + ", ".join(f"{r['cpu_us']:.0f}" for r in runs) + " us; server CPU "
            + ", ".join(f"{r['server_cpu_us']:.0f}" for r in runs) + " us")
    result.details.append(f"pgdriver: PostgreSQL {pg.version()}, psycopg {psycopg.__version__} "
                          f"(libpq {libpq.get('psycopg-binary')} in the binary build, "
                          f"{libpq.get('psycopg-python')} from Debian for the pure-Python one), asyncpg "
                          f"{asyncpg.__version__}; {inserts} inserts and {reads} reads per child, {rounds} rounds")
    pg.drop(url)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="one driver's run of the pgdriver benchmark")
    parser.add_argument("--child", nargs=4, metavar=("VARIANT", "OPERATION", "URL", "N"), required=True)
    variant, operation, url, n = parser.parse_args().child
    print(json.dumps(child(variant, operation, url, int(n))))
    sys.exit(0)
