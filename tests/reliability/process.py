"""`modemgw serve` as a subprocess, pointed at simulated modems that live in the test
process (so a modem outlives a kill -9 of the gateway, as a USB stick would)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

MODEMGW = str(Path(sys.executable).with_name("modemgw"))
LISTENING = re.compile(r"gateway listening on (http://\S+)")


def _toml(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value).lower() if isinstance(value, bool) else str(value)


def _store_keys(database: Path | str) -> dict[str, str]:
    return {"url": str(database)} if str(database).startswith("postgresql://") else {"path": str(database)}


def store_section(database: Path | str) -> str:
    """The `[store]` table of a configuration file for `database` (a SQLite path: `path`;
    a postgresql:// URL: `url`)."""
    return "[store]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in _store_keys(database).items())


def write_config(path: Path, database: Path | str, modems: list[dict], *,
                 sections: dict[str, dict] | None = None) -> Path:
    """A configuration on a free port with `[[modem]]` entries (each a dict of keys) and
    more `sections` ({"api": {"rate_limit_per_minute": 10**6}}, ...). `database` is a
    SQLite path or a postgresql:// URL."""
    tables = {"api": {"listen": "127.0.0.1:0"}, "store": _store_keys(database)}
    for name, keys in (sections or {}).items():
        tables.setdefault(name, {}).update(keys)
    lines = []
    for name, keys in tables.items():
        lines += [f"[{name}]", *(f"{k} = {_toml(v)}" for k, v in keys.items()), ""]
    for modem in modems:
        lines += ["[[modem]]", *(f"{k} = {_toml(v)}" for k, v in modem.items()), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def create_key(database: Path, name: str) -> tuple[int, str, str]:
    """`modemgw keys create NAME --db PATH`: (id, key, webhook secret)."""
    out = subprocess.run([MODEMGW, "keys", "create", name, "--db", str(database)],
                         check=True, capture_output=True, text=True, timeout=30).stdout
    found = re.search(r"key (\d+) \([^)]*\): (\S+)", out)
    secret = re.search(r"webhook signing secret: (\S+)", out)
    assert found and secret, out
    return int(found.group(1)), found.group(2), secret.group(1)


def revoke_key(database: Path, key_id: int) -> None:
    subprocess.run([MODEMGW, "keys", "revoke", str(key_id), "--db", str(database)],
                   check=True, capture_output=True, text=True, timeout=30)


class Serve:
    """One gateway process after another on the same configuration; every run's stderr
    goes to one log file."""

    def __init__(self, config: Path, log: Path, *, verbose: bool = False) -> None:
        self.config = config
        self.verbose = verbose
        self.log = log
        self.process: subprocess.Popen | None = None
        self.url: str | None = None
        self.starts = 0

    async def start(self, *, ready: bool = True, timeout: float = 30.0) -> str:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as err:
            self.process = subprocess.Popen([MODEMGW, "serve", "--config", str(self.config),
                                             *(["-v"] if self.verbose else [])],
                                            stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.starts += 1
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"gateway exited {self.process.returncode}:\n{self.output()}"
            with open(self.log, "rb") as f:
                f.seek(offset)
                found = LISTENING.search(f.read().decode("utf-8", "replace"))
            if found:
                self.url = found.group(1)
                break
            assert time.monotonic() < deadline, f"gateway did not start:\n{self.output()}"
            await asyncio.sleep(0.05)
        if ready:
            await self.wait_ready(deadline - time.monotonic())
        return self.url

    async def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.get(f"{self.url}/readyz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                assert time.monotonic() < deadline, f"gateway not ready:\n{self.output()[-3000:]}"
                await asyncio.sleep(0.05)

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def terminate(self) -> int | None:
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill9()
            return None
        self.process = None
        return code

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log.exists() else ""
