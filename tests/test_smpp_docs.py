"""The `smpplib` script of docs/smpp.md, run as printed (only the address and the key's
SMPP credentials swapped) against a running gateway on a simulated modem: its message is
sent and delivered, and the receipt it prints names the message."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from test_smpp_server import gateway_config, started

from modemgw.smpp import receipts
from modemgw.store.keys import derive

DOC = Path(__file__).resolve().parents[1] / "docs" / "smpp.md"
# The placeholders the doc prints, in its own words.
DOC_ADDRESS = '"127.0.0.1", 2775'
DOC_SYSTEM_ID, DOC_PASSWORD = "mgw0123456789ab", "abcdefgh"


def snippet() -> str:
    """The python block under "A `smpplib` script"."""
    text = DOC.read_text()
    start = text.index("A `smpplib` script")
    match = re.compile(r"```python\n(.*?)```", re.S).search(text, start)
    assert match is not None, "docs/smpp.md has no python block after the smpplib heading"
    return match.group(1)


def swapped(code: str, port: int, system_id: str, password: str) -> str:
    for old, new in ((DOC_ADDRESS, f'"127.0.0.1", {port}'), (DOC_SYSTEM_ID, system_id),
                     (DOC_PASSWORD, password)):
        assert code.count(old) == 1, f"the snippet should name {old!r} once"
        code = code.replace(old, new)
    return code


async def line_with(stream: asyncio.StreamReader, needle: bytes, seen: list[bytes], timeout: float) -> bytes:
    async with asyncio.timeout(timeout):
        while True:
            line = await stream.readline()
            assert line, f"the script ended before printing {needle!r}; it printed {seen!r}"
            seen.append(line)
            if needle in line:
                return line


async def test_the_documented_smpplib_script_sends_and_prints_the_receipt(tmp_path, database):
    gateway = await started(gateway_config(database))
    script = None
    try:
        _, token = await gateway.store.create_key("docs")
        creds = derive(token)
        path = tmp_path / "script.py"
        path.write_text(swapped(snippet(), gateway.smpp.addresses[0][1], creds.smpp_system_id,
                                creds.smpp_password))
        # -u: the script prints to a pipe, which would hold its lines until it exits.
        script = await asyncio.create_subprocess_exec(sys.executable, "-u", str(path),
                                                      stdout=asyncio.subprocess.PIPE,
                                                      stderr=asyncio.subprocess.STDOUT)
        seen: list[bytes] = []
        line = await line_with(script.stdout, b"stat:", seen, timeout=30)
        printed = re.fullmatch(rb"b'(.*)'\n", line)          # print() of short_message's bytes
        assert printed is not None, line
        receipt = receipts.parse(printed.group(1).decode("ascii"))
        assert receipt.state.name == "DELIVERED" and receipt.delivered == 1
        row = await gateway.store.get_message(receipt.id)
        assert (row["to_number"], row["text"], row["status"], row["dialect"]) == \
            ("+447700900123", "Hello from smpplib 😀", "delivered", "smpp")
        assert gateway.simulators["sim-a"].handset("+447700900123") == ["Hello from smpplib 😀"]
    finally:
        if script is not None and script.returncode is None:
            script.terminate()          # the script listens for ever, as documented
            await script.wait()
        await gateway.stop()
