"""`modemgw serve` runs on uvloop when it is installed (the `speed` extra) and on asyncio's
own loop otherwise, or when MODEMGW_LOOP=asyncio; either way it accepts a message and
stops cleanly."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shutil
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from modemgw.cli.serve import event_loop
from modemgw.store import Store

EXE = shutil.which("modemgw") or str(Path(sys.executable).parent / "modemgw")


# The test extra installs uvloop where it has a wheel (x86_64, aarch64); elsewhere serve
# runs on asyncio's loop, and that is what is checked there.
INSTALLED = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"


def test_the_loop_is_uvloop_when_installed_unless_asked_for_asyncio(monkeypatch):
    assert event_loop({})[1] == INSTALLED
    if INSTALLED == "uvloop":
        import uvloop
        assert event_loop({})[0] is uvloop.new_event_loop
    assert event_loop({"MODEMGW_LOOP": "asyncio"}) == (None, "asyncio")
    monkeypatch.setitem(sys.modules, "uvloop", None)        # as if not installed: import fails
    assert event_loop({}) == (None, "asyncio")


@pytest.mark.parametrize("asked, used", [(None, INSTALLED), ("asyncio", "asyncio")])
async def test_serve_accepts_a_message_on_either_loop(tmp_path, asked, used):
    database = str(tmp_path / "gw.db")
    store = Store(database)
    await store.open()
    _, key = await store.create_key("k")
    await store.close()
    config = tmp_path / "gw.toml"
    config.write_text(f'[api]\nlisten = "127.0.0.1:0"\n[store]\npath = "{database}"\n'
                      '[[simulator]]\nname = "sim-a"\n')
    env = {k: v for k, v in os.environ.items() if k != "MODEMGW_LOOP"}
    if asked is not None:
        env["MODEMGW_LOOP"] = asked
    proc = await asyncio.create_subprocess_exec(EXE, "serve", "--config", str(config), env=env,
                                                stderr=asyncio.subprocess.PIPE)
    seen = []
    try:
        async with asyncio.timeout(60):
            while not any("gateway listening on" in line for line in seen):
                line = (await proc.stderr.readline()).decode()
                assert line, "".join(seen)
                seen.append(line)
        assert any(f"event_loop={used}" in line for line in seen), "".join(seen)
        url = re.search(r"gateway listening on (http://\S+)", "".join(seen)).group(1)
        async with aiohttp.ClientSession() as client:
            async with client.post(f"{url}/v1/messages", json={"to": "+15551230002", "text": "hi"},
                                   headers={"Authorization": f"Bearer {key}"}) as reply:
                assert reply.status == 200, await reply.text()
                assert (await reply.json())["status"] == "queued"
    finally:
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            rest = (await proc.stderr.read()).decode()
            await proc.wait()
    assert proc.returncode == 0, rest
    assert "Traceback" not in rest
