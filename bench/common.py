"""What the benchmarks share: the gateway as a subprocess, figures, /proc readings.

The gateway always runs as `modemgw serve --config FILE` in its own process, as
in production; simulated modems run either inside it (`[[simulator]]`) or in the
benchmark's process (`[[modem]] port = <pty link>`), so that their transcripts
(timestamps from time.monotonic(), the same clock as ours) can be read here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
MODEMGW = str(VENV_BIN / "modemgw") if (VENV_BIN / "modemgw").exists() else "modemgw"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
RATE_LIMIT = 100_000_000  # per key and minute: the API's limiter must not be what is measured


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- figures ---------------------------------------------------------------------


@dataclass
class Figure:
    """One measured value; `target` with `better` ("higher"/"lower") says what is required."""

    name: str
    value: float
    unit: str
    target: float | None = None
    better: str = "higher"
    digits: int = 1
    note: str = ""

    def met(self, value: float | None = None) -> bool | None:
        value = self.value if value is None else value
        if self.target is None:
            return None
        return value >= self.target if self.better == "higher" else value <= self.target

    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"{'>=' if self.better == 'higher' else '<='} {self.target:g} {self.unit}".rstrip()


@dataclass
class Result:
    figures: list[Figure] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # settings, counts: printed once per run

    def add(self, *args, **kwargs) -> Figure:
        figure = Figure(*args, **kwargs)
        self.figures.append(figure)
        return figure


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- /proc -------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (its threads included), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def session_cpu_seconds(sid: int) -> float:
    """CPU of every live process in session `sid` (a peer and the children it forked)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # field 6 of stat: session id
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the gateway as a subprocess ------------------------------------------------


@contextlib.asynccontextmanager
async def simulated_modems(directory: Path, count: int) -> AsyncIterator[list[tuple[str, str]]]:
    """`count` simulated modems on ptys in `directory`, ready, as (name, port) pairs for
    `config_text`; stopped on leaving. The same links in every round: the same modems
    (IMEIs, ICCIDs) each time."""
    from modemgw.simulator import Simulator
    links = [directory / f"ttySIM{i}" for i in range(count)]
    sims = [Simulator(link) for link in links]
    for sim in sims:
        await sim.start()
    try:
        for sim in sims:
            await sim.wait_ready()
        yield [(f"sim{i}", str(link)) for i, link in enumerate(links)]
    finally:
        for sim in sims:
            await sim.stop()


def config_text(port: int, database: str, *, modems: list[tuple[str, str]] = (),
                simulators: list[dict] = (), webhook_url: str | None = None, node: str | None = None) -> str:
    """A configuration file: `modems` are (name, pty link), `simulators` [[simulator]] tables;
    `database` a SQLite path or a postgresql:// URL, `node` the [node] name (several nodes)."""
    where = "url" if is_url(database) else "path"
    lines = ["[api]", f'listen = "127.0.0.1:{port}"', f"rate_limit_per_minute = {RATE_LIMIT}", "",
             "[store]", f'{where} = "{database}"', ""]
    if node:
        lines += ["[node]", f'name = "{node}"', ""]
    if webhook_url:
        lines += ["[webhooks]", f'default_url = "{webhook_url}"', ""]
    for name, link in modems:
        lines += ["[[modem]]", f'name = "{name}"', f'port = "{link}"', ""]
    for sim in simulators:
        lines.append("[[simulator]]")
        for key, value in sim.items():
            lines.append(f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}")
        lines.append("")
    return "\n".join(lines)


def is_url(database: str) -> bool:
    return database.startswith("postgresql://")


STORES = ("sqlite", "postgresql")


