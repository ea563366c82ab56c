"""The CLI through its real entry point (a subprocess running `modemgw`)."""

import asyncio
import json
import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path

from modemgw.simulator import Simulator

EXE = shutil.which("modemgw") or str(Path(sys.executable).parent / "modemgw")


async def read_until(stream, marker: str, timeout: float = 60) -> list[str]:
    """Lines a subprocess writes, up to the one containing `marker`."""
    seen: list[str] = []
    async with asyncio.timeout(timeout):
        while True:
            line = (await stream.readline()).decode()
            assert line, f"ended before {marker!r}: " + "".join(seen)
            seen.append(line)
            if marker in line:
                return seen


def run(*args, **kw):
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=60, **kw)


def test_help_and_version():
    r = run("--help")
    assert r.returncode == 0
    for command in ("serve", "demo", "keys", "send", "probe", "config", "modems", "inbox"):
        assert command in r.stdout
    assert run("--version").stdout.startswith("modemgw ")
    assert run("nonsense").returncode == 2


def test_config_check(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[[modem]]\nname = "a"\nport = "/dev/ttyUSB2"\n')
    r = run("config", "check", str(good))
    assert r.returncode == 0 and "OK" in r.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('[[modem]]\nname = "a"\nport = "/dev/ttyUSB2"\nbaudrate = "fast"\n')
    r = run("config", "check", str(bad))
    assert r.returncode == 2
    assert f"{bad}:4: modem[0].baudrate" in r.stderr


def test_serve_refuses_invalid_config_before_touching_modems(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[modem]]\nname = "a"\nport = "/dev/ttyUSB2"\npin = "1"\n')
    r = run("serve", "--config", str(bad))
    assert r.returncode == 2 and "pin" in r.stderr


def test_keys_create_list_revoke(tmp_path):
    db = str(tmp_path / "k.db")
    r = run("keys", "create", "alice", "--db", db)
    assert r.returncode == 0
    key = r.stdout.splitlines()[0].split()[-1]
    assert key.startswith("mgw_")
    secret = r.stdout.splitlines()[1].split()[-1]
    assert secret.startswith("whsec_")
    assert run("keys", "secret", "1", "--db", db).stdout.strip() == secret
    listing = run("keys", "list", "--db", db).stdout
    assert "alice" in listing and "active" in listing and key not in listing
    assert run("keys", "revoke", "1", "--db", db).returncode == 0
    assert "revoked" in run("keys", "list", "--db", db).stdout
    assert run("keys", "revoke", "1", "--db", db).returncode == 1
    # The key is not in the database file, only its hash.
    assert key.encode() not in Path(db).read_bytes()


def test_preview_and_decode():
    r = run("preview", "Olá 😀")
    assert r.returncode == 0 and '"ucs2"' in r.stdout
    r = run("decode", "0001000B914151550521F3000005E8329BFD06")
    assert r.returncode == 0 and '"text": "hello"' in r.stdout
    assert run("decode", "zz").returncode == 2


async def test_probe_finds_simulated_modem_and_survives_a_silent_port(tmp_path):
    master, slave = pty.openpty()  # a port that never answers
    silent = os.ttyname(slave)
    try:
        async with Simulator(str(tmp_path / "ttySIM"), profile="ec25") as sim:
            await sim.wait_ready()
            started = time.monotonic()
            proc = await asyncio.create_subprocess_exec(
                EXE, "probe", "--timeout", "0.5", sim.path, silent,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(proc.communicate(), 30)
            elapsed = time.monotonic() - started
    finally:
        os.close(master)
        os.close(slave)
    text = out.decode()
    assert proc.returncode == 0, err.decode()
    assert "Quectel EC25" in text and sim.profile.imei in text
    assert f"{silent}: no answer to AT" in text
    assert '[[modem]]' in text and f'imei = "{sim.profile.imei}"' in text
    assert elapsed < 15


async def test_demo_runs_on_simulated_modems_and_delivers(tmp_path):
    proc = await asyncio.create_subprocess_exec(
        EXE, "demo", "--port", "0", "--db", str(tmp_path / "demo.db"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        seen = await read_until(proc.stdout, "Press Ctrl-C")
        text = "".join(seen)
        assert "API key (shown once): mgw_" in text
        assert "status: delivered" in text and "received: Welcome to modemgw!" in text
        # The curl line works as printed (the first command, continued over two lines).
        start = next(i for i, line in enumerate(seen) if line.strip().startswith("curl"))
        command = seen[start].rstrip().rstrip("\\") + " " + seen[start + 1].strip()
        curl = await asyncio.create_subprocess_shell(command, stdout=asyncio.subprocess.PIPE)
        out, _ = await asyncio.wait_for(curl.communicate(), 30)
        reply = json.loads(out)
        assert reply["status"] == "queued" and reply["id"].startswith("msg_")
    finally:
        proc.terminate()
        await proc.wait()
    assert proc.returncode == 0


async def test_serve_stops_cleanly_on_sigterm(tmp_path):
    import signal
    config = tmp_path / "gw.toml"
    config.write_text(f'[api]\nlisten = "127.0.0.1:0"\n[store]\npath = "{tmp_path / "gw.db"}"\n'
                      '[[simulator]]\nname = "sim-a"\n')
    proc = await asyncio.create_subprocess_exec(EXE, "serve", "--config", str(config),
                                                stderr=asyncio.subprocess.PIPE)
    await read_until(proc.stderr, "gateway listening on")
    async with asyncio.timeout(30):
        proc.send_signal(signal.SIGTERM)
        rest = (await proc.stderr.read()).decode()
        await proc.wait()
    assert proc.returncode == 0, rest
    assert "Traceback" not in rest
