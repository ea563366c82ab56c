"""The CLI through its real entry point (a subprocess running `modemgw`)."""

import asyncio
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import peek
from modemgw.simulator import Settings, Simulator
from reliability.process import store_section
from test_api_harness import running_api

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


def test_keys_create_list_revoke(database):
    db = database
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
    # The key is not kept, only its hash (nor, on SQLite, anywhere in the file).
    assert key not in repr([tuple(row) for row in peek.query(db, "SELECT * FROM api_keys")])
    if not db.startswith("postgresql://"):
        assert key.encode() not in Path(db).read_bytes()


def test_a_database_that_cannot_be_used_is_a_clear_error(tmp_path):
    # A server that does not answer, and PostgreSQL support not installed (psycopg
    # hidden from the process): one line each, no traceback.
    unreachable = "postgresql://nobody@127.0.0.1:1/modemgw"
    r = run("keys", "create", "alice", "--db", unreachable)
    assert r.returncode == 1 and r.stderr.startswith("modemgw: the database cannot be used: cannot connect")
    assert "Traceback" not in r.stderr
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(
        "import importlib.util, sys\nsys.modules['psycopg'] = None\n_find = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a: None if name == 'psycopg' else _find(name, *a)\n")
    env = {**os.environ, "PYTHONPATH": str(hide)}
    config = tmp_path / "pg.toml"
    config.write_text(f'[store]\nurl = "{unreachable}"\n[[simulator]]\nname = "s"\n')
    for args, code, said in ((("serve", "--config", str(config)), 2, "store.url: PostgreSQL needs the postgresql extra"),
                             (("keys", "list", "--db", unreachable), 1, "PostgreSQL needs the postgresql extra"),
                             (("store", "copy", str(tmp_path / "none.db"), unreachable), 1,
                              "copying into PostgreSQL needs the postgresql extra")):
        r = run(*args, env=env)
        assert r.returncode == code and said in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)


def run_into_closed_pipe(*args):
    """`modemgw ... | head` where head has already gone: every write to stdout fails (EPIPE)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([EXE, *args], stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)


def test_a_closed_stdout_ends_quietly(tmp_path):
    db = str(tmp_path / "k.db")
    assert run("keys", "create", "alice", "--db", db).returncode == 0
    # argparse itself ignores a failed write of --help and --version, and exits 0.
    for args, code in ((("preview", "hello"), 141),
                       (("decode", "0001000B914151550521F3000005E8329BFD06"), 141),
                       (("keys", "list", "--db", db), 141),
                       (("--help",), 0), (("--version",), 0), (("simulate", "--help"), 0)):
        r = run_into_closed_pipe(*args)
        assert (r.returncode, r.stderr) == (code, ""), args


async def test_preview_speaks_the_apis_names(database):
    text = "Olá 😀"
    async with running_api(database) as api:
        answer = (await api.call("POST", "/v1/messages/preview", json_body={"text": text})).body
    proc = await asyncio.create_subprocess_exec(EXE, "preview", text, stdout=asyncio.subprocess.PIPE)
    async with asyncio.timeout(60):
        out, _ = await proc.communicate()
    assert json.loads(out) == answer


def test_preview_and_decode():
    r = run("preview", "Olá 😀")
    assert r.returncode == 0 and '"ucs2"' in r.stdout
    r = run("decode", "0001000B914151550521F3000005E8329BFD06")
    assert r.returncode == 0 and '"text": "hello"' in r.stdout
    assert run("decode", "zz").returncode == 2


async def test_probe_says_unknown_for_what_a_modem_does_not_know(tmp_path):
    async with Simulator(str(tmp_path / "ttySIM"), settings=Settings(registration=0)) as sim:
        await sim.wait_ready()
        proc = await asyncio.create_subprocess_exec(EXE, "probe", "--timeout", "0.5", sim.path,
                                                    stdout=asyncio.subprocess.PIPE)
        async with asyncio.timeout(30):
            out, _ = await proc.communicate()
    text = out.decode()
    assert proc.returncode == 0 and f"IMEI {sim.profile.imei}" in text
    assert "operator unknown" in text and "None" not in text


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


def demo_line(seen: list[str], label: str) -> str:
    return next(line for line in seen if line.startswith(label)).split(label)[1].strip()


async def test_demo_runs_offline_on_simulated_modems_and_delivers(tmp_path):
    proc = await asyncio.create_subprocess_exec(
        EXE, "demo", "--port", "0", "--db", str(tmp_path / "demo.db"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        seen = await read_until(proc.stdout, "Press Ctrl-C")
        text = "".join(seen)
        assert "API key (shown once): mgw_" in text
        assert "status: delivered" in text and "received: Welcome to modemgw!" in text
        hook = demo_line(seen, "Webhook receiver (prints the events it gets):")
        assert hook.startswith("http://127.0.0.1:")
        # Every URL the demo shows is on this machine.
        assert {url.split("/")[2].split(":")[0] for url in re.findall(r"https?://\S+", text)} == {"127.0.0.1"}
        # The curl line works as printed (the first command, continued over two lines), and
        # the demo's receiver shows the webhooks it caused.
        start = next(i for i, line in enumerate(seen) if line.strip().startswith("curl"))
        command = seen[start].rstrip().rstrip("\\") + " " + seen[start + 1].strip()
        assert f'"callback_url": "{hook}"' in command
        curl = await asyncio.create_subprocess_shell(command, stdout=asyncio.subprocess.PIPE)
        async with asyncio.timeout(30):
            out, _ = await curl.communicate()
        reply = json.loads(out)
        assert reply["status"] == "queued" and reply["id"].startswith("msg_")
        events = await read_until(proc.stdout, f"webhook message.delivered {reply['id']}")
        assert "signature checks out" in events[-1]
        # So does the inject command: the simulated modem receives, the receiver shows it.
        inject = next(line for line in seen if "modemgw simulate inject" in line).split("#")[0]
        injector = await asyncio.create_subprocess_shell(inject.strip().replace("modemgw", EXE, 1),
                                                         stdout=asyncio.subprocess.PIPE)
        async with asyncio.timeout(30):
            await injector.communicate()
        assert injector.returncode == 0
        events = await read_until(proc.stdout, "webhook message.received")
        assert "from +15551230009: 'Hi there'" in events[-1] and "signature checks out" in events[-1]
    finally:
        proc.terminate()
        await proc.wait()
    assert proc.returncode == 0


async def test_serve_stops_cleanly_on_sigterm(tmp_path, database):
    import signal
    config = tmp_path / "gw.toml"
    config.write_text(f'[api]\nlisten = "127.0.0.1:0"\n{store_section(database)}'
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
