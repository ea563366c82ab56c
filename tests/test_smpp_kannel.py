"""Kannel as the ESME, set up with the `group = smsc` block of docs/smpp.md as printed
(only the port and the key's SMPP credentials swapped): a message sent through smsbox's
sendsms reaches the handset, its delivery report comes back to the dlr-url with the
gateway's own message id (Kannel matched the receipt to what it sent), and a received
message reaches an sms-service in UTF-8 (`mo-recode`, as the doc says).

Kannel is Debian's `kannel` package, which `.ci/run` installs; the test fails, naming it,
when it is missing, and never installs anything."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import socket
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from test_smpp_server import credentials, gateway_config, port, started, until

DOC = Path(__file__).resolve().parents[1] / "docs" / "smpp.md"
DOC_PORT, DOC_SYSTEM_ID, DOC_PASSWORD = "port = 2775", "mgw0123456789ab", "abcdefgh"
TIMEOUT = 30.0


def smsc_group() -> str:
    """The Kannel block of docs/smpp.md."""
    text = DOC.read_text()
    start = text.index("Kannel (`smsc = smpp`")
    match = re.compile(r"```\n(group = smsc\n.*?)```", re.S).search(text, start)
    assert match is not None, "docs/smpp.md has no Kannel block"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kannel_conf(work: Path, smpp_port: int, system_id: str, password: str, ports: dict[str, int],
                hooks: str) -> str:
    smsc = smsc_group()
    for old, new in ((DOC_PORT, f"port = {smpp_port}"), (DOC_SYSTEM_ID, system_id), (DOC_PASSWORD, password)):
        assert smsc.count(old) == 1, f"the Kannel block should name {old!r} once"
        smsc = smsc.replace(old, new)
    # Around it, the least a bearerbox and an smsbox need, on free ports, logging into `work`.
    return f"""group = core
admin-port = {ports["admin"]}
admin-interface = 127.0.0.1
admin-password = test
admin-allow-ip = "127.0.0.1"
smsbox-port = {ports["smsbox"]}
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "{work}/bearerbox.log"
log-level = 0
dlr-storage = internal

{smsc}
group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {ports["smsbox"]}
sendsms-port = {ports["sendsms"]}
sendsms-interface = 127.0.0.1
mo-recode = true
log-file = "{work}/smsbox.log"
log-level = 0

group = sendsms-user
username = test
password = test
user-allow-ip = "127.0.0.1"
default-sender = modemgw
concatenation = true
max-messages = 5

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "{hooks}/mo?from=%p&text=%a"
"""


class Hooks:
    """Kannel's GETs (delivery reports, received messages), recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.changed = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append((request.path, dict(request.query)))
        async with self.changed:
            self.changed.notify_all()
        return web.Response(text="ok")

    async def first(self, path: str, predicate=lambda q: True) -> dict[str, str]:
        def found():
            return next((q for p, q in self.calls if p == path and predicate(q)), None)
        async with asyncio.timeout(TIMEOUT), self.changed:
            await self.changed.wait_for(lambda: found() is not None)
        return found()


async def accepting(port: int, processes) -> None:
    """Until something accepts on 127.0.0.1:port (polled: Kannel signals nothing)."""
    async with asyncio.timeout(TIMEOUT):
        while True:
            for p in processes:
                assert p.returncode is None, f"a Kannel process exited with {p.returncode} while starting"
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                return
            await asyncio.sleep(0.1)


async def test_kannel_configured_as_the_doc_says_gets_its_delivery_reports(tmp_path):
    assert shutil.which("bearerbox") and shutil.which("smsbox"), \
        "Kannel is not installed: Debian package kannel (.ci/run installs it)"
    gateway = await started(gateway_config(str(tmp_path / "gw.db")))     # SQLite: a test of the peer
    hooks = Hooks()
    app = web.Application()
    app.router.add_get("/{tail:.*}", hooks.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    processes = []
    try:
        creds = await credentials(gateway)
        ports = {"admin": free_port(), "smsbox": free_port(), "sendsms": free_port()}
        conf = tmp_path / "kannel.conf"
        conf.write_text(kannel_conf(tmp_path, port(gateway), creds.system_id, creds.password, ports, base))
        for box in ("bearerbox", "smsbox"):
            processes.append(await asyncio.create_subprocess_exec(
                box, "-v", "4", str(conf), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL))
            await accepting(ports["smsbox" if box == "bearerbox" else "sendsms"], processes)

        async def bound():
            return gateway.smpp.bound_sessions() == 1
        await until(bound, timeout=TIMEOUT, what="Kannel to bind")

        text = "Hello from Kannel @ £ € {ok}"
        query = {"username": "test", "password": "test", "to": "+447700900123", "text": text,
                 "charset": "UTF-8", "dlr-mask": "3", "dlr-url": f"{base}/dlr?id=%F&status=%d&to=%p"}
        async with aiohttp.ClientSession() as http, \
                http.get(f"http://127.0.0.1:{ports['sendsms']}/cgi-bin/sendsms?{urlencode(query)}") as resp:
            assert resp.status == 202, await resp.text()
        report = await hooks.first("/dlr", lambda q: q["status"] == "1")       # 1: delivered
        [row] = await gateway.store.list_messages(to="+447700900123")
        assert (row["text"], row["status"], row["dialect"]) == (text, "delivered", "smpp")
        assert report["id"] == row["id"]                  # the id of the submit_sm_resp, kept as it is

        gateway.simulators["sim-a"].inject_sms("+447700900999", "Grüße 😀 from a handset")
        mo = await hooks.first("/mo")
        assert (mo["from"], mo["text"]) == ("+447700900999", "Grüße 😀 from a handset")
    finally:
        for p in reversed(processes):
            if p.returncode is None:
                p.terminate()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(10):
                        await p.wait()
            if p.returncode is None:
                p.kill()
                await p.wait()
        await server.close()
        await gateway.stop()
