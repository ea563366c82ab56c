"""The benchmarks' PostgreSQL: one private server per benchmark process, durable settings.

tests/pgserver.py's server (Debian's binaries, a cluster in a temporary directory, a Unix
socket only), started with PostgreSQL's own defaults: fsync, synchronous_commit and
full-page writes on, so that a commit waits for the disk as SQLite's `synchronous=FULL`
does. Started when a benchmark first asks for a database, stopped at exit; each gateway
run gets a new, empty database (the gateway migrates it, as in production).

The server's CPU and memory are read from /proc: the postmaster and its children (one
backend per connection, plus the checkpointer, WAL writer, ...). A backend that exits is
reaped by the postmaster, so its CPU moves into the postmaster's cutime/cstime and
`cpu()` keeps counting it.
"""

from __future__ import annotations

import atexit
import itertools
import os
import sys
from pathlib import Path

from .common import CLK_TCK, ROOT

_server = None
_names = itertools.count(1)


def server():
    """The running durable server (started on first use)."""
    global _server
    if _server is None:
        sys.path.insert(0, str(ROOT / "tests"))
        import pgserver  # tests/pgserver.py: shared with the tests

        _server = pgserver.PostgresServer(durable=True)
        atexit.register(_server.stop)
    return _server


def database() -> str:
    """A new, empty database's postgresql:// URL."""
    s = server()
    name = f"bench{os.getpid()}_{next(_names)}"
    s._admin(f"CREATE DATABASE {name}")
    return s.url(name)


def drop(url: str) -> None:
    """Drop a database a run made (its connections are gone with its gateway)."""
    name = url.split("@/", 1)[1].split("?", 1)[0]     # postgresql://user@/NAME?host=DIR
    server()._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def postmaster() -> int:
    with open(Path(server().data) / "postmaster.pid") as f:
        return int(f.readline())


def _stat(pid: int | str) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def processes() -> list[int]:
    """The postmaster and its live children."""
    root = postmaster()
    out = [root]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat(entry)[1]) == root:   # field 4 of stat: the parent's pid
                    out.append(int(entry))
            except OSError:
                continue
    return out


def cpu() -> float:
    """CPU seconds of the whole server: its live processes, and the backends it reaped."""
    total = 0.0
    root = postmaster()
    for pid in processes():
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if pid == root:
            total += int(fields[13]) + int(fields[14])    # cutime, cstime: reaped children
    return total / CLK_TCK


def memory() -> tuple[float, float, int]:
    """(sum of RSS, sum of PSS) in MB over the server's processes, and how many there are.
    RSS counts the shared buffers once per process that touched them; PSS shares them out."""
    rss = pss = 0.0
    pids = processes()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) / 1024.0
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) / 1024.0
        except OSError:
            continue
    return rss, pss, len(pids)


def pss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def version() -> str:
    import psycopg
    with psycopg.connect(server().url("postgres")) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]