class Gateway:
    """`modemgw serve --config` in a child process, with an API key created beforehand.
    `store`: "sqlite" (a file in `work`) or "postgresql" (a new database on the benchmarks'
    durable server, bench/pg.py), unless `database` names one. The process runs in `work`,
    so a relative path in its configuration (the PostgreSQL spool's) lands there."""

    def __init__(self, work: Path, name: str = "gateway", *, store: str = "sqlite",
                 database: str | None = None) -> None:
        self.work = work
        self.name = name
        if database is None and store == "postgresql":
            from . import pg
            database = pg.database()
        self.database = database or str(work / "modemgw.db")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: asyncio.subprocess.Process | None = None
        self.key = ""
        self.ready_after: float | None = None  # s from spawning to /readyz 200

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def create_key(self) -> str:
        process = await asyncio.create_subprocess_exec(
            MODEMGW, "keys", "create", "bench", "--db", self.database,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        out, _ = await process.communicate()
        match = re.search(r"(mgw_\S+)", out.decode())
        if process.returncode != 0 or match is None:
            raise RuntimeError(f"modemgw keys create failed: {out.decode()!r}")
        self.key = match.group(1)
        return self.key

    async def start(self, config: str, *, ready_timeout: float = 30.0) -> None:
        path = self.work / f"{self.name}.toml"
        path.write_text(config)
        if not self.key:
            await self.create_key()
        out = open(self.work / f"{self.name}.log", "ab")  # noqa: SIM115 (the child owns it)
        started = time.monotonic()
        try:
            self.process = await asyncio.create_subprocess_exec(
                MODEMGW, "serve", "--config", str(path), stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=out, start_new_session=True, cwd=self.work)
        finally:
            out.close()
        await self.wait_ready(ready_timeout)
        self.ready_after = time.monotonic() - started

    async def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.returncode is not None:
                    raise RuntimeError(f"the gateway exited with {self.process.returncode}; "
                                       f"see {self.work / (self.name + '.log')}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with session.get(f"{self.url}/readyz") as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.005)
        raise RuntimeError(f"/readyz not 200 after {timeout:.0f} s; see {self.work}")

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def db_cpu(self) -> float:
        """CPU seconds of the database server so far (PostgreSQL's processes; 0 on SQLite,
        whose work is done inside the gateway's process)."""
        if not is_url(self.database):
            return 0.0
        from . import pg
        return pg.cpu()

    def rss(self) -> float:
        return rss_mb(self.pid)

    async def stop(self) -> int | None:
        if self.process is None or self.process.returncode is not None:
            return None if self.process is None else self.process.returncode
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(30):
                return await self.process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            return await self.process.wait()

    def query(self, sql: str) -> list[tuple]:
        if is_url(self.database):
            import psycopg
            with psycopg.connect(self.database, autocommit=True) as pg:
                return pg.execute(sql).fetchall()
        conn = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()


class Workdir:
    """A temporary directory, removed afterwards unless `keep`."""

    def __init__(self, prefix: str, keep: bool = False) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=f"modemgw-bench-{prefix}-"))
        self.keep = keep

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        if self.keep or exc[0] is not None:
            log(f"working directory kept: {self.path}")
        else:
            shutil.rmtree(self.path, ignore_errors=True)


async def post_messages(url: str, key: str, texts: list[tuple[str, str]], *, concurrency: int = 16,
                        extra: dict | None = None) -> list[dict]:
    """POST /v1/messages for each (to, text); returns the answers in order."""
    headers = {"Authorization": f"Bearer {key}"}
    answers: list[dict] = [{}] * len(texts)
    semaphore = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(headers=headers) as session:

        async def one(i: int, to: str, text: str) -> None:
            async with semaphore:
                async with session.post(f"{url}/v1/messages", json={"to": to, "text": text, **(extra or {})}) as r:
                    body = await r.json()
                    if r.status != 200:
                        raise RuntimeError(f"POST /v1/messages answered {r.status}: {body}")
                    answers[i] = body

        await asyncio.gather(*(one(i, to, text) for i, (to, text) in enumerate(texts)))
    return answers


def recipient(i: int) -> str:
    return f"+1555{1230000 + i % 10000:07d}"


# -- simulator transcripts ------------------------------------------------------


def submit_intervals(transcript) -> list[tuple[float, float]]:
    """(AT+CMGS received, +CMGS/+CMS ERROR answer sent) for each submit, by monotonic time."""
    out, pending = [], None
    for entry in transcript.entries:
        if entry.kind == "line" and entry.direction == "in":
            if entry.data.upper().lstrip().startswith("AT+CMGS="):
                pending = entry.at
        elif entry.kind == "bytes" and pending is not None:
            if b"+CMGS:" in entry.data or b"+CMS ERROR" in entry.data:
                out.append((pending, entry.at))
                pending = None
    return out


def prompt_waits(transcript) -> list[float]:
    """For each submit, the time from the `> ` prompt written to the PDU received:
    the modem waiting on the gateway."""
    out, prompted = [], None
    for entry in transcript.entries:
        if entry.kind == "line" and entry.direction == "in":
            prompted = None
        elif entry.kind == "bytes" and b"> " in entry.data:
            prompted = entry.at if prompted is None else prompted
        elif entry.kind == "pdu" and prompted is not None:
            out.append(entry.at - prompted)
            prompted = None
    return out


class AnswerCount:
    """+CMGS answers written so far, counted as they are written: re-scanning the
    transcript on every change would make the benchmark's own CPU grow with N²."""

    def __init__(self, transcript) -> None:
        self.count = len(answers_sent(transcript))
        transcript.listeners.append(self._entry)

    def _entry(self, entry) -> None:
        if entry.kind == "bytes" and b"+CMGS:" in entry.data:
            self.count += 1


def answers_sent(transcript) -> list[float]:
    """Times the +CMGS answers were written to the pty."""
    return [e.at for e in transcript.entries if e.kind == "bytes" and b"+CMGS:" in e.data]
